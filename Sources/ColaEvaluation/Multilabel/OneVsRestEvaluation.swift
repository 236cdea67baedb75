import Foundation

/// Scores a multilabel task (``TaskMetric/multilabel``) as HEAR does: the mean over classes of
/// each class's average precision (macro mAP, hear-eval-kit's `mAP`, scikit-learn's
/// `average_precision_score(average="macro")`).
///
/// One probe per class, trained on "carries the class" against "does not" (one-vs-rest) with the
/// linear probe's two-class case, ``TaskEvaluation/score(splits:classes:metric:settings:)``:
/// binomial logistic regression, whose logit is the clip's score for the class (averaged over its
/// windows, as every clip score), with its own `C` per class. This relabels the embedded splits
/// and calls the single-label probe, so it follows whatever solver that uses; hear-eval-kit trains
/// one network with a sigmoid per class instead. Few-shot draws are not defined for multilabel
/// tasks: they are scored on every training clip.
///
/// A class without a positive test clip has no average precision and is left out of the mean
/// (scikit-learn counts it as 0 with a warning). The accuracy reported beside mAP is the share of
/// test clips whose top-scored class is one of theirs.
public struct OneVsRestEvaluation {
    /// Embeds (through its cache) and holds the protocol.
    public let evaluation: TaskEvaluation

    /// Scores with `evaluation`'s settings and cache.
    public init(evaluation: TaskEvaluation) { self.evaluation = evaluation }

    /// What the per-class probes give on the test split.
    public struct Result: Sendable, Equatable {
        /// Mean of ``averagePrecisions`` over the classes that have one.
        public var meanAveragePrecision: Double
        /// Each class's average precision; `nil` when no test clip carries the class.
        public var averagePrecisions: [Double?]
        /// Share of scored test clips whose highest-scored class is one of their labels.
        public var precisionAtOne: Double
        /// 95% bootstrap interval of ``meanAveragePrecision`` over test clips.
        public var meanAveragePrecisionInterval: ScoreInterval?
        /// 95% bootstrap interval of ``precisionAtOne`` over test clips.
        public var precisionAtOneInterval: ScoreInterval?
        /// How each class's `C` was chosen (the first class's method; all share the splits).
        public var selection: String
        /// Mean over classes of the held-out accuracy at the chosen `C` (`nil`: fixed `C`).
        public var selectionAccuracy: Double?
        /// Each class's chosen `C`.
        public var regularization: [Double]
        /// The most L-BFGS iterations of a class's final fit.
        public var iterations: Int
        /// Whether every class's final fit converged.
        public var converged: Bool
    }

    /// Embeds (or loads) `task` with `embedder` and scores it; the score's `averagePrecision` is
    /// the mAP, its `accuracy` ``Result/precisionAtOne``.
    public func run(_ task: TaskData, embedder: any ClipEmbedder) throws -> (score: ProbeScore, splits: [EmbeddedSplit]) {
        let embedded = try evaluation.embeddings(of: task, by: embedder)
        let started = Date()
        let result = Self.score(splits: embedded.splits, labelSets: [task.train, task.valid, task.test].map { $0.map(\.labels) },
                                classes: task.classNames.count, settings: evaluation.settings)
        var score = ProbeScore(accuracy: result.precisionAtOne)
        score.accuracyInterval = result.precisionAtOneInterval
        score.averagePrecision = result.meanAveragePrecision
        score.averagePrecisionInterval = result.meanAveragePrecisionInterval
        score.selection = result.selection
        score.selectionAccuracy = result.selectionAccuracy
        score.regularization = result.regularization
        score.iterations = result.iterations
        score.converged = result.converged
        score.embeddingSeconds = embedded.seconds
        score.probeSeconds = Date().timeIntervalSince(started)
        score.cached = embedded.cached
        return (score, embedded.splits)
    }

