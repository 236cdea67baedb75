import ColaTensor

/// Global max pooling over time × mel: `[N, C, H, W]` → `[N, C, 1, 1]` (Keras `GlobalMaxPooling2D`).
final class GlobalMaxPool: Layer {
    private var input: FeatureMap?
    private var positions: [Int32] = []

    func forward(_ x: FeatureMap, _ run: RunContext) throws -> FeatureMap {
        let y = run.featureMap(batch: x.batch, channels: x.channels, height: 1, width: 1)
        if positions.count < x.batch * x.channels { positions = [Int32](repeating: 0, count: x.batch * x.channels) }
        positions.withUnsafeMutableBufferPointer { at in
            ChannelKernels.globalMaxPool(x.pointer, batch: x.batch, spatial: x.spatial, channels: x.channels,
                                         into: y.pointer, positions: at.baseAddress!)
        }
        input = x
        return y
    }

    func backward(_ dy: FeatureMap, _ run: RunContext, inputGradient: Bool) throws -> FeatureMap? {
        guard inputGradient else { return nil }
        guard let x = input else { preconditionFailure("global max pool: backward before forward") }
        let dx = run.gradientMap(like: x)
        positions.withUnsafeBufferPointer { at in
            ChannelKernels.globalMaxPoolBackward(dy.pointer, positions: at.baseAddress!, batch: x.batch, spatial: x.spatial,
                                                 channels: x.channels, into: dx.pointer)
        }
        return dx
    }
}
