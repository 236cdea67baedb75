import ColaTensor
import Foundation

/// How many BLAS/oneDNN threads a rank runs: the config's `threads_per_rank`, or the node's
/// cores divided among the ranks on that node (Open MPI's `OMPI_COMM_WORLD_LOCAL_SIZE`).
public struct ThreadPlan: Sendable, Equatable {
    public let threads: Int
    /// Where the number came from, for the log.
    public let reason: String

    public init(configured: Int, environment: [String: String] = ProcessInfo.processInfo.environment,
                cores: Int = ProcessInfo.processInfo.activeProcessorCount) {
        if configured > 0 {
            threads = configured
            reason = "training.threads_per_rank"
            return
        }
        let local = environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init)
            ?? environment["SLURM_NTASKS_PER_NODE"].flatMap(Int.init) ?? 1
        threads = max(1, cores / max(1, local))
        reason = "\(cores) cores / \(local) rank(s) on this node"
    }

    /// Sets OpenBLAS's and oneDNN's (OpenMP) thread counts for this process.
    public func apply() {
        BLAS.setThreadCount(threads)
        OneDNN.setThreadCount(threads)
    }
}
