import ColaCore
import Foundation

/// The protocol settings shared by every task of a run: the same defaults for `cola eval` and
/// for `cola pretrain`'s transfer suite.
public struct EvaluationProtocol: Sendable, Hashable, Codable {
    /// Random 1 s windows embedded per training clip; each is one training row of the probe.
    public var trainWindowsPerClip = 4
    /// Seeds the training windows' positions.
    public var windowSeed: UInt64 = 0
    /// The probe's settings.
    public var probe = ProbeOptions()
    /// Few-shot: train on this many clips per class drawn from the training split (seeded by
    /// ``ProbeOptions/seed``), with `C` chosen by cross-validation on them (never on the
    /// validation split); `nil` trains on every training clip.
    public var shots: Int?
    /// Few-shot draws, each scored; the score is their mean, with their standard deviation.
    public var draws = 1
    /// Bootstrap resamples of the test clips for each score's 95% interval.
    public var bootstrapResamples = 1000
    /// Keep at most this many training clips per task (deterministic choice), `nil` for all.
    public var maxTrainClips: Int?
    /// Keep at most this many test clips per task (deterministic choice), `nil` for all.
    public var maxTestClips: Int?
    /// Crops per embedder call.
    public var embeddingBatch = 64
    /// A task fails when more than this fraction of the clips it lists are missing, empty or
    /// undecodable; fewer are skipped, counted and named (``TaskData/skipped``).
    public var maxBadFraction = 0.05

    /// The default protocol.
    public init() {}

    /// A hash of every setting, for `scores.csv`.
    public var hash: String {
        let grid = probe.grid.map { "\($0)" }.joined(separator: ",")
        return StableHash.hex("w\(trainWindowsPerClip) s\(windowSeed) lbfgs g\(grid) sel\(probe.selection.rawValue) f\(probe.folds) m\(probe.minimumClipsForCrossValidation) c\(probe.fixedRegularization) "
            + "t\(probe.tolerance) i\(probe.maxIterations) ps\(probe.seed) k\(shots ?? -1) d\(draws) bs\(bootstrapResamples) mt\(maxTrainClips ?? -1) me\(maxTestClips ?? -1)")
    }

    /// Draws actually scored: one unless few-shot.
    var drawCount: Int { shots == nil ? 1 : max(draws, 1) }

    /// What the training windows depend on, part of the cache key.
    var windowing: String { "crop\(CropGeometry.samples) train\(trainWindowsPerClip)x seed\(windowSeed) eval-whole-windows-v2 relative-crop-seeds" }
}

/// What fitting the probe gave on a task's embeddings: per draw the chosen probe and its test
/// clip scores, and the combined ``ProbeScore``.
public struct ProbeEvaluation: Sendable {
    /// One draw (the only one unless few-shot).
    public struct Draw: Sendable {
        /// The chosen `C` and the probe fitted at it.
        public let search: RegularizationSearch.Outcome
        /// The test clips' scores.
        public let test: ClipScores
        /// Training clips the probe saw.
        public let trainClips: Int
    }

    /// The draws, in order.
    public let draws: [Draw]
    /// Their combined score, with intervals (no timing).
    public let score: ProbeScore
}

/// Embeds a task's splits with one embedder (or reads them from the cache), fits the probe and
/// scores the test split.
public struct TaskEvaluation {
    /// The run's protocol.
    public let settings: EvaluationProtocol
    /// The embedding cache.
    public let cache: EmbeddingCache

    /// An evaluation with `settings`, caching in `cache`.
    public init(settings: EvaluationProtocol, cache: EmbeddingCache) {
        self.settings = settings
        self.cache = cache
    }

    /// The task's three splits embedded by `embedder`: from the cache when present.
    public func embeddings(of task: TaskData, by embedder: any ClipEmbedder) throws -> (splits: [EmbeddedSplit], cached: Bool, seconds: Double) {
        let key = EmbeddingCache.key(task: task, embedderIdentity: embedder.identity, windowing: settings.windowing)
        if let stored = cache.load(task: task.name, key: key), stored.count == 3, stored.allSatisfy({ $0.width == embedder.width }) {
            return (stored, true, 0)
        }
        let started = Date()
        let embedding = SplitEmbedding(embedder: embedder, batchSize: settings.embeddingBatch)
        let splits = [
            try embedding.embed(task.train, windows: .random(count: settings.trainWindowsPerClip, seed: settings.windowSeed, root: task.clipRoot)),
            try embedding.embed(task.valid, windows: .consecutive),
            try embedding.embed(task.test, windows: .consecutive),
        ]
        try cache.store(splits, task: task.name, key: key)
        return (splits, false, Date().timeIntervalSince(started))
    }

