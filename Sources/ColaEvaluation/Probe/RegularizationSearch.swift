/// Chooses the probe's `C` from ``ProbeOptions/grid`` on held-out clips and returns the probe
/// fitted at it.
///
/// A candidate is scored by the clip-level accuracy of the held-out clips (window logits
/// averaged, as the test clips are scored), ties broken by lower clip-level cross-entropy, then
/// by the smaller `C`. Fits along the grid start from the previous `C`'s solution (ascending `C`).
public enum RegularizationSearch {
    /// How `C` was chosen.
    public enum Method: Sendable, Equatable, CustomStringConvertible {
        /// On the validation split.
        case validation
        /// By stratified k-fold cross-validation on the training clips.
        case crossValidation(folds: Int)
        /// Not chosen: ``ProbeOptions/fixedRegularization``.
        case fixed

        public var description: String {
            switch self {
            case .validation: "validation"
            case let .crossValidation(folds): "\(folds)-fold cross-validation"
            case .fixed: "fixed"
            }
        }
    }

    /// The chosen probe and how it was chosen.
    public struct Outcome: Sendable {
        /// The probe fitted on all training rows at the chosen `C`.
        public let fit: LogisticRegression.Fit
        /// How `C` was chosen.
        public let method: Method
        /// Held-out clip accuracy at the chosen `C` (validation, or pooled over the folds); `nil` when fixed.
        public let heldOutAccuracy: Double?
    }

    /// The method ``ProbeOptions/selection`` gives for these splits: `validation` without
    /// validation clips falls back to cross-validation, and `cv` when a class has a single
    /// training clip to the fixed `C`.
    public static func method(train: EmbeddedSplit, valid: EmbeddedSplit, classes: Int, options: ProbeOptions) -> Method {
        let trainCounts = train.scoredClipsByClass(classes: classes).map(\.count)
        let smallestClass = trainCounts.filter { $0 > 0 }.min() ?? 0
        let folds = min(options.folds, smallestClass)
        let crossValidation: Method = folds >= 2 ? .crossValidation(folds: folds) : .fixed
        switch options.selection {
        case .validation: return valid.rowCount > 0 ? .validation : crossValidation
        case .crossValidation: return crossValidation
        case .fixed: return .fixed
        case .automatic:
            let validCounts = valid.scoredClipsByClass(classes: classes).map(\.count)
            let everyClassValidated = valid.rowCount > 0 && zip(trainCounts, validCounts).allSatisfy { $0 == 0 || $1 > 0 }
            if everyClassValidated { return .validation }
            return smallestClass >= options.minimumClipsForCrossValidation ? crossValidation : .fixed
        }
    }

    /// Chooses `C` for `train` (and `valid`, when the method uses it) and fits the probe.
    public static func run(train: EmbeddedSplit, valid: EmbeddedSplit, classes: Int, options: ProbeOptions) -> Outcome {
        let method = method(train: train, valid: valid, classes: classes, options: options)
        switch method {
        case .fixed:
            return Outcome(fit: fit(train, classes: classes, regularization: options.fixedRegularization, options: options), method: .fixed, heldOutAccuracy: nil)
        case .validation:
            var best: (score: HeldOutScore, fit: LogisticRegression.Fit)?
            var previous: LogisticRegression.Fit?
            for regularization in options.grid {
                let fit = fit(train, classes: classes, regularization: regularization, options: options, start: previous)
                previous = fit
                let score = HeldOutScore(ClipScores(rowLogits: fit.probe.logits(valid.rows, count: valid.rowCount), split: valid, classCount: classes))
                if best == nil || score.isBetter(than: best!.score) { best = (score, fit) }
            }
            return Outcome(fit: best!.fit, method: method, heldOutAccuracy: best!.score.accuracy)
        case let .crossValidation(folds):
            var scores = [HeldOutScore](repeating: HeldOutScore(), count: options.grid.count)
            for heldOut in stratifiedFolds(train, classes: classes, folds: folds, seed: options.seed) {
                let held = Set(heldOut)
                let fitting = train.keepingClips((0..<train.clipCount).filter { !held.contains($0) })
                let scoring = train.keepingClips(heldOut)
                var previous: LogisticRegression.Fit?
                for (index, regularization) in options.grid.enumerated() {
                    let fit = fit(fitting, classes: classes, regularization: regularization, options: options, start: previous)
                    previous = fit
                    scores[index].add(ClipScores(rowLogits: fit.probe.logits(scoring.rows, count: scoring.rowCount), split: scoring, classCount: classes))
                }
            }
            var chosen = 0
            for index in scores.indices where scores[index].isBetter(than: scores[chosen]) { chosen = index }
            let final = fit(train, classes: classes, regularization: options.grid[chosen], options: options)
            return Outcome(fit: final, method: method, heldOutAccuracy: scores[chosen].accuracy)
        }
    }

    /// Clip indices of each fold: class by class, the readable clips in the seeded order of
    /// stream `seed ^ 0x6b43a9b5cf1d2e87` (``SeededClipOrder``), dealt to folds 0, 1, … in turn,
    /// the count running on across classes (each fold gets ⌊n/k⌋ or ⌈n/k⌉ clips of every class).
    static func stratifiedFolds(_ split: EmbeddedSplit, classes: Int, folds: Int, seed: UInt64) -> [[Int]] {
        let keys = SeededClipOrder.keys(count: split.clipCount, stream: seed ^ 0x6b43_a9b5_cf1d_2e87)
        var assignment = [[Int]](repeating: [], count: folds)
        var next = 0
        for clips in split.scoredClipsByClass(classes: classes) {
            for clip in SeededClipOrder.ordered(clips, keys: keys) {
                assignment[next % folds].append(clip)
                next += 1
            }
        }
        return assignment.map { $0.sorted() }
    }

    private static func fit(_ split: EmbeddedSplit, classes: Int, regularization: Double, options: ProbeOptions,
                            start: LogisticRegression.Fit? = nil) -> LogisticRegression.Fit {
        LogisticRegression.fit(rows: split.rows, labels: split.rowLabels, width: split.width, classes: classes,
                               regularization: regularization, options: options, start: start)
    }

    /// Correct clips and summed cross-entropy over held-out clips.
    private struct HeldOutScore {
        var correct = 0.0
        var crossEntropy = 0.0
        var clips = 0

        init() {}

        init(_ scores: ClipScores) { add(scores) }

        mutating func add(_ scores: ClipScores) {
            correct += scores.accuracy * Double(scores.count)
            crossEntropy += scores.crossEntropy * Double(scores.count)
            clips += scores.count
        }

        var accuracy: Double { clips > 0 ? correct / Double(clips) : 0 }

        func isBetter(than other: HeldOutScore) -> Bool {
            let (mine, theirs) = (correct.rounded(), other.correct.rounded())
            return mine > theirs || (mine == theirs && crossEntropy < other.crossEntropy)
        }
    }
}
