/// L2-regularized logistic regression fitted to convergence by L-BFGS: the objective of
/// scikit-learn's `LogisticRegression(C:, solver: "lbfgs")` (``MultinomialLogisticObjective``),
/// so the two can be compared at the same `C`.
///
/// With two classes scikit-learn fits one binomial weight vector `v` with penalty `½‖v‖²/C`.
/// The two-class softmax model with weights `w₀, w₁` has the same logit difference for
/// `w₁ − w₀ = v`, and at its optimum `w₀ = −w₁` (the gradient of the loss sums to zero over
/// classes), so its penalty `½(‖w₀‖² + ‖w₁‖²)/C′ = ¼‖v‖²/C′` equals scikit-learn's for `C′ = C/2`:
/// the same minimizer, objective value and predictions.
public enum LogisticRegression {
    /// One fitted probe and how the solver ended.
    public struct Fit: Sendable {
        /// The probe.
        public let probe: LinearProbe
        /// scikit-learn's `C` it was fitted with.
        public let regularization: Double
        /// scikit-learn's objective at the probe: summed log-loss plus the penalty.
        public let objective: Double
        /// L-BFGS iterations.
        public let iterations: Int
        /// Whether the gradient tolerance was met within the iteration limit.
        public let converged: Bool
        /// Weights then biases in double precision: the start of a fit at a neighbouring `C`.
        let parameters: [Double]
    }

    /// Fits rows (`labels.count × width`, standardized) labelled `labels` at `regularization`
    /// (scikit-learn's `C`), from `start` (a neighbouring fit's parameters) or from zero.
    public static func fit(rows: [Float], labels: [Int32], width: Int, classes: Int, regularization: Double,
                           options: ProbeOptions, start: Fit? = nil) -> Fit {
        let objective = MultinomialLogisticObjective(
            rows: rows, labels: labels, width: width, classes: classes,
            inverseRegularization: classes == 2 ? regularization / 2 : regularization)
        var solver = LimitedMemoryBFGS()
        solver.gradientTolerance = options.tolerance
        solver.maxIterations = options.maxIterations
        let initial = start?.parameters ?? [Double](repeating: 0, count: objective.parameterCount)
        let result = solver.minimize(from: initial) { point, gradient in objective.meanValue(at: point, gradient: &gradient) }
        let weightCount = width * classes
        let probe = LinearProbe(inputs: width, classes: classes,
                                weights: result.point[0..<weightCount].map { Float($0) },
                                bias: result.point[weightCount...].map { Float($0) })
        return Fit(probe: probe, regularization: regularization, objective: result.value * Double(labels.count),
                   iterations: result.iterations, converged: result.converged, parameters: result.point)
    }
}