    /// Fits the probe on embedded splits (train, valid, test) and scores the test split: per
    /// draw, standardize with the training rows' statistics, choose `C`, fit, score the test
    /// clips; then the mean over draws and the bootstrap intervals.
    public static func score(splits: [EmbeddedSplit], classes: Int, metric: TaskMetric, settings: EvaluationProtocol) -> ProbeEvaluation {
        let draws = (0..<settings.drawCount).map { draw -> ProbeEvaluation.Draw in
            var train = splits[0]
            var valid = splits[1]
            var test = splits[2]
            if let shots = settings.shots {
                train = train.keepingClips(FewShotDraw.clips(of: train, classes: classes, shots: shots, seed: settings.probe.seed, draw: draw))
                valid = EmbeddedSplit(width: train.width)
            }
            let standardizer = Standardizer(fitting: train.rows, width: train.width)
            train.rows = standardizer.apply(train.rows)
            valid.rows = standardizer.apply(valid.rows)
            test.rows = standardizer.apply(test.rows)
            let search = RegularizationSearch.run(train: train, valid: valid, classes: classes, options: settings.probe)
            let scores = ClipScores(rowLogits: search.fit.probe.logits(test.rows, count: test.rowCount), split: test, classCount: classes)
            return ProbeEvaluation.Draw(search: search, test: scores, trainClips: train.scoredClipCount)
        }
        return ProbeEvaluation(draws: draws, score: combinedScore(draws, metric: metric, settings: settings))
    }

    /// Mean over draws, spread across draws, and bootstrap intervals over the test clips (the
    /// same clips in every draw, so one resample scores every draw on the same clips).
    private static func combinedScore(_ draws: [ProbeEvaluation.Draw], metric: TaskMetric, settings: EvaluationProtocol) -> ProbeScore {
        let accuracies = draws.map(\.test.accuracy)
        var score = ProbeScore(accuracy: mean(accuracies))
        let clipCount = draws[0].test.count
        let correct = draws.map(\.test.correct)
        let correctShare = (0..<clipCount).map { clip in mean(correct.map { $0[clip] ? 1 : 0 }) }
        score.accuracyInterval = BootstrapInterval.percentile95(count: clipCount, resamples: settings.bootstrapResamples, seed: settings.probe.seed) { indices in
            indices.reduce(0) { $0 + correctShare[$1] } / Double(indices.count)
        }
        if draws.count > 1 {
            score.drawAccuracies = accuracies
            score.accuracyStandardDeviation = standardDeviation(accuracies)
        }
        if metric == .detection {
            let margins = draws.map { $0.test.margins(positive: 1) }
            let positives = draws[0].test.labels.map { $0 == 1 }
            score.averagePrecision = mean(margins.map { ClipScores.averagePrecision(margins: $0, positives: positives, of: Array(0..<clipCount)) })
            score.averagePrecisionInterval = BootstrapInterval.percentile95(count: clipCount, resamples: settings.bootstrapResamples, seed: settings.probe.seed) { indices in
                mean(margins.map { ClipScores.averagePrecision(margins: $0, positives: positives, of: indices) })
            }
        }
        score.selection = draws[0].search.method.description
        let heldOut = draws.compactMap(\.search.heldOutAccuracy)
        score.selectionAccuracy = heldOut.isEmpty ? nil : mean(heldOut)
        score.regularization = draws.map(\.search.fit.regularization)
        score.iterations = draws.map(\.search.fit.iterations).max()
        score.converged = draws.allSatisfy(\.search.fit.converged)
        return score
    }

    /// Embeds (or loads) and scores `task` with `embedder`.
    public func run(_ task: TaskData, embedder: any ClipEmbedder) throws -> (score: ProbeScore, splits: [EmbeddedSplit], evaluation: ProbeEvaluation) {
        let embedded = try embeddings(of: task, by: embedder)
        let started = Date()
        let evaluation = Self.score(splits: embedded.splits, classes: task.classNames.count, metric: task.metric, settings: settings)
        var score = evaluation.score
        score.embeddingSeconds = embedded.seconds
        score.probeSeconds = Date().timeIntervalSince(started)
        score.cached = embedded.cached
        return (score, embedded.splits, evaluation)
    }

    private static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    /// Sample standard deviation (n − 1).
    private static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let center = mean(values)
        return (values.reduce(0) { $0 + ($1 - center) * ($1 - center) } / Double(values.count - 1)).squareRoot()
    }
}
