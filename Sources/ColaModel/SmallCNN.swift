import ColaTensor

extension Encoder {
    /// The small CNN: 4 × [conv 3×3 'same' (no bias), BN + ReLU (fused), max-pool 2×2] with 64, 128,
    /// 256, 512 channels, then global max pool over time × mel → 512 features.
    static func makeSmallCNN(table: inout ParameterTable, buffers: inout ParameterTable) -> Encoder {
        var stages: [[Layer]] = []
        var offsets: [Int] = []
        var convolutions: [Conv2D] = []
        var channels = 1
        for (i, out) in [64, 128, 256, 512].enumerated() {
            offsets.append(table.count)
            let conv = Conv2D("encoder.blocks.\(i).conv.weight", inputChannels: channels, outputChannels: out, kernel: 3, table: &table)
            convolutions.append(conv)
            var stage: [Layer] = [conv, BatchNorm("encoder.blocks.\(i).bn", channels: out, fusedReLU: true, table: &table, buffers: &buffers),
                                  MaxPool2D()]
            if i == 3 { stage.append(GlobalMaxPool()) }
            stages.append(stage)
            channels = out
        }
        return Encoder(kind: .smallCNN, stages: stages, stageOffsets: offsets, featureCount: 512, inputScale: 1,
                       convolutions: convolutions)
    }
}
