import ColaDistributed
import ColaModel
import Foundation

/// ``BatchStatisticsReduction`` over the job's ranks: a blocking sum-allreduce of each batch-norm
/// layer's per-channel sums (`model.batch_norm: sync`).
///
/// Ranks call it in the same layer order, interleaved with the gradient buckets' nonblocking
/// allreduces, which MPI allows as long as every rank issues the collectives in the same order.
public final class CommunicatorStatisticsReduction: BatchStatisticsReduction {
    public let communicator: Communicator
    /// Seconds spent in the allreduces since the last ``takeSeconds()``.
    private var seconds = 0.0

    public init(communicator: Communicator) {
        self.communicator = communicator
    }

    public func sum(_ values: UnsafeMutableBufferPointer<Float>) throws {
        let start = DispatchTime.now()
        try communicator.allreduce(values, operator: .sum)
        seconds += Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// The time spent reducing since the last call, and restarts the count.
    public func takeSeconds() -> Double {
        defer { seconds = 0 }
        return seconds
    }
}
