import ColaCore
import ColaTensor

/// EfficientNet's inverted-residual block, as Keras `efficientnet.block`:
/// [1×1 expand conv, BN, swish] (when expand ratio ≠ 1) → k×k depthwise conv (stride s), BN, swish →
/// squeeze-excite → 1×1 project conv, BN → (stride 1 and in = out) per-sample drop-connect + residual.
/// Each BN + swish pair is one fused ``BatchNormSwish``.
///
/// Drop-connect is Keras `Dropout(rate, noise_shape=(None, 1, 1, 1))`: each sample's branch is
/// kept with probability 1 − rate and then scaled by 1/(1 − rate).
final class MBConvBlock: Layer {
    let index: Int
    let expand: [Layer]
    let depthwise: [Layer]
    let squeezeExcite: SqueezeExcite
    let project: [Layer]
    let hasResidual: Bool
    let dropRate: Float
    /// First parameter of the block in the flat buffer.
    let firstParameterOffset: Int
    let convolutions: [Conv2D]

    private var input: FeatureMap?
    private var factors: [Float] = []

    init(index: Int, name: String, inputFilters: Int, outputFilters: Int, expandRatio: Int, kernel: Int, stride: Int,
         dropRate: Float, table: inout ParameterTable, buffers: inout ParameterTable) {
        self.index = index
        firstParameterOffset = table.count
        let filters = inputFilters * expandRatio
        var convolutions: [Conv2D] = []
        if expandRatio != 1 {
            let conv = Conv2D("\(name).expand.conv.weight", inputChannels: inputFilters, outputChannels: filters, kernel: 1, table: &table)
            convolutions.append(conv)
            expand = [conv, BatchNormSwish("\(name).expand.bn", channels: filters, table: &table, buffers: &buffers)]
        } else {
            expand = []
        }
        let dw = Conv2D("\(name).depthwise.conv.weight", inputChannels: filters, outputChannels: filters, kernel: kernel,
                        stride: stride, depthwise: true, table: &table)
        convolutions.append(dw)
        depthwise = [dw, BatchNormSwish("\(name).depthwise.bn", channels: filters, table: &table, buffers: &buffers)]
        squeezeExcite = SqueezeExcite("\(name).se", channels: filters, squeezed: max(1, inputFilters / 4), table: &table)
        let pc = Conv2D("\(name).project.conv.weight", inputChannels: filters, outputChannels: outputFilters, kernel: 1, table: &table)
        convolutions.append(pc)
        project = [pc, BatchNorm("\(name).project.bn", channels: outputFilters, table: &table, buffers: &buffers)]
        hasResidual = stride == 1 && inputFilters == outputFilters
        self.dropRate = dropRate
        self.convolutions = convolutions
    }

    private var layers: [Layer] { expand + depthwise + [squeezeExcite] + project }

    var primitives: [OneDNNPrimitive] { layers.flatMap(\.primitives) }

    func forward(_ x: FeatureMap, _ run: RunContext) throws -> FeatureMap {
        var y = x
        for layer in layers { y = try run.forward(layer, y) }
        input = x
        guard hasResidual else { return y }
        let out = run.featureMap(batch: y.batch, channels: y.channels, height: y.height, width: y.width)
        if let seed = run.mode.dropConnectSeed, dropRate > 0 {
            makeFactors(seed: seed, batch: x.batch)
            factors.withUnsafeBufferPointer { f in
                ChannelKernels.scaleSamples(y.pointer, by: f.baseAddress!, batch: y.batch, sampleSize: y.count / y.batch, into: out.pointer)
            }
            ChannelKernels.accumulate(x.pointer, into: out.pointer, count: out.count)
        } else {
            factors = []
            ChannelKernels.add(y.pointer, x.pointer, into: out.pointer, count: out.count)
        }
        return out
    }

    func backward(_ dy: FeatureMap, _ run: RunContext, inputGradient: Bool) throws -> FeatureMap? {
        var g = dy
        if hasResidual && !factors.isEmpty {
            let scaled = run.gradientMap(like: dy)
            factors.withUnsafeBufferPointer { f in
                ChannelKernels.scaleSamples(dy.pointer, by: f.baseAddress!, batch: dy.batch, sampleSize: dy.count / dy.batch,
                                            into: scaled.pointer)
            }
            g = scaled
        }
        for layer in layers.reversed() {
            guard let next = try run.backward(layer, g, inputGradient: true, input: (layer as? ConvolutionLayer)?.lastInput) else { preconditionFailure("block \(index): no input gradient") }
            g = next
        }
        if hasResidual { ChannelKernels.accumulate(dy.pointer, into: g.pointer, count: g.count) }
        return g
    }

    /// Per-sample factors 0 or 1/(1 − rate), from (seed, block, sample).
    private func makeFactors(seed: UInt64, batch: Int) {
        var generator = SeededGenerator.stream(seed: seed, stream: UInt64(index))
        let keep = 1 - dropRate
        factors = (0..<batch).map { _ in generator.nextUniform() >= dropRate ? 1 / keep : 0 }
    }
}
