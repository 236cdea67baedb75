import ColaTensor

/// Time and floating-point work per layer type, collected when a profile is attached to a model.
///
/// Used by `cola bench train` to report achieved GFLOP/s per layer type.
public final class LayerProfile {
    /// Accumulated figures of one category (e.g. `conv 3x3 forward`).
    public struct Entry: Sendable {
        public var seconds: Double = 0
        public var flops: Double = 0
        public var calls = 0
    }

    /// Figures by category.
    public private(set) var entries: [String: Entry] = [:]
    private let clock = ContinuousClock()

    public init() {}

    /// Forgets everything measured so far.
    public func reset() { entries = [:] }

    /// Runs `body`, charging its time and `flops` to `category`.
    func measure<T>(_ category: String, flops: Double = 0, _ body: () throws -> T) rethrows -> T {
        let start = clock.now
        let result = try body()
        let elapsed = clock.now - start
        var entry = entries[category] ?? Entry()
        entry.seconds += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        entry.flops += flops
        entry.calls += 1
        entries[category] = entry
        return result
    }
}

extension Layer {
    /// Category name for profiles.
    var profileCategory: String {
        switch self {
        case let conv as Conv2D:
            if conv.groups > 1 { return "depthwise \(conv.kernel)x\(conv.kernel)" }
            return "conv \(conv.kernel)x\(conv.kernel)\(conv.algorithm == .winograd ? " winograd" : "")"
        case is WinogradConv2D: return "conv 3x3 cola winograd"
        case let bn as BatchNorm: return bn.fusedReLU ? "batch norm + relu" : "batch norm"
        case is BatchNormSwish: return "batch norm + swish"
        case let activation as Activation: return "\(activation.function)"
        case is MaxPool2D: return "max pool"
        case is BatchNormReLUMaxPool: return "batch norm + relu + max pool"
        case is GlobalMaxPool: return "global max pool"
        case is SqueezeExcite: return "squeeze-excite"
        default: return "other"
        }
    }

    /// Floating-point operations of a forward over `x` (convolutions only; 0 for the rest). For
    /// Winograd, a direct convolution's: its GFLOP/s is the rate a direct one would need to match it.
    func forwardFlops(_ x: FeatureMap) -> Double {
        guard let conv = self as? ConvolutionLayer else { return 0 }
        return 2 * Double(conv.forwardMultiplyAdds(batch: x.batch, height: x.height, width: x.width))
    }
}

extension RunContext {
    /// Forward of `layer`, profiled when a profile is attached.
    func forward(_ layer: Layer, _ x: FeatureMap) throws -> FeatureMap {
        // A block's sub-layers are profiled one by one; its residual pass stays untimed.
        guard let profile, !(layer is MBConvBlock) else { return try layer.forward(x, self) }
        return try profile.measure("\(layer.profileCategory) forward", flops: layer.forwardFlops(x)) { try layer.forward(x, self) }
    }

    /// Backward of `layer`, profiled when a profile is attached (conv FLOPs: weights, plus data when asked).
    func backward(_ layer: Layer, _ dy: FeatureMap, inputGradient: Bool, input: FeatureMap?) throws -> FeatureMap? {
        guard let profile, !(layer is MBConvBlock) else { return try layer.backward(dy, self, inputGradient: inputGradient) }
        let flops = input.map { layer.forwardFlops($0) * (inputGradient ? 2 : 1) } ?? 0
        return try profile.measure("\(layer.profileCategory) backward", flops: flops) {
            try layer.backward(dy, self, inputGradient: inputGradient)
        }
    }
}
