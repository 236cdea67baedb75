/// How a forward pass runs: which batch-norm statistics, whether activations are kept for a
/// backward pass, and whether drop-connect is applied.
public struct ForwardMode: Sendable, Equatable {
    /// Batch-norm statistics a forward pass normalizes with.
    public enum Statistics: Sendable, Equatable {
        /// Statistics of the current batch (training).
        case batch
        /// The running statistics (inference, or training with frozen statistics).
        case running
    }

    /// Which statistics batch normalization uses.
    public var statistics: Statistics
    /// Whether batch-statistics passes update the running statistics (momentum 0.99).
    public var updatesRunningStatistics: Bool
    /// Whether activations are kept so that ``ContrastiveModel/backward(embeddingGradient:onGradientsFinal:)`` can run.
    public var keepsActivations: Bool
    /// Seed of the per-sample drop-connect masks; `nil` skips drop-connect (deterministic).
    public var dropConnectSeed: UInt64?

    public init(statistics: Statistics, updatesRunningStatistics: Bool, keepsActivations: Bool, dropConnectSeed: UInt64?) {
        self.statistics = statistics
        self.updatesRunningStatistics = updatesRunningStatistics
        self.keepsActivations = keepsActivations
        self.dropConnectSeed = dropConnectSeed
    }

    /// Training: batch statistics (running statistics updated), activations kept; drop-connect
    /// from `dropConnectSeed`, or none when `nil`.
    public static func training(dropConnectSeed: UInt64?) -> ForwardMode {
        ForwardMode(statistics: .batch, updatesRunningStatistics: true, keepsActivations: true, dropConnectSeed: dropConnectSeed)
    }

    /// Training with frozen batch norm: running statistics, no update, activations kept, no drop-connect.
    public static let frozenStatistics = ForwardMode(
        statistics: .running, updatesRunningStatistics: false, keepsActivations: true, dropConnectSeed: nil)

    /// Evaluation: running statistics, nothing kept, no drop-connect.
    public static let inference = ForwardMode(
        statistics: .running, updatesRunningStatistics: false, keepsActivations: false, dropConnectSeed: nil)

    /// GradCache pass 1: the training forward (batch statistics, same drop-connect) without keeping
    /// activations and without touching the running statistics (pass 3 recomputes and updates them).
    public static func forwardOnly(dropConnectSeed: UInt64?) -> ForwardMode {
        ForwardMode(statistics: .batch, updatesRunningStatistics: false, keepsActivations: false, dropConnectSeed: dropConnectSeed)
    }
}
