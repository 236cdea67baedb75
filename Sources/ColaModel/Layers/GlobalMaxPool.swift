import ColaTensor

/// Global max pooling over time × mel: `[N, C, H, W]` → `[N, C, 1, 1]` (Keras `GlobalMaxPooling2D`).
///
/// Either storage of the input gives the same output memory: at one position, blocks of 16
/// channels are channels-last.
final class GlobalMaxPool: Layer {
    private var input: FeatureMap?
    private var positions: [Int32] = []

    func forward(_ x: FeatureMap, _ run: RunContext) throws -> FeatureMap {
        let y = run.featureMap(batch: x.batch, channels: x.channels, height: 1, width: 1)
        if positions.count < x.batch * x.channels { positions = [Int32](repeating: 0, count: x.batch * x.channels) }
        let planes = x.planes
        positions.withUnsafeMutableBufferPointer { at in
            ChannelKernels.globalMaxPool(planes.pointer, batch: planes.batch, spatial: planes.spatial, channels: planes.channels,
                                         into: y.pointer, positions: at.baseAddress!)
        }
        input = x
        return y
    }

    func backward(_ dy: FeatureMap, _ run: RunContext, inputGradient: Bool) throws -> FeatureMap? {
        guard inputGradient else { return nil }
        guard let x = input else { preconditionFailure("global max pool: backward before forward") }
        let dx = run.gradientMap(like: x)
        let planes = x.planes
        positions.withUnsafeBufferPointer { at in
            ChannelKernels.globalMaxPoolBackward(dy.pointer, positions: at.baseAddress!, batch: planes.batch, spatial: planes.spatial,
                                                 channels: planes.channels, into: dx.pointer)
        }
        return dx
    }
}
