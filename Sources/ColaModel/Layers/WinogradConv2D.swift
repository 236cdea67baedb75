import ColaTensor

/// A 3×3 'same' convolution, stride 1, no bias, on maps in blocks of 8 channels, computed by Cola's
/// Winograd F(4×4, 3×3) (``WinogradConvolution``): the small CNN's convolutions after the first on
/// CPUs whose oneDNN has no Winograd kernel (AVX2).
///
/// Weights live in the flat buffer in PyTorch layout `[out, in, 3, 3]` and are transformed every
/// pass. A training forward keeps its transformed input in the activation arena for the weight
/// gradient (36/16 of the input's size); after a forward that keeps nothing, the backward
/// transforms the input again.
final class WinogradConv2D: ConvolutionLayer {
    let weight: ParameterEntry
    let inputChannels: Int
    let outputChannels: Int
    let kernel = 3
    private let workspace: WinogradWorkspace
    private var input: FeatureMap?
    private var transformedInput: UnsafeMutablePointer<Float>?

    /// `workspace` is scratch shared with the network's other Winograd convolutions.
    init(_ name: String, inputChannels: Int, outputChannels: Int, workspace: WinogradWorkspace, table: inout ParameterTable) {
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.workspace = workspace
        weight = table.register(name, shape: [outputChannels, inputChannels, 3, 3])
    }

    var lastInput: FeatureMap? { input }

    func forwardMultiplyAdds(batch: Int, height: Int, width: Int) -> Int {
        batch * height * width * outputChannels * inputChannels * 9
    }

    func forward(_ x: FeatureMap, _ run: RunContext) throws -> FeatureMap {
        precondition(x.channels == inputChannels, "\(weight.name): input has \(x.channels) channels, expected \(inputChannels)")
        let y = run.featureMap(batch: x.batch, channels: outputChannels, height: x.height, width: x.width, storage: .blocks8)
        let transformed = run.activation(WinogradConvolution.transformedCount(x))
        WinogradConvolution.forward(x, keepingTransformedInputIn: transformed, weights: run.parameters + weight.offset, output: y,
                                    workspace: workspace)
        input = x
        transformedInput = run.mode.keepsActivations ? transformed : nil
        return y
    }

    func backward(_ dy: FeatureMap, _ run: RunContext, inputGradient: Bool) throws -> FeatureMap? {
        guard let x = input else { preconditionFailure("\(weight.name): backward before forward") }
        let transformed: UnsafeMutablePointer<Float>
        if let kept = transformedInput {
            transformed = kept
        } else {
            transformed = run.gradient(WinogradConvolution.transformedCount(x))
            WinogradConvolution.transformInput(x, into: transformed)
        }
        WinogradConvolution.accumulateWeightGradient(transformedInput: transformed, inputChannels: inputChannels, outputGradient: dy,
                                                     into: run.gradients + weight.offset, workspace: workspace)
        guard inputGradient else { return nil }
        let dx = run.gradientMap(like: x)
        WinogradConvolution.backwardData(outputGradient: dy, weights: run.parameters + weight.offset, inputGradient: dx,
                                         workspace: workspace)
        return dx
    }
}
