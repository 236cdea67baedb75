import ColaModel
import ColaTensor

/// Which oneDNN implementation every computation of each encoder gets on this CPU, found by running
/// one small training step of each (what `cola doctor` prints).
public struct KernelReport: Sendable {
    /// One encoder's plan and its computations' implementations.
    public struct EncoderKernels: Sendable {
        public let encoder: EncoderKind
        /// The layouts and algorithms the encoder runs with.
        public let plan: String
        public let kernels: [KernelImplementation]
    }

    /// What this CPU's oneDNN runs natively.
    public let capabilities: ConvolutionCapabilities
    public let encoders: [EncoderKernels]

    /// Builds each encoder with the automatic plan and runs one training step on 4 segments of 32×32
    /// (the layouts and so the implementations are those of full-size segments, in a fraction of the time).
    public init(capabilities: ConvolutionCapabilities = .host) throws {
        self.capabilities = capabilities
        let plan = ConvolutionPlan.automatic(on: capabilities)
        encoders = try EncoderKind.allCases.map { encoder in
            let model = ContrastiveModel(ModelConfiguration(encoder: encoder), plan: plan, seed: 1)
            let segments = 4
            let input = (0..<(segments * 32 * 32)).map { Float(($0 * 7919) % 997) / 100 - 5 }
            let embeddings = try model.embed(input, count: segments, mode: .training(dropConnectSeed: nil), frames: 32, bands: 32)
            let gradient = [Float](repeating: 1e-3, count: embeddings.count)
            try model.backward(embeddingGradient: gradient)
            let description = encoder == .smallCNN ? plan.description : "direct convolutions on channels_last maps"
            return EncoderKernels(encoder: encoder, plan: description, kernels: model.kernelImplementations)
        }
    }

    /// Computations that run reference loops, over all encoders.
    public var referenceKernels: [(EncoderKind, KernelImplementation)] {
        encoders.flatMap { e in e.kernels.filter(\.isReference).map { (e.encoder, $0) } }
    }

    /// The report as lines: the capabilities, then per encoder its plan and each distinct
    /// (operation, implementation) pair with how many layers run it.
    public var lines: [String] {
        var lines = ["kernels:    \(capabilities)"]
        for encoder in encoders {
            lines.append("  \(encoder.encoder == .smallCNN ? "small CNN" : "EfficientNet-B0"): \(encoder.plan)")
            var counts: [String: Int] = [:]
            var order: [String] = []
            for kernel in encoder.kernels {
                let key = "\(kernel.operation): \(kernel.implementation)"
                if counts[key] == nil { order.append(key) }
                counts[key, default: 0] += 1
            }
            lines += order.map { "    \($0) ×\(counts[$0]!)" }
        }
        return lines
    }
}
