import ColaTensor

/// A layer of an encoder: a forward pass that remembers what its backward pass needs, and a
/// backward pass that accumulates (`+=`) into the gradient buffer.
///
/// Activations are ``FeatureMap``s in the run's arenas, channels-last or in channel blocks (see
/// ``FeatureStorage``); the memory a layer remembers stays valid until the next forward pass.
protocol Layer: AnyObject {
    /// Computes the output for `x`.
    func forward(_ x: FeatureMap, _ run: RunContext) throws -> FeatureMap
    /// Accumulates parameter gradients from `dy` (the gradient of the last forward's output) and
    /// returns the gradient of the input when `inputGradient` is true.
    func backward(_ dy: FeatureMap, _ run: RunContext, inputGradient: Bool) throws -> FeatureMap?
    /// The oneDNN computations (not reorders) this layer has created so far, for checking which
    /// implementation oneDNN picked for each.
    var primitives: [OneDNNPrimitive] { get }
}

extension Layer {
    /// A layer of Cola's own kernels creates no oneDNN primitive.
    var primitives: [OneDNNPrimitive] { [] }
}

/// A convolution layer (oneDNN's or Cola's Winograd), for FLOP counts in profiles.
protocol ConvolutionLayer: Layer {
    /// Kernel height and width.
    var kernel: Int { get }
    /// The input of the last forward.
    var lastInput: FeatureMap? { get }
    /// Multiply-adds of a direct convolution's forward pass over maps of this size.
    func forwardMultiplyAdds(batch: Int, height: Int, width: Int) -> Int
}
