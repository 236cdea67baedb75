import ColaTensor

extension Encoder {
    /// The small CNN: 4 × [conv 3×3 'same' (no bias), BN + ReLU + max-pool 2×2 (one fused layer)] with
    /// 64, 128, 256, 512 channels, then global max pool over time × mel → 512 features.
    ///
    /// Maps are kept in the channel blocks of `convolution` from the first convolution on: blocks of
    /// 16 on AVX-512, where the other three run as Winograd F(4×4, 3×3) convolutions (2.2–2.6× faster
    /// than direct ones on every pass, `cola bench conv`, rounding error of the order of 1e-6
    /// relative); blocks of 8 on AVX2, oneDNN's native layout there, with Cola's own Winograd
    /// F(4×4, 3×3) (``WinogradConv2D``) when the plan says so.
    static func makeSmallCNN(convolution: ConvolutionPlan, table: inout ParameterTable,
                             buffers: inout ParameterTable) -> Encoder {
        var stages: [[Layer]] = []
        var offsets: [Int] = []
        var convolutions: [ConvolutionLayer] = []
        var channels = 1
        let scratch = NormalizedScratch()
        let winogradWorkspace = WinogradWorkspace()
        for (i, out) in [64, 128, 256, 512].enumerated() {
            offsets.append(table.count)
            let name = "encoder.blocks.\(i).conv.weight"
            let conv: ConvolutionLayer = channels > 1 && convolution.algorithm == .colaWinograd
                ? WinogradConv2D(name, inputChannels: channels, outputChannels: out, workspace: winogradWorkspace, table: &table)
                : Conv2D(name, inputChannels: channels, outputChannels: out, kernel: 3, storage: convolution.storage,
                         algorithm: channels > 1 && convolution.algorithm == .oneDNNWinograd ? .winograd : .direct, table: &table)
            convolutions.append(conv)
            var stage: [Layer] = [conv, BatchNormReLUMaxPool("encoder.blocks.\(i).bn", channels: out, scratch: scratch,
                                                                     table: &table, buffers: &buffers)]
            if i == 3 { stage.append(GlobalMaxPool()) }
            stages.append(stage)
            channels = out
        }
        return Encoder(kind: .smallCNN, stages: stages, stageOffsets: offsets, featureCount: 512, inputScale: 1,
                       convolutions: convolutions)
    }
}
