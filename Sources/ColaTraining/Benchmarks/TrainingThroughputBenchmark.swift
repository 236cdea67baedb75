import ColaDistributed
import ColaTensor
import Foundation

/// Data-parallel training throughput on synthetic log-mel input (no loader, no disk): the
/// model's forward + backward, the gradient allreduce and Adam, per rank at a fixed local batch.
///
/// Run it at 1 and 2 ranks with 1 thread each; scaling efficiency is
/// `clips/s(2 ranks) / (2 × clips/s(1 rank))`.
public struct TrainingThroughputBenchmark: Sendable {
    /// One measurement.
    public struct Result: Codable, Sendable {
        public var encoder: String
        public var ranks: Int
        public var threadsPerRank: Int
        public var localBatch: Int
        /// Clips per GradCache recomputation chunk; 0 when the batch runs at once.
        public var chunkSize: Int
        public var steps: Int
        /// Global clips (anchor + positive) per second.
        public var clipsPerSecond: Double
        /// Mean per step: all communication, and the part backward did not hide.
        public var commMs: Double
        public var exposedCommMs: Double
        public var stepMs: Double
        public var peakRSSMegabytes: Double

        enum CodingKeys: String, CodingKey {
            case encoder, ranks, threadsPerRank = "threads_per_rank", localBatch = "local_batch", chunkSize = "chunk_size", steps
            case clipsPerSecond = "clips_per_s", commMs = "comm_ms", exposedCommMs = "exposed_comm_ms"
            case stepMs = "step_ms", peakRSSMegabytes = "peak_rss_mb"
        }
    }

    public let config: RunConfig
    public let localBatch: Int
    public let steps: Int

    public init(config: RunConfig, localBatch: Int, steps: Int) {
        self.config = config
        self.localBatch = localBatch
        self.steps = steps
    }

    /// A collective: every rank runs `steps` timed steps after one warm-up step.
    public func run(communicator: Communicator) throws -> Result {
        let threads = ThreadPlan(configured: config.training.threadsPerRank)
        threads.apply()
        let model = try ColaPairModel(config: config, capabilities: try ConvolutionCapabilities.host.common(across: communicator),
                                      communicator: communicator)
        try communicator.broadcast(model.parameters, root: 0)
        let optimizer = AdamOptimizer(count: model.parameterTable.count, learningRate: config.training.learningRate, weightDecay: 0)
        let chunk = config.training.chunkSize
        let step = ContrastiveStep(model: model, communicator: communicator, negatives: config.training.negatives,
                                   chunkSize: chunk > 0 ? chunk : nil, bucketMegabytes: config.training.bucketMegabytes)
        var random = UInt64(communicator.rank + 1) &* 0x9E37_79B9_7F4A_7C15
        func next() -> Float {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(random >> 40) / Float(1 << 24) * 8 - 10  // log-mel-like range
        }
        let values = localBatch * model.segmentLength
        let batch = StepBatch(anchors: (0..<values).map { _ in next() }, positives: (0..<values).map { _ in next() },
                              clips: localBatch, itemIDs: Array(0..<localBatch))
        var comm = 0.0
        var exposed = 0.0
        var elapsed = 0.0
        for index in 0...steps {
            try communicator.barrier()
            let (stepSeconds, outcome) = try BenchmarkClock.timed {
                let outcome = try step.run(batch, seed: UInt64(index))
                optimizer.step(parameters: model.parameters, gradients: UnsafeBufferPointer(model.gradients), learningRate: 1e-4)
                return outcome
            }
            var seconds = [stepSeconds]
            try communicator.allreduce(&seconds, operator: .max)
            if index > 0 {
                elapsed += seconds[0]
                comm += outcome.communicationSeconds
                exposed += outcome.exposedCommunicationSeconds
            }
        }
        var totals = [comm, exposed, Self.peakResidentMegabytes()]
        try communicator.allreduce(&totals, operator: .max)
        let global = Double(localBatch * communicator.size * steps)
        return Result(encoder: config.model.encoder.rawValue, ranks: communicator.size, threadsPerRank: threads.threads,
                      localBatch: localBatch, chunkSize: chunk, steps: steps, clipsPerSecond: global / elapsed,
                      commMs: totals[0] / Double(steps) * 1000, exposedCommMs: totals[1] / Double(steps) * 1000,
                      stepMs: elapsed / Double(steps) * 1000, peakRSSMegabytes: totals[2])
    }

    /// `VmHWM` of this process in MB.
    public static func peakResidentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kilobytes / 1024
    }
}