    /// Trains one two-class probe per class on `splits` (train, valid, test) whose clips carry
    /// `labelSets` (per split, per clip) and scores the test split.
    public static func score(splits: [EmbeddedSplit], labelSets: [[[Int]]], classes: Int, settings: EvaluationProtocol) -> Result {
        precondition(splits.count == 3 && labelSets.count == 3 && zip(splits, labelSets).allSatisfy { $0.clipCount == $1.count },
                     "OneVsRestEvaluation: label sets must match the splits' clips")
        var binarySettings = settings
        binarySettings.shots = nil
        var margins = [[Float]](repeating: [], count: classes)
        var searches: [RegularizationSearch.Outcome] = []
        for target in 0..<classes {
            var binary = splits
            for split in 0..<3 {
                binary[split].labels = labelSets[split].map { Int32($0.contains(target) ? 1 : 0) }
            }
            let outcome = TaskEvaluation.score(splits: binary, classes: 2, metric: .detection, settings: binarySettings).draws[0]
            margins[target] = (0..<outcome.test.count).map { outcome.test.logits[2 * $0 + 1] - outcome.test.logits[2 * $0] }
            searches.append(outcome.search)
        }
        let scoredTestClips = splits[2].rowRanges.enumerated().filter { !$0.element.isEmpty }.map(\.offset)
        let testLabels = scoredTestClips.map { labelSets[2][$0] }
        let ranking = rank(margins: margins, labelSets: testLabels)
        func resampled(_ indices: [Int]) -> (averagePrecisions: [Double?], meanAveragePrecision: Double, precisionAtOne: Double) {
            rank(margins: margins.map { scores in indices.map { scores[$0] } }, labelSets: indices.map { testLabels[$0] })
        }
        let resamples = classes > 0 ? settings.bootstrapResamples : 0
        let heldOut = searches.compactMap(\.heldOutAccuracy)
        return Result(
            meanAveragePrecision: ranking.meanAveragePrecision, averagePrecisions: ranking.averagePrecisions,
            precisionAtOne: ranking.precisionAtOne,
            meanAveragePrecisionInterval: BootstrapInterval.percentile95(count: testLabels.count, resamples: resamples, seed: settings.probe.seed) {
                resampled($0).meanAveragePrecision
            },
            precisionAtOneInterval: BootstrapInterval.percentile95(count: testLabels.count, resamples: resamples, seed: settings.probe.seed) {
                resampled($0).precisionAtOne
            },
            selection: searches.first?.method.description ?? "fixed",
            selectionAccuracy: heldOut.isEmpty ? nil : heldOut.reduce(0, +) / Double(heldOut.count),
            regularization: searches.map(\.fit.regularization),
            iterations: searches.map(\.fit.iterations).max() ?? 0,
            converged: searches.allSatisfy(\.fit.converged))
    }

    /// Average precision per class, their mean over the classes with a positive clip, and
    /// precision at 1, of the scores `margins[class][clip]` for clips carrying `labelSets[clip]`.
    public static func rank(margins: [[Float]], labelSets: [[Int]]) -> (averagePrecisions: [Double?], meanAveragePrecision: Double, precisionAtOne: Double) {
        let averagePrecisions = margins.indices.map { target in
            averagePrecision(scores: margins[target], positives: labelSets.map { $0.contains(target) })
        }
        let defined = averagePrecisions.compactMap { $0 }
        var hits = 0
        for (clip, labels) in labelSets.enumerated() {
            let top = margins.indices.max { margins[$0][clip] < margins[$1][clip] }
            if let top, labels.contains(top) { hits += 1 }
        }
        return (averagePrecisions,
                defined.isEmpty ? 0 : defined.reduce(0, +) / Double(defined.count),
                labelSets.isEmpty ? 0 : Double(hits) / Double(labelSets.count))
    }

    /// The mean, over positive clips, of the precision among the clips scored at or above them
    /// (ties in clip order); `nil` without a positive clip.
    static func averagePrecision(scores: [Float], positives: [Bool]) -> Double? {
        let order = scores.indices.sorted { (scores[$0], -$0) > (scores[$1], -$1) }
        var hits = 0
        var sum: Double = 0
        for (rank, clip) in order.enumerated() where positives[clip] {
            hits += 1
            sum += Double(hits) / Double(rank + 1)
        }
        return hits > 0 ? sum / Double(hits) : nil
    }
}
