/// Per-reason tallies of what the loader skipped or flagged.
public struct LoaderCounts: Sendable, Equatable, Codable {
    /// Items skipped (and replaced), by reason.
    public var skipped: [SkipReason: Int] = [:]
    /// Clips shorter than one crop, padded and kept.
    public var padded = 0
    /// All-zero clips, kept.
    public var silent = 0

    /// Creates empty counts.
    public init() {}

    /// Skipped items over all reasons.
    public var totalSkipped: Int { skipped.values.reduce(0, +) }

    /// Adds `other` into these counts.
    public mutating func add(_ other: LoaderCounts) {
        for (reason, count) in other.skipped { skipped[reason, default: 0] += count }
        padded += other.padded
        silent += other.silent
    }

    /// `missing=1 unreadable=0 … padded=2 silent=0`, every reason listed, for the run log.
    public var summary: String {
        (SkipReason.allCases.map { "\($0.rawValue)=\(skipped[$0] ?? 0)" } + ["padded=\(padded)", "silent=\(silent)"])
            .joined(separator: " ")
    }
}

/// One step's ready input for one rank: `batchSize` anchors and `batchSize` positives, each a
/// contiguous block of row-major [batchSize][96][64] floats (model input NCHW [b, 1, 96, 64]).
///
/// Hand it back with ``PairBatchLoader/recycle(_:)`` when done so its buffers are reused.
public final class PairBatch: @unchecked Sendable {
    /// Pairs in the batch (this rank's share of the global batch).
    public let batchSize: Int
    /// Anchor log-mels, [batchSize][96][64].
    public internal(set) var anchors: [Float]
    /// Positive log-mels, [batchSize][96][64], same order as ``anchors``.
    public internal(set) var positives: [Float]
    /// The item (clip) index used in each slot, after replacing skipped items.
    public internal(set) var itemIndices: [Int]
    /// Global position at which this step starts.
    public internal(set) var globalPosition = 0
    /// Global position of the next step (save it in a checkpoint to resume).
    public internal(set) var nextPosition = 0
    /// Seconds ``PairBatchLoader/next()`` waited for this batch (0 when it was ready).
    public internal(set) var dataWaitSeconds = 0.0
    /// Skips and flags while this batch was built.
    public internal(set) var counts = LoaderCounts()

    init(batchSize: Int) {
        self.batchSize = batchSize
        anchors = [Float](repeating: 0, count: batchSize * PairSampler.valuesPerCrop)
        positives = [Float](repeating: 0, count: batchSize * PairSampler.valuesPerCrop)
        itemIndices = [Int](repeating: 0, count: batchSize)
    }
}
