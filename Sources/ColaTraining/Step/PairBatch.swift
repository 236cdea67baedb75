/// One rank's clips for one step: `clips × 2 × segmentLength` floats (anchor, then positive, per clip).
public struct PairBatch: Sendable {
    public var pairs: [Float]
    public var clips: Int
    /// Global sample indices of the clips (position in the epoch-concatenated order).
    public var itemIDs: [Int]
    /// Seconds the trainer waited for this batch.
    public var waitSeconds: Double
    /// Inputs skipped while assembling it, per reason (corrupt, missing, …).
    public var skipped: [String: Int]

    public init(pairs: [Float], clips: Int, itemIDs: [Int], waitSeconds: Double = 0, skipped: [String: Int] = [:]) {
        self.pairs = pairs
        self.clips = clips
        self.itemIDs = itemIDs
        self.waitSeconds = waitSeconds
        self.skipped = skipped
    }

    /// The encoder input for clips `range`: their anchors followed by their positives.
    public func encoderInput(_ range: Range<Int>, segmentLength: Int) -> [Float] {
        var input = [Float](repeating: 0, count: range.count * 2 * segmentLength)
        pairs.withUnsafeBufferPointer { source in
            input.withUnsafeMutableBufferPointer { target in
                for (row, clip) in range.enumerated() {
                    for side in 0..<2 {
                        let from = (clip * 2 + side) * segmentLength
                        let to = (side * range.count + row) * segmentLength
                        (target.baseAddress! + to).update(from: source.baseAddress! + from, count: segmentLength)
                    }
                }
            }
        }
        return input
    }
}

/// Where a rank's step batches come from.
public protocol PairBatchSource: AnyObject {
    /// This rank's clips of the global batch that starts at global sample index `position`.
    func batch(position: Int) throws -> PairBatch
}
