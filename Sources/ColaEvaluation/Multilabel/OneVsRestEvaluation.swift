import Foundation

/// Scores a multilabel task (``TaskMetric/multilabel``) as HEAR does: the mean over classes of
/// each class's average precision (macro mAP, hear-eval-kit's `mAP`, scikit-learn's
/// `average_precision_score(average="macro")`).
///
/// One probe per class, trained on "carries the class" against "does not" (one-vs-rest) with the
/// linear probe's two-class case, ``TaskEvaluation/score(splits:classes:metric:options:)``: a
/// softmax over two logits is logistic regression on their difference, which is the clip's
/// score for the class (averaged over its windows, as every clip score). This relabels the
/// embedded splits and calls the single-label probe, so it follows whatever solver that uses;
/// hear-eval-kit trains one network with a sigmoid per class instead.
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
        /// Mean over classes of the probes' validation accuracy (`nil`: no validation clips).
        public var validAccuracy: Double?
        /// Mean over classes of the epoch each probe kept, rounded.
        public var bestEpoch: Int
        /// Mean over classes of the epochs each probe ran, rounded.
        public var epochs: Int
    }

    /// Embeds (or loads) `task` with `embedder` and scores it; the score's `averagePrecision` is
    /// the mAP, its `accuracy` ``Result/precisionAtOne``.
    public func run(_ task: TaskData, embedder: any ClipEmbedder) throws -> (score: ProbeScore, splits: [EmbeddedSplit]) {
        let embedded = try evaluation.embeddings(of: task, by: embedder)
        let started = Date()
        let result = Self.score(splits: embedded.splits, labelSets: [task.train, task.valid, task.test].map { $0.map(\.labels) },
                                classes: task.classNames.count, options: evaluation.settings.probe)
        let score = ProbeScore(
            accuracy: result.precisionAtOne, averagePrecision: result.meanAveragePrecision, validAccuracy: result.validAccuracy,
            bestEpoch: result.bestEpoch, epochs: result.epochs,
            embeddingSeconds: embedded.seconds, probeSeconds: Date().timeIntervalSince(started), cached: embedded.cached)
        return (score, embedded.splits)
    }

    /// Trains one two-class probe per class on `splits` (train, valid, test) whose clips carry
    /// `labelSets` (per split, per clip) and scores the test split.
    public static func score(splits: [EmbeddedSplit], labelSets: [[[Int]]], classes: Int, options: ProbeOptions) -> Result {
        precondition(splits.count == 3 && labelSets.count == 3 && zip(splits, labelSets).allSatisfy { $0.clipCount == $1.count },
                     "OneVsRestEvaluation: label sets must match the splits' clips")
        var margins = [[Float]](repeating: [], count: classes)
        var validAccuracies: [Double] = []
        var bestEpochs = 0
        var epochs = 0
        for target in 0..<classes {
            var binary = splits
            for split in 0..<3 {
                binary[split].labels = labelSets[split].map { Int32($0.contains(target) ? 1 : 0) }
            }
            let outcome = TaskEvaluation.score(splits: binary, classes: 2, metric: .detection, options: options)
            margins[target] = (0..<outcome.test.count).map { outcome.test.logits[2 * $0 + 1] - outcome.test.logits[2 * $0] }
            if let valid = outcome.training.validAccuracy { validAccuracies.append(valid) }
            bestEpochs += outcome.training.bestEpoch
            epochs += outcome.training.epochsRun
        }
        let scoredTestClips = splits[2].rowRanges.enumerated().filter { !$0.element.isEmpty }.map(\.offset)
        let ranking = rank(margins: margins, labelSets: scoredTestClips.map { labelSets[2][$0] })
        return Result(
            meanAveragePrecision: ranking.meanAveragePrecision, averagePrecisions: ranking.averagePrecisions,
            precisionAtOne: ranking.precisionAtOne,
            validAccuracy: validAccuracies.isEmpty ? nil : validAccuracies.reduce(0, +) / Double(validAccuracies.count),
            bestEpoch: classes > 0 ? Int((Double(bestEpochs) / Double(classes)).rounded()) : 0,
            epochs: classes > 0 ? Int((Double(epochs) / Double(classes)).rounded()) : 0)
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
