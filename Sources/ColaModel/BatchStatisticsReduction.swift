/// Sums per-channel batch-norm quantities over every process that holds a part of one batch, so
/// that batch norm normalizes with the statistics of the whole batch (`model.batch_norm: sync`).
///
/// ColaModel knows nothing of MPI: the trainer implements this over its communicator (an
/// allreduce) and passes it to ``ContrastiveModel/embed(_:count:mode:frames:bands:statisticsReduction:)``
/// for a step. Each batch-norm layer calls ``sum(_:)`` twice in a batch-statistics forward (the
/// mean, then the variance about it) and once in its backward (Σg and Σg·x̂), in layer order, so
/// every process must run the same layers on the same number of chunks.
public protocol BatchStatisticsReduction: AnyObject {
    /// Replaces each element of `values` by its sum over all processes sharing the batch.
    func sum(_ values: UnsafeMutableBufferPointer<Float>) throws
}

/// The arithmetic of synchronized batch norm over a ``BatchStatisticsReduction``.
///
/// Forward: each process's per-channel mean μᵣ and biased variance σᵣ² over its nᵣ positions
/// become those of all N = Σnᵣ positions: μ = Σnᵣμᵣ / N, σ² = Σnᵣ(σᵣ² + (μᵣ − μ)²) / N (Chan et
/// al.'s pairwise update, without the cancellation of E[x²] − μ²). Backward: Σg and Σg·x̂ are summed.
struct SynchronizedBatchStatistics {
    let reduction: BatchStatisticsReduction

    /// Replaces this process's `mean` and biased `variance` over `count` positions by those of
    /// every process's positions; returns the total number of positions.
    func combine(mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>, channels: Int, count: Int) throws -> Int {
        let n = Float(count)
        var weighted = [Float](repeating: 0, count: channels + 1)
        for c in 0..<channels { weighted[c] = n * mean[c] }
        weighted[channels] = n
        try weighted.withUnsafeMutableBufferPointer { try reduction.sum($0) }
        let total = weighted[channels]
        var spread = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            let global = weighted[c] / total
            let offset = mean[c] - global
            spread[c] = n * (variance[c] + offset * offset)
            mean[c] = global
        }
        try spread.withUnsafeMutableBufferPointer { try reduction.sum($0) }
        for c in 0..<channels { variance[c] = spread[c] / total }
        return Int(total.rounded())
    }

    /// Sums `first` and `second` (`channels` each, e.g. Σg and Σg·x̂ of a backward) over the
    /// processes, in one reduction (Double sums travel as Float).
    func sum<T: BinaryFloatingPoint>(_ first: UnsafeMutablePointer<T>, _ second: UnsafeMutablePointer<T>, channels: Int) throws {
        var both = [Float](repeating: 0, count: 2 * channels)
        for c in 0..<channels {
            both[c] = Float(first[c])
            both[channels + c] = Float(second[c])
        }
        try both.withUnsafeMutableBufferPointer { try reduction.sum($0) }
        for c in 0..<channels {
            first[c] = T(both[c])
            second[c] = T(both[channels + c])
        }
    }
}
