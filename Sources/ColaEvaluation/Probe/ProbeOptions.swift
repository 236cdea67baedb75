/// How the linear probe is fitted and its regularization chosen.
///
/// The probe is L2-regularized logistic regression solved to convergence
/// (``LogisticRegression``); `C` (scikit-learn's inverse regularization on the summed loss) is
/// chosen from ``grid`` by ``selection``.
public struct ProbeOptions: Sendable, Hashable, Codable {
    /// How `C` is chosen.
    public enum Selection: String, Sendable, Hashable, Codable, CaseIterable {
        /// The validation split when it has a clip of every training class, else stratified
        /// k-fold cross-validation on the training clips when every class has at least
        /// ``minimumClipsForCrossValidation``, else ``fixedRegularization``.
        case automatic = "auto"
        /// Highest clip accuracy on the validation split (ties: lower cross-entropy).
        case validation
        /// Highest clip accuracy over stratified, seeded folds of the training clips.
        case crossValidation = "cv"
        /// Always ``fixedRegularization``.
        case fixed
    }

    /// Candidate values of `C`, ascending: 10⁻⁴ … 10³ in half decades.
    public var grid = [0.0001, 0.000316, 0.001, 0.00316, 0.01, 0.0316, 0.1, 0.316, 1, 3.16, 10, 31.6, 100, 316, 1000]
    /// How `C` is chosen.
    public var selection = Selection.automatic
    /// Folds of cross-validation at most (fewer when a class has fewer training clips).
    public var folds = 5
    /// `auto` cross-validates only when every class has this many training clips. Measured on
    /// the nine small stand-ins with log-mel statistics, 10 few-shot draws (docs/eval.md): with
    /// 2, 3 and 5 clips per class, cross-validation (one clip per class held out per fold) chose
    /// `C` anywhere from 10⁻⁴ to 10³ from draw to draw and scored no better than a fixed `C = 1`
    /// (mean 47.2 / 52.4 / 54.9% against 48.5 / 52.3 / 56.5%) at 3–18 times the cost.
    public var minimumClipsForCrossValidation = 6
    /// `C` when it is not chosen on held-out clips (few clips per class, or `fixed`). `C = 1`
    /// (scikit-learn's default) scored within 0.4 points of the best of 0.01, 0.1, 1 and 10 at
    /// 1, 2, 3 and 5 clips per class.
    public var fixedRegularization = 1.0
    /// L-BFGS stops when every component of the gradient of the objective divided by the row
    /// count is at most this (scikit-learn's `tol`, whose default is 1e-4).
    public var tolerance = 1e-5
    /// L-BFGS iterations at most per fit.
    public var maxIterations = 1000
    /// Seeds the cross-validation folds.
    public var seed: UInt64 = 0

    /// The defaults `cola eval` and `cola pretrain`'s transfer suite use.
    public init() {}
}
