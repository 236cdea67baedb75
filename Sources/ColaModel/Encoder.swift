import ColaTensor

/// The encoder families of the reference (`model.encoder`).
public enum EncoderKind: String, Codable, Sendable, CaseIterable {
    /// Keras EfficientNet-B0 (`include_top=False, pooling='max'`) on a 1-channel 96×64 log-mel,
    /// 1280 features.
    case efficientNetB0 = "efficientnet_b0"
    /// 4 × [conv 3×3, BN, ReLU, max-pool 2] with 64…512 channels, global max pool, 512 features.
    case smallCNN = "cnn"
}

/// An encoder as a list of stages (stem, blocks, top); each stage is a short chain of layers.
///
/// Stages are the unit of memory reuse (see ``RunContext``) and of gradient readiness: after a
/// stage's backward its parameters' gradients are final.
final class Encoder {
    let kind: EncoderKind
    let stages: [[Layer]]
    /// First parameter offset of each stage.
    let stageOffsets: [Int]
    /// Features per clip after the global pool.
    let featureCount: Int
    /// Factor the input is multiplied by first (Keras EfficientNet's `Rescaling(1/255)`; 1 for the CNN).
    let inputScale: Float
    /// Every convolution, for FLOP counts.
    let convolutions: [ConvolutionLayer]

    init(kind: EncoderKind, stages: [[Layer]], stageOffsets: [Int], featureCount: Int, inputScale: Float, convolutions: [ConvolutionLayer]) {
        self.kind = kind
        self.stages = stages
        self.stageOffsets = stageOffsets
        self.featureCount = featureCount
        self.inputScale = inputScale
        self.convolutions = convolutions
    }

    /// Builds the encoder of `kind`, registering its parameters and batch-norm buffers.
    static func make(_ kind: EncoderKind, convolution: ConvolutionPlan, table: inout ParameterTable,
                     buffers: inout ParameterTable) -> Encoder {
        switch kind {
        case .efficientNetB0: return makeEfficientNetB0(table: &table, buffers: &buffers)
        case .smallCNN: return makeSmallCNN(convolution: convolution, table: &table, buffers: &buffers)
        }
    }

    /// Input `[N, 1, 96, 64]` → features `[N, featureCount]` (as a 1×1 map).
    func forward(_ input: UnsafePointer<Float>, batch: Int, height: Int, width: Int, _ run: RunContext) throws -> FeatureMap {
        var x = run.featureMap(batch: batch, channels: 1, height: height, width: width)
        ChannelKernels.scale(input, by: inputScale, into: x.pointer, count: x.count)
        for stage in stages {
            run.beginForwardBlock()
            for layer in stage { x = try run.forward(layer, x) }
        }
        return x
    }

    /// Backward from the feature gradient; `onStageFinished(offset)` after each stage, in reverse order.
    func backward(_ dy: FeatureMap, _ run: RunContext, onStageFinished: (Int) -> Void) throws {
        var g = dy
        for (s, stage) in stages.enumerated().reversed() {
            run.beginBackwardBlock()
            for (l, layer) in stage.enumerated().reversed() {
                let first = s == 0 && l == 0
                if let next = try run.backward(layer, g, inputGradient: !first, input: (layer as? ConvolutionLayer)?.lastInput) { g = next }
            }
            onStageFinished(stageOffsets[s])
        }
    }
}
