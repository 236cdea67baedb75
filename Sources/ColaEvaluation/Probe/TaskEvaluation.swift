import ColaCore
import Foundation

/// The protocol settings shared by every task of a run.
public struct EvaluationProtocol: Sendable, Hashable, Codable {
    /// Random 1 s windows embedded per training clip; each probe epoch uses one of them.
    public var trainWindowsPerClip = 4
    /// Seeds the training windows' positions.
    public var windowSeed: UInt64 = 0
    /// The probe's settings.
    public var probe = ProbeOptions()
    /// Keep at most this many training clips per task (deterministic choice), `nil` for all.
    public var maxTrainClips: Int?
    /// Keep at most this many test clips per task (deterministic choice), `nil` for all.
    public var maxTestClips: Int?
    /// Crops per embedder call.
    public var embeddingBatch = 64
    /// A task fails when more than this fraction of the clips it lists are missing, empty or
    /// undecodable; fewer are skipped, counted and named (``TaskData/skipped``).
    public var maxBadFraction = 0.05

    /// The reference's protocol with four cached windows per training clip.
    public init() {}

    /// A hash of every setting, for `scores.csv`.
    public var hash: String {
        StableHash.hex("w\(trainWindowsPerClip) s\(windowSeed) lr\(probe.learningRate) b\(probe.batchSize) e\(probe.maxEpochs) p\(probe.patience) ps\(probe.seed) mt\(maxTrainClips ?? -1) me\(maxTestClips ?? -1)")
    }

    /// What the training windows depend on, part of the cache key.
    var windowing: String { "crop\(CropGeometry.samples) train\(trainWindowsPerClip)x seed\(windowSeed) eval-whole-windows-v2 relative-crop-seeds" }
}

/// One embedder's score on one task.
public struct ProbeScore: Sendable, Codable, Equatable {
    /// Test accuracy (clip level).
    public var accuracy: Double
    /// Average precision of the positive class, for detection tasks.
    public var averagePrecision: Double?
    /// Validation accuracy at the chosen epoch (`nil`: no validation clips, last epoch kept).
    public var validAccuracy: Double?
    /// The epoch chosen.
    public var bestEpoch: Int
    /// Epochs run.
    public var epochs: Int
    /// Seconds spent embedding (0 when the cache had them).
    public var embeddingSeconds: Double
    /// Seconds spent training and scoring the probe.
    public var probeSeconds: Double
    /// Whether the embeddings came from the cache.
    public var cached: Bool

    /// A score with every field given.
    public init(accuracy: Double, averagePrecision: Double?, validAccuracy: Double?, bestEpoch: Int, epochs: Int,
                embeddingSeconds: Double, probeSeconds: Double, cached: Bool) {
        self.accuracy = accuracy
        self.averagePrecision = averagePrecision
        self.validAccuracy = validAccuracy
        self.bestEpoch = bestEpoch
        self.epochs = epochs
        self.embeddingSeconds = embeddingSeconds
        self.probeSeconds = probeSeconds
        self.cached = cached
    }
}

/// Embeds a task's splits with one embedder (or reads them from the cache), trains the probe and
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

    /// Trains the probe on embedded splits and scores the test split.
    public static func score(splits: [EmbeddedSplit], classes: Int, metric: TaskMetric, options: ProbeOptions) -> (accuracy: Double, averagePrecision: Double?, training: ProbeTrainingResult, test: ClipScores) {
        let standardizer = Standardizer(fitting: splits[0].rows, width: splits[0].width)
        var standardized = splits
        for index in standardized.indices { standardized[index].rows = standardizer.apply(splits[index].rows) }
        let training = ProbeTrainer.train(train: standardized[0], valid: standardized[1], classes: classes, options: options)
        let test = standardized[2]
        let scores = ClipScores(rowLogits: training.probe.logits(test.rows, count: test.rowCount), split: test, classCount: classes)
        let averagePrecision = metric == .detection ? scores.averagePrecision(positive: 1) : nil
        return (scores.accuracy, averagePrecision, training, scores)
    }

    /// Embeds (or loads) and scores `task` with `embedder`.
    public func run(_ task: TaskData, embedder: any ClipEmbedder) throws -> (score: ProbeScore, splits: [EmbeddedSplit]) {
        let embedded = try embeddings(of: task, by: embedder)
        let started = Date()
        let result = Self.score(splits: embedded.splits, classes: task.classNames.count, metric: task.metric, options: settings.probe)
        let score = ProbeScore(
            accuracy: result.accuracy, averagePrecision: result.averagePrecision,
            validAccuracy: result.training.validAccuracy, bestEpoch: result.training.bestEpoch, epochs: result.training.epochsRun,
            embeddingSeconds: embedded.seconds, probeSeconds: Date().timeIntervalSince(started), cached: embedded.cached)
        return (score, embedded.splits)
    }
}
