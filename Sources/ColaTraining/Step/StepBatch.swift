/// One rank's clips for one step: `clips` anchors and `clips` positives, each a contiguous block
/// of `clips × segmentLength` floats (row-major `[clip][frames][bands]`), same clip order.
public struct StepBatch: Sendable {
    public var anchors: [Float]
    public var positives: [Float]
    public var clips: Int
    /// Which clips were used: global item ids (manifest indices), for logs and tests.
    public var itemIDs: [Int]
    /// Seconds the trainer waited for this batch.
    public var waitSeconds: Double
    /// Inputs skipped or flagged while assembling it, per reason (missing, corrupt, padded, …).
    public var skipped: [String: Int]

    public init(anchors: [Float], positives: [Float], clips: Int, itemIDs: [Int], waitSeconds: Double = 0, skipped: [String: Int] = [:]) {
        precondition(anchors.count == positives.count && anchors.count % max(clips, 1) == 0, "StepBatch: anchors and positives differ")
        self.anchors = anchors
        self.positives = positives
        self.clips = clips
        self.itemIDs = itemIDs
        self.waitSeconds = waitSeconds
        self.skipped = skipped
    }

    /// The encoder input for clips `range`: their anchors followed by their positives, one batch
    /// of `2 × range.count` segments (batch-norm statistics cover both, as the reference).
    public func encoderInput(_ range: Range<Int>, segmentLength: Int) -> [Float] {
        let from = range.lowerBound * segmentLength
        let to = range.upperBound * segmentLength
        return Array(anchors[from..<to]) + Array(positives[from..<to])
    }
}

/// Where a rank's step batches come from.
public protocol StepBatchSource: AnyObject {
    /// This rank's clips of the global batch that starts at global sample index `position`.
    func batch(position: Int) throws -> StepBatch
}
