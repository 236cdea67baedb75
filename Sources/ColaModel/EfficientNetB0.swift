import ColaTensor

extension Encoder {
    /// One stage of MBConv blocks: (expand ratio, kernel, stride, output filters, repeats), Keras `DEFAULT_BLOCKS_ARGS`.
    private static let efficientNetStages: [(expand: Int, kernel: Int, stride: Int, filters: Int, repeats: Int)] = [
        (1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
        (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1),
    ]
    /// Keras `drop_connect_rate`: block j drops with rate 0.2·j/16.
    static let efficientNetDropConnectRate: Float = 0.2

    /// EfficientNet-B0 as `tf.keras.applications.EfficientNetB0(include_top=False, weights=None, pooling='max')`
    /// on a 1-channel input: stem conv 3×3/2 (32) + BN + swish, 16 MBConv blocks, top conv 1×1 (1280)
    /// + BN + swish, global max pool; every BN followed by swish is one ``BatchNormSwish``. The input
    /// is first multiplied by 1/255 (Keras's `Rescaling`; its un-adapted `Normalization` is the identity).
    static func makeEfficientNetB0(table: inout ParameterTable, buffers: inout ParameterTable) -> Encoder {
        var stages: [[Layer]] = []
        var offsets: [Int] = []
        var convolutions: [Conv2D] = []

        offsets.append(table.count)
        let stem = Conv2D("encoder.stem.conv.weight", inputChannels: 1, outputChannels: 32, kernel: 3, stride: 2, table: &table)
        convolutions.append(stem)
        stages.append([stem, BatchNormSwish("encoder.stem.bn", channels: 32, table: &table, buffers: &buffers)])

        let total = efficientNetStages.reduce(0) { $0 + $1.repeats }
        var inputFilters = 32
        var j = 0
        for spec in efficientNetStages {
            for r in 0..<spec.repeats {
                offsets.append(table.count)
                let block = MBConvBlock(index: j, name: "encoder.blocks.\(j)", inputFilters: inputFilters, outputFilters: spec.filters,
                                        expandRatio: spec.expand, kernel: spec.kernel, stride: r == 0 ? spec.stride : 1,
                                        dropRate: efficientNetDropConnectRate * Float(j) / Float(total),
                                        table: &table, buffers: &buffers)
                convolutions += block.convolutions
                stages.append([block])
                inputFilters = spec.filters
                j += 1
            }
        }

        offsets.append(table.count)
        let top = Conv2D("encoder.top.conv.weight", inputChannels: inputFilters, outputChannels: 1280, kernel: 1, table: &table)
        convolutions.append(top)
        stages.append([top, BatchNormSwish("encoder.top.bn", channels: 1280, table: &table, buffers: &buffers), GlobalMaxPool()])
        return Encoder(kind: .efficientNetB0, stages: stages, stageOffsets: offsets, featureCount: 1280, inputScale: 1 / 255,
                       convolutions: convolutions)
    }
}
