import ColaTensor

/// How the small CNN's 3×3 convolutions should compute (`model.convolution` in a run config).
public enum ConvolutionChoice: String, Codable, Sendable, CaseIterable {
    /// Winograd where this CPU's oneDNN has it, else direct convolutions in its native channel blocks.
    case auto
    /// Winograd F(4×4, 3×3) (oneDNN 2.6: AVX-512 only); a CPU without it is an error.
    case winograd
    /// Direct convolutions, closest to PyTorch's arithmetic.
    case direct
}

/// The small CNN's convolution algorithm and the storage of its maps on one CPU, decided once from a
/// ``ConvolutionChoice`` and the ``ConvolutionCapabilities`` every rank shares.
///
/// The weights do not depend on the plan (they stay in PyTorch layout), so a checkpoint trained
/// with one plan resumes or is evaluated with another; only rounding differs (Winograd ≈1e-6 relative).
public struct ConvolutionPlan: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Direct or Winograd (the first layer, with one input channel, is always direct).
    public var algorithm: OneDNNConvolutionAlgorithm
    /// Blocks of 8 or 16 channels, from the first convolution on.
    public var storage: FeatureStorage

    public init(algorithm: OneDNNConvolutionAlgorithm, storage: FeatureStorage) {
        precondition(storage.channelBlock != nil, "the small CNN keeps its maps in channel blocks")
        precondition(algorithm == .direct || storage == .blocks16, "Winograd needs blocks of 16 channels")
        self.algorithm = algorithm
        self.storage = storage
    }

    /// Winograd on blocks of 16 channels.
    public static let winograd = ConvolutionPlan(algorithm: .winograd, storage: .blocks16)

    /// Direct convolutions in the channel blocks of `capabilities`.
    public static func direct(on capabilities: ConvolutionCapabilities = .host) -> ConvolutionPlan {
        ConvolutionPlan(algorithm: .direct, storage: .blocks(of: capabilities.channelBlock))
    }

    /// Direct convolutions in this CPU's channel blocks.
    public static var direct: ConvolutionPlan { direct() }

    /// The fastest plan `capabilities` allow: Winograd where available (2.2–2.6× faster than direct
    /// on AVX-512, `cola bench conv`), else direct.
    public static func automatic(on capabilities: ConvolutionCapabilities = .host) -> ConvolutionPlan {
        capabilities.winograd ? .winograd : .direct(on: capabilities)
    }

    /// The plan for `choice` on `capabilities`.
    ///
    /// - Throws: ``ConvolutionPlanError`` when `choice` is Winograd and the CPU has none.
    public static func resolve(_ choice: ConvolutionChoice, on capabilities: ConvolutionCapabilities = .host) throws -> ConvolutionPlan {
        switch choice {
        case .auto: return automatic(on: capabilities)
        case .direct: return direct(on: capabilities)
        case .winograd:
            guard capabilities.winograd else { throw ConvolutionPlanError(capabilities: capabilities) }
            return .winograd
        }
    }

    /// The plan for scoring a checkpoint trained with `choice`: as trained where this CPU can run it,
    /// else the automatic plan (the weights are the same; only rounding differs).
    public static func forEvaluation(_ choice: ConvolutionChoice, on capabilities: ConvolutionCapabilities = .host) -> ConvolutionPlan {
        (try? resolve(choice, on: capabilities)) ?? automatic(on: capabilities)
    }

    public var description: String {
        "\(algorithm == .winograd ? "Winograd" : "direct") convolutions on \(storage.rawValue) maps"
    }
}

/// `model.convolution: winograd` on a CPU whose oneDNN has no Winograd kernel.
public struct ConvolutionPlanError: Error, CustomStringConvertible {
    /// What the job's CPUs offer.
    public let capabilities: ConvolutionCapabilities

    public var description: String {
        "model.convolution: winograd needs oneDNN's Winograd kernel, which oneDNN \(OneDNN.version) has only for AVX-512 "
            + "(avx512_core); this job's CPU runs \(capabilities.instructionSet). Use model.convolution: auto (picks direct "
            + "convolutions in blocks of \(capabilities.channelBlock) channels here) or direct."
    }
}
