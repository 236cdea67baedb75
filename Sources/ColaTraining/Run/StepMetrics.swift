import Foundation

/// One line of `metrics.jsonl`: the global view of a step, summed over ranks.
public struct StepMetrics: Codable, Sendable, Equatable {
    public var step: Int
    /// Global-batch loss (sum of the per-rank shares).
    public var loss: Double
    /// Contrastive top-1 accuracy over the global batch.
    public var top1: Double
    public var lr: Double
    /// Global clips per second of wall time for this step.
    public var clipsPerSecond: Double
    /// Mean over ranks of the time spent waiting for data.
    public var dataWaitMs: Double
    /// Mean over ranks of the time spent in communication calls.
    public var commMs: Double
    /// Mean over ranks of communication not hidden behind backward.
    public var exposedCommMs: Double
    public var stepMs: Double
    /// Global sample index after this step.
    public var dataPosition: Int
    public var epoch: Int
    /// The step's global item ids in rank order (only with `--log-items`).
    public var items: [Int]?

    enum CodingKeys: String, CodingKey {
        case step, loss, top1, lr, clipsPerSecond = "clips_per_s", dataWaitMs = "data_wait_ms", commMs = "comm_ms"
        case exposedCommMs = "exposed_comm_ms", stepMs = "step_ms", dataPosition = "data_position", epoch, items
    }

    /// The JSON line.
    public func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// The rank-0 progress line: `step 120/1000  loss 3.1416  top1 41.2%  182.3 clips/s  ETA 0:12:03`.
public func progressLine(_ metrics: StepMetrics, totalSteps: Int, secondsPerStep: Double) -> String {
    let remaining = Int((Double(totalSteps - metrics.step) * secondsPerStep).rounded())
    let eta = String(format: "%d:%02d:%02d", remaining / 3600, remaining / 60 % 60, remaining % 60)
    return String(format: "step %d/%d  loss %.4f  top1 %.1f%%  %.1f clips/s  data-wait %.0f ms  comm %.0f ms  ETA ",
                  metrics.step, totalSteps, metrics.loss, metrics.top1 * 100, metrics.clipsPerSecond,
                  metrics.dataWaitMs, metrics.commMs) + eta
}
