import ColaTensor

/// Squeeze-and-excitation as Keras EfficientNet: global average pool → 1×1 conv (bias) → swish →
/// 1×1 conv (bias) → sigmoid → multiply the input channel-wise.
///
/// The 1×1 convolutions on a 1×1 map are dense layers; their weights keep the PyTorch conv shape
/// `[out, in, 1, 1]`, which is the same memory as a dense `[out, in]` matrix.
final class SqueezeExcite: Layer {
    let reduceWeight: ParameterEntry
    let reduceBias: ParameterEntry
    let expandWeight: ParameterEntry
    let expandBias: ParameterEntry
    let channels: Int
    let squeezed: Int

    private var input: FeatureMap?
    private var pooled: UnsafeMutablePointer<Float>?
    private var reduced: UnsafeMutablePointer<Float>?
    private var activated: UnsafeMutablePointer<Float>?
    private var gates: UnsafeMutablePointer<Float>?

    init(_ name: String, channels: Int, squeezed: Int, table: inout ParameterTable) {
        self.channels = channels
        self.squeezed = squeezed
        reduceWeight = table.register("\(name).reduce.weight", shape: [squeezed, channels, 1, 1])
        reduceBias = table.register("\(name).reduce.bias", shape: [squeezed])
        expandWeight = table.register("\(name).expand.weight", shape: [channels, squeezed, 1, 1])
        expandBias = table.register("\(name).expand.bias", shape: [channels])
    }

    func forward(_ x: FeatureMap, _ run: RunContext) throws -> FeatureMap {
        precondition(x.storage == .channelsLast, "squeeze-excite needs channels-last maps")
        let n = x.batch
        let p = run.activation(n * channels), r = run.activation(n * squeezed)
        let h = run.activation(n * squeezed), s = run.activation(n * channels)
        ChannelKernels.globalAveragePool(x.pointer, batch: n, spatial: x.spatial, channels: channels, into: p)
        DenseMath.forward(p, rows: n, inputs: channels, outputs: squeezed, weight: run.parameters + reduceWeight.offset,
                          bias: run.parameters + reduceBias.offset, into: r)
        for i in 0..<(n * squeezed) { h[i] = r[i] * DenseMath.sigmoid(r[i]) }
        DenseMath.forward(h, rows: n, inputs: squeezed, outputs: channels, weight: run.parameters + expandWeight.offset,
                          bias: run.parameters + expandBias.offset, into: s)
        for i in 0..<(n * channels) { s[i] = DenseMath.sigmoid(s[i]) }
        let y = run.featureMap(batch: n, channels: channels, height: x.height, width: x.width)
        ChannelKernels.scaleChannels(x.pointer, by: s, batch: n, spatial: x.spatial, channels: channels, into: y.pointer)
        input = x
        pooled = p
        reduced = r
        activated = h
        gates = s
        return y
    }

    func backward(_ dy: FeatureMap, _ run: RunContext, inputGradient: Bool) throws -> FeatureMap? {
        guard let x = input, let p = pooled, let r = reduced, let h = activated, let s = gates else {
            preconditionFailure("\(reduceWeight.name): backward before forward")
        }
        let n = x.batch
        let dx = run.gradientMap(like: x)
        let dz = run.gradient(n * channels), dh = run.gradient(n * squeezed), dp = run.gradient(n * channels)
        ChannelKernels.spatialDotProducts(dy.pointer, x.pointer, batch: n, spatial: x.spatial, channels: channels, into: dz)
        for i in 0..<(n * channels) { dz[i] *= s[i] * (1 - s[i]) }
        DenseMath.backward(dz, x: h, rows: n, inputs: squeezed, outputs: channels, weight: run.parameters + expandWeight.offset,
                           weightGradient: run.gradients + expandWeight.offset, biasGradient: run.gradients + expandBias.offset,
                           dx: dh)
        for i in 0..<(n * squeezed) {
            let sigma = DenseMath.sigmoid(r[i])
            dh[i] *= sigma * (1 + r[i] * (1 - sigma))
        }
        DenseMath.backward(dh, x: p, rows: n, inputs: channels, outputs: squeezed, weight: run.parameters + reduceWeight.offset,
                           weightGradient: run.gradients + reduceWeight.offset, biasGradient: run.gradients + reduceBias.offset,
                           dx: dp)
        let inverseSpatial = 1 / Float(x.spatial)
        for i in 0..<(n * channels) { dp[i] *= inverseSpatial }
        ChannelKernels.scaleChannelsAndShift(dy.pointer, factors: s, shift: dp, batch: n, spatial: x.spatial, channels: channels,
                                             into: dx.pointer)
        return dx
    }
}
