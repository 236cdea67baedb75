/// What oneDNN runs with its JIT kernels on this CPU: the channel block its direct convolutions and
/// batch norm take natively, and whether it has Winograd convolutions.
///
/// Probed once per process by creating small primitives and reading the implementation oneDNN
/// picked (``OneDNNPrimitive/implementation``), so it follows the library actually loaded and its
/// ISA cap (`ONEDNN_MAX_CPU_ISA`), not a table of CPU names. oneDNN 2.6 takes blocks of 16 channels
/// on AVX-512 and of 8 on AVX2 (given 16 on AVX2 it silently falls back to its reference loops),
/// and implements Winograd F(4×4, 3×3) only on `avx512_core`.
public struct ConvolutionCapabilities: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Channels per block of the layout oneDNN's JIT kernels take: 16 or 8.
    public var channelBlock: Int
    /// Whether oneDNN has a non-reference Winograd convolution here.
    public var winograd: Bool
    /// oneDNN's effective ISA when probed (``OneDNN/instructionSet``).
    public var instructionSet: String

    public init(channelBlock: Int, winograd: Bool, instructionSet: String) {
        precondition(channelBlock == 8 || channelBlock == 16, "channel blocks are 8 or 16 wide, not \(channelBlock)")
        self.channelBlock = channelBlock
        self.winograd = winograd
        self.instructionSet = instructionSet
    }

    /// This process's CPU and oneDNN, probed on first use.
    public static let host: ConvolutionCapabilities = probe()

    /// What a job whose ranks report `self` and `other` can run on all of them: the narrower
    /// channel block, Winograd only where both have it.
    public func common(with other: ConvolutionCapabilities) -> ConvolutionCapabilities {
        ConvolutionCapabilities(channelBlock: min(channelBlock, other.channelBlock), winograd: winograd && other.winograd,
                                instructionSet: instructionSet == other.instructionSet ? instructionSet
                                    : "\(instructionSet) and \(other.instructionSet)")
    }

    public var description: String {
        "oneDNN ISA \(instructionSet): channel blocks of \(channelBlock), oneDNN Winograd \(winograd ? "available" : "not available")"
    }

    private static func probe() -> ConvolutionCapabilities {
        let block = jitRuns(.direct, block: 16) ? 16 : 8
        return ConvolutionCapabilities(channelBlock: block, winograd: jitRuns(.winograd, block: 16),
                                       instructionSet: OneDNN.instructionSet)
    }

    /// Whether a 3×3 training convolution 32 → 32 channels on blocked maps gets a non-reference kernel.
    private static func jitRuns(_ algorithm: OneDNNConvolutionAlgorithm, block: Int) -> Bool {
        let format: OneDNNLayout.Format = block == 16 ? .nChw16c : .nChw8c
        guard let map = try? OneDNNLayout([2, 32, 8, 8], format),
              let weights = try? OneDNNLayout([32, 32, 3, 3], .any),
              let convolution = try? OneDNN.convolutionForward(
                  .training, source: map, weights: weights, bias: nil, destination: map, strides: [1, 1],
                  paddingLeft: [1, 1], paddingRight: [1, 1], algorithm: algorithm)
        else { return false }
        return !convolution.isReference
    }
}
