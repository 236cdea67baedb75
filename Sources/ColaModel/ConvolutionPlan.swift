import ColaTensor

/// How the small CNN's 3×3 convolutions should compute (`model.convolution` in a run config).
public enum ConvolutionChoice: String, Codable, Sendable, CaseIterable {
    /// Winograd where one runs (see ``ConvolutionPlan/winograd(on:)``), else direct convolutions in
    /// the CPU's native channel blocks.
    case auto
    /// Winograd F(4×4, 3×3): oneDNN's on AVX-512, Cola's on blocks of 8 channels (AVX2).
    case winograd
    /// Direct convolutions, closest to PyTorch's arithmetic.
    case direct
}

/// How the small CNN's 3×3 convolutions after the first compute.
public enum ConvolutionAlgorithm: String, Sendable, Codable {
    /// oneDNN's direct convolution.
    case direct
    /// oneDNN's Winograd F(4×4, 3×3) on blocks of 16 channels (oneDNN 2.6: AVX-512 only).
    case oneDNNWinograd = "winograd"
    /// Cola's own Winograd F(4×4, 3×3) on blocks of 8 channels (``WinogradConvolution``), for CPUs
    /// whose oneDNN has none.
    case colaWinograd = "cola_winograd"
}

/// The small CNN's convolution algorithm and the storage of its maps on one CPU, decided once from a
/// ``ConvolutionChoice`` and the ``ConvolutionCapabilities`` every rank shares.
///
/// The weights do not depend on the plan (they stay in PyTorch layout), so a checkpoint trained
/// with one plan resumes or is evaluated with another; only rounding differs (Winograd ≈1e-6 relative).
public struct ConvolutionPlan: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Direct or Winograd (the first layer, with one input channel, is always direct).
    public var algorithm: ConvolutionAlgorithm
    /// Blocks of 8 or 16 channels, from the first convolution on.
    public var storage: FeatureStorage

    public init(algorithm: ConvolutionAlgorithm, storage: FeatureStorage) {
        precondition(storage.channelBlock != nil, "the small CNN keeps its maps in channel blocks")
        precondition(algorithm != .oneDNNWinograd || storage == .blocks16, "oneDNN's Winograd needs blocks of 16 channels")
        precondition(algorithm != .colaWinograd || storage == .blocks8, "Cola's Winograd takes blocks of 8 channels")
        self.algorithm = algorithm
        self.storage = storage
    }

    /// oneDNN's Winograd on blocks of 16 channels.
    public static let oneDNNWinograd = ConvolutionPlan(algorithm: .oneDNNWinograd, storage: .blocks16)
    /// Cola's Winograd on blocks of 8 channels.
    public static let colaWinograd = ConvolutionPlan(algorithm: .colaWinograd, storage: .blocks8)

    /// Direct convolutions in the channel blocks of `capabilities`.
    public static func direct(on capabilities: ConvolutionCapabilities = .host) -> ConvolutionPlan {
        ConvolutionPlan(algorithm: .direct, storage: .blocks(of: capabilities.channelBlock))
    }

    /// Direct convolutions in this CPU's channel blocks.
    public static var direct: ConvolutionPlan { direct() }

    /// Winograd on `capabilities`: oneDNN's where it has one (2.2–2.6× faster than direct on
    /// AVX-512, `cola bench conv`), else Cola's on blocks of 8; nil on blocks of 16 without oneDNN's.
    public static func winograd(on capabilities: ConvolutionCapabilities = .host) -> ConvolutionPlan? {
        if capabilities.winograd { return .oneDNNWinograd }
        return capabilities.channelBlock == 8 ? .colaWinograd : nil
    }

    /// The fastest plan `capabilities` allow: Winograd (see ``winograd(on:)``), else direct.
    public static func automatic(on capabilities: ConvolutionCapabilities = .host) -> ConvolutionPlan {
        winograd(on: capabilities) ?? .direct(on: capabilities)
    }

    /// The plan for `choice` on `capabilities`.
    ///
    /// - Throws: ``ConvolutionPlanError`` when `choice` is Winograd and neither oneDNN's nor Cola's runs here.
    public static func resolve(_ choice: ConvolutionChoice, on capabilities: ConvolutionCapabilities = .host) throws -> ConvolutionPlan {
        switch choice {
        case .auto: return automatic(on: capabilities)
        case .direct: return direct(on: capabilities)
        case .winograd:
            guard let plan = winograd(on: capabilities) else { throw ConvolutionPlanError(capabilities: capabilities) }
            return plan
        }
    }

    /// The plan for scoring a checkpoint trained with `choice`: as trained where this CPU can run it,
    /// else the automatic plan (the weights are the same; only rounding differs).
    public static func forEvaluation(_ choice: ConvolutionChoice, on capabilities: ConvolutionCapabilities = .host) -> ConvolutionPlan {
        (try? resolve(choice, on: capabilities)) ?? automatic(on: capabilities)
    }

    public var description: String {
        switch algorithm {
        case .direct: return "direct convolutions on \(storage.rawValue) maps"
        case .oneDNNWinograd: return "Winograd convolutions (oneDNN) on \(storage.rawValue) maps"
        case .colaWinograd: return "Winograd convolutions (Cola's) on \(storage.rawValue) maps"
        }
    }
}

/// `model.convolution: winograd` on CPUs with oneDNN's 16-channel blocks but not its Winograd
/// kernel, where Cola's Winograd (blocks of 8) does not fit either.
public struct ConvolutionPlanError: Error, CustomStringConvertible {
    /// What the job's CPUs offer.
    public let capabilities: ConvolutionCapabilities

    public var description: String {
        "model.convolution: winograd has no kernel here: oneDNN \(OneDNN.version) has Winograd only for avx512_core, and "
            + "Cola's own takes blocks of 8 channels, while this job's CPU (\(capabilities.instructionSet)) runs blocks of "
            + "\(capabilities.channelBlock). Use model.convolution: auto or direct."
    }
}
