import ColaCore
import ColaModel
import ColaTensor
import Foundation

/// Steady-state training-step throughput of one process on synthetic log-mel input: forward of
/// 2·batch segments (anchors and positives in one batch), bilinear contrastive loss, backward and
/// Adam; a clip is one anchor + positive pair. What `cola bench train` runs beside the peers.
public struct ModelStepBenchmark: Sendable {
    /// Time of one layer type in a profiled step.
    public struct LayerTiming: Codable, Sendable {
        public var layer: String
        public var seconds: Double
        public var calls: Int
        /// Fraction of the profiled step.
        public var share: Double
        /// Achieved GFLOP/s, for layers whose work is counted (convolutions).
        public var gflopsPerSecond: Double?

        enum CodingKeys: String, CodingKey {
            case layer, seconds, calls, share, gflopsPerSecond = "gflops_per_s"
        }
    }

    /// One measurement.
    public struct Result: Codable, Sendable {
        public var encoder: String
        public var batch: Int
        public var segmentsPerStep: Int
        public var threads: Int
        public var steps: Int
        public var medianStepSeconds: Double
        public var minStepSeconds: Double
        public var clipsPerSecond: Double
        public var peakRSSMiB: Double
        public var activationArenaMiB: Double
        public var finalLoss: Float
        public var oneDNNVersion: String
        public var instructionSet: String
        public var blasCore: String
        /// The small CNN's convolution plan, or EfficientNet-B0's fixed one.
        public var compute: String
        /// GFLOP/s of the head-sized GEMM (`2·batch × 512 × 1280`) on oneDNN and OpenBLAS.
        public var gemmGFLOPs: [String: Double]
        /// Per layer type, longest first; empty unless profiled.
        public var layers: [LayerTiming]
        public var loadAverage: String

        enum CodingKeys: String, CodingKey {
            case encoder, batch, segmentsPerStep = "segments_per_step", threads, steps
            case medianStepSeconds = "median_step_seconds", minStepSeconds = "min_step_seconds"
            case clipsPerSecond = "clips_per_second", peakRSSMiB = "peak_rss_mib", activationArenaMiB = "activation_arena_mib"
            case finalLoss = "final_loss", oneDNNVersion = "onednn", instructionSet = "isa", blasCore = "blas_core", compute
            case gemmGFLOPs = "gemm_gflops_per_s", layers, loadAverage = "load_average"
        }
    }

    public let encoder: EncoderKind
    /// How the small CNN's convolutions compute.
    public let convolution: ConvolutionChoice
    public let batch: Int
    public let threads: Int
    public let steps: Int
    public let warmup: Int
    /// Also time one profiled step per layer type (timer overhead in that step only).
    public let profile: Bool

    public init(encoder: EncoderKind, convolution: ConvolutionChoice = .auto, batch: Int, threads: Int, steps: Int, warmup: Int,
                profile: Bool) {
        precondition(batch >= 1 && threads >= 1 && steps >= 1 && warmup >= 0, "benchmark sizes must be positive")
        self.encoder = encoder
        self.convolution = convolution
        self.batch = batch
        self.threads = threads
        self.steps = steps
        self.warmup = warmup
        self.profile = profile
    }

