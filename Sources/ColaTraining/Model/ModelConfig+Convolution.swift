import ColaTensor

extension ModelConfig {
    /// The model core's convolution algorithm for `convolution`.
    public var convolutionAlgorithm: OneDNNConvolutionAlgorithm { convolution == .winograd ? .winograd : .direct }
}