    /// Runs the warm-up and timed steps (and the profiled step) on `threads` threads.
    ///
    /// - Throws: ``ReferenceKernelError`` when a computation of the first step runs oneDNN's
    ///   reference loops (a figure of those would describe a misconfiguration, not Cola), and
    ///   ``ConvolutionPlanError`` for Winograd on a CPU without it.
    public func run() throws -> Result {
        OneDNN.setThreadCount(threads)
        BLAS.setThreadCount(threads)
        let plan = try ConvolutionPlan.resolve(convolution)
        let model = ContrastiveModel(ModelConfiguration(encoder: encoder), plan: plan, seed: 1)
        let adam = Adam(count: model.parameters.count)
        var generator = SeededGenerator.stream(seed: 2, stream: 0)
        let segments = 2 * batch
        let input = FloatBuffer((0..<(segments * 96 * 64)).map { _ in generator.nextUniform() * 8 - 10 })
        let embeddingGradient = FloatBuffer(count: segments * 512)

        func step() throws -> ContrastiveLossResult {
            model.zeroGradients()
            let e = try model.embed(input.pointer, count: segments, mode: .training(dropConnectSeed: UInt64(adam.step)))
            let loss = model.loss.compute(anchors: e.baseAddress!, anchorCount: batch, positives: e.baseAddress! + batch * 512,
                                          positiveCount: batch, positiveOffset: 0, divisor: Float(batch),
                                          weight: model.similarityWeight, weightGradient: model.similarityGradient,
                                          anchorGradient: embeddingGradient.pointer,
                                          positiveGradient: embeddingGradient.pointer + batch * 512)
            try model.backward(embeddingGradient: embeddingGradient.pointer)
            adam.update(parameters: model.parameterValues.pointer, gradients: model.gradients.pointer)
            return loss
        }

        _ = try step()
        try model.requireFastKernels()
        for _ in 1..<max(warmup, 1) { _ = try step() }
        var times: [Double] = []
        var last = ContrastiveLossResult(loss: 0, correct: 0, rows: 0)
        for _ in 0..<steps {
            let (seconds, loss) = try BenchmarkClock.timed(step)
            times.append(seconds)
            last = loss
        }
        times.sort()
        let median = times[times.count / 2]
        return Result(
            encoder: encoder.rawValue, batch: batch, segmentsPerStep: segments, threads: threads, steps: steps,
            medianStepSeconds: median, minStepSeconds: times[0], clipsPerSecond: Double(batch) / median,
            peakRSSMiB: TrainingThroughputBenchmark.peakResidentMegabytes(),
            activationArenaMiB: Double(model.activationMemoryFloats * 4) / 1_048_576, finalLoss: last.loss,
            oneDNNVersion: OneDNN.version, instructionSet: OneDNN.instructionSet, blasCore: BLAS.coreName,
            compute: encoder == .smallCNN ? plan.description : "direct convolutions on channels_last maps",
            gemmGFLOPs: Self.headGEMM(rows: segments), layers: profile ? try profiledLayers(model, step) : [],
            loadAverage: BenchmarkClock.loadAverages)
    }

    /// One more step with a ``LayerProfile`` attached; what the profile does not see (residual
    /// adds, drop-connect, loss, Adam, weight reorders) is reported as one row.
    private func profiledLayers(_ model: ContrastiveModel, _ step: () throws -> ContrastiveLossResult) throws -> [LayerTiming] {
        let profile = LayerProfile()
        model.profile = profile
        defer { model.profile = nil }
        let (total, _) = try BenchmarkClock.timed(step)
        let measured = profile.entries.values.reduce(0) { $0 + $1.seconds }
        var rows = [LayerTiming(layer: "unprofiled (residual, drop-connect, loss, Adam, reorders of W)",
                                seconds: total - measured, calls: 1, share: (total - measured) / total)]
        for (name, entry) in profile.entries {
            rows.append(LayerTiming(layer: name, seconds: entry.seconds, calls: entry.calls, share: entry.seconds / total,
                                    gflopsPerSecond: entry.flops > 0 ? entry.flops / entry.seconds / 1e9 : nil))
        }
        return rows.sorted { $0.seconds > $1.seconds }
    }

    /// GFLOP/s of the head-sized GEMM on oneDNN and OpenBLAS, best of interleaved calls (robust
    /// to other load on the machine); Cola uses oneDNN's.
    static func headGEMM(rows: Int) -> [String: Double] {
        let k = 1280, n = 512
        let a = FloatBuffer(count: rows * k), b = FloatBuffer(count: n * k), c = FloatBuffer(count: rows * n)
        var best: [String: Double] = ["onednn": .infinity, "openblas": .infinity]
        for _ in 0..<20 {
            for (name, backend) in [("onednn", Matrix.Backend.oneDNN), ("openblas", .openBLAS)] {
                let (seconds, _) = BenchmarkClock.timed {
                    Matrix.multiply(backend, transposeB: true, m: rows, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: k,
                                    c: c.pointer, ldc: n)
                }
                best[name] = min(best[name]!, seconds)
            }
        }
        return best.mapValues { 2 * Double(rows * n * k) / $0 / 1e9 }
    }

}
