import ColaTensor
import Foundation

/// What oneDNN's 3×3 convolutions reach on this machine in isolation, at the small CNN's shapes:
/// the ceiling its training step can approach, since the convolutions are ≈ 97 % of its FLOPs.
///
/// Each layer's forward, backward-data (not for the first layer, whose input gradient Cola skips)
/// and backward-weights primitive runs alone on warm buffers: direct with channels-last activations,
/// direct with the blocked layout oneDNN prefers, and, after the one-channel first layer, Winograd
/// F(4×4, 3×3): oneDNN's (blocks of 16) where this CPU has it, and Cola's own (``WinogradConvolution``,
/// blocks of 8; its forward includes the input transform, which the training forward keeps for the
/// weight gradient). Two ceilings in clips/s follow, the batch over the sum of the
/// best times: of the direct convolutions only, and of all (what Cola's small CNN runs).
public struct ConvolutionCeilingBenchmark: Sendable {
    /// One primitive's best time in one layout and algorithm.
    public struct Measurement: Codable, Sendable {
        public var layer: Int
        public var pass: String
        public var layout: String
        public var algorithm: String
        public var milliseconds: Double
        /// Direct-convolution FLOPs per second (for Winograd, the rate a direct convolution would need to match it).
        public var gflopsPerSecond: Double
        public var implementation: String

        enum CodingKeys: String, CodingKey {
            case layer, pass, layout, algorithm, milliseconds, gflopsPerSecond = "gflops_per_s", implementation
        }
    }

    /// All measurements and the ceiling they imply.
    public struct Result: Codable, Sendable {
        public var batch: Int
        public var threads: Int
        public var measurements: [Measurement]
        /// Sum over layers and passes of the fastest direct convolution's time.
        public var directConvolutionMilliseconds: Double
        /// `batch / directConvolutionMilliseconds`: clips/s if everything but direct convolutions were free.
        public var directCeilingClipsPerSecond: Double
        /// Sum over layers and passes of the fastest time, Winograd included.
        public var convolutionMilliseconds: Double
        /// `batch / convolutionMilliseconds`: clips/s if everything but the convolutions were free.
        public var ceilingClipsPerSecond: Double

        enum CodingKeys: String, CodingKey {
            case batch, threads, measurements, convolutionMilliseconds = "convolution_ms"
            case ceilingClipsPerSecond = "ceiling_clips_per_s", directConvolutionMilliseconds = "direct_convolution_ms"
            case directCeilingClipsPerSecond = "direct_ceiling_clips_per_s"
        }
    }

    /// The small CNN's convolutions: (input channels, output channels, height, width).
    static let layers = [(1, 64, 96, 64), (64, 128, 48, 32), (128, 256, 24, 16), (256, 512, 12, 8)]

    public let batch: Int
    public let threads: Int
    public let repetitions: Int

    /// - Parameter batch: Clips per step (the convolutions see 2·batch segments).
    public init(batch: Int, threads: Int, repetitions: Int) {
        self.batch = batch
        self.threads = threads
        self.repetitions = max(1, repetitions)
    }

    public func run() throws -> Result {
        OneDNN.setThreadCount(threads)
        var measurements: [Measurement] = []
        var direct = 0.0, all = 0.0
        for (index, shape) in Self.layers.enumerated() {
            let passes = index == 0 ? ["forward", "backward weights"] : ["forward", "backward data", "backward weights"]
            var variants: [(blocked: Bool, algorithm: OneDNNConvolutionAlgorithm)] = [(false, .direct), (true, .direct)]
            if index > 0 && ConvolutionCapabilities.host.winograd { variants.append((true, .winograd)) }
            for pass in passes {
                var bestDirect = Double.infinity, best = Double.infinity
                for variant in variants {
                    let m = try measure(layer: index, shape: shape, pass: pass, blocked: variant.blocked, algorithm: variant.algorithm)
                    measurements.append(m)
                    if variant.algorithm == .direct { bestDirect = min(bestDirect, m.milliseconds) }
                    best = min(best, m.milliseconds)
                }
                if index > 0 {
                    let m = measureColaWinograd(layer: index, shape: shape, pass: pass)
                    measurements.append(m)
                    best = min(best, m.milliseconds)
                }
                direct += bestDirect
                all += best
            }
        }
        return Result(batch: batch, threads: threads, measurements: measurements, directConvolutionMilliseconds: direct,
                      directCeilingClipsPerSecond: Double(batch) / (direct / 1000), convolutionMilliseconds: all,
                      ceilingClipsPerSecond: Double(batch) / (all / 1000))
    }

    private func measure(layer: Int, shape: (Int, Int, Int, Int), pass: String, blocked: Bool,
                         algorithm: OneDNNConvolutionAlgorithm) throws -> Measurement {
        let (input, output, height, width) = shape
        let n = 2 * batch
        let activation: OneDNNLayout.Format = blocked ? .any : .nhwc
        let source = try OneDNNLayout([n, input, height, width], activation)
        let destination = try OneDNNLayout([n, output, height, width], activation)
        let weights = try OneDNNLayout([output, input, 3, 3], .any)
        let geometry = (strides: [1, 1], left: [1, 1], right: [1, 1])
        let forward = try OneDNN.convolutionForward(.training, source: source, weights: weights, bias: nil, destination: destination,
                                                    strides: geometry.strides, paddingLeft: geometry.left, paddingRight: geometry.right,
                                                    algorithm: algorithm)
        let primitive: OneDNNPrimitive
        let arguments: [OneDNNArgument]
        switch pass {
        case "forward":
            primitive = forward
            arguments = [.source, .weights, .destination]
        case "backward data":
            primitive = try OneDNN.convolutionBackwardData(
                sourceGradient: forward.layout(of: .source), weights: weights, destinationGradient: forward.layout(of: .destination),
                strides: geometry.strides, paddingLeft: geometry.left, paddingRight: geometry.right, hint: forward,
                algorithm: algorithm)
            arguments = [.destinationGradient, .weights, .sourceGradient]
        default:
            primitive = try OneDNN.convolutionBackwardWeights(
                source: forward.layout(of: .source), weightsGradient: weights, biasGradient: nil,
                destinationGradient: forward.layout(of: .destination),
                strides: geometry.strides, paddingLeft: geometry.left, paddingRight: geometry.right, hint: forward,
                algorithm: algorithm)
            arguments = [.source, .destinationGradient, .weightsGradient]
        }
        let buffers = arguments.map { FloatBuffer((0..<primitive.layout(of: $0).floatCount).map { Float($0 % 13) * 0.01 - 0.06 }) }
        let bound = zip(arguments, buffers).map { ($0, UnsafeMutableRawPointer($1.pointer)) }
        var best = Double.infinity
        try withExtendedLifetime(buffers) {
            try primitive.execute(arguments: bound)
            for _ in 0..<repetitions {
                best = min(best, try BenchmarkClock.timed { try primitive.execute(arguments: bound) }.seconds)
            }
        }
        let flops = 2.0 * Double(n * output * input * 9 * height * width)
        return Measurement(layer: layer + 1, pass: pass, layout: blocked ? "blocked" : "channels-last",
                           algorithm: algorithm == .direct ? "direct" : "winograd", milliseconds: best * 1000,
                           gflopsPerSecond: flops / best / 1e9, implementation: primitive.implementation)
    }

    private func measureColaWinograd(layer: Int, shape: (Int, Int, Int, Int), pass: String) -> Measurement {
        let (input, output, height, width) = shape
        let n = 2 * batch
        func filled(_ count: Int) -> FloatBuffer { FloatBuffer((0..<count).map { Float($0 % 13) * 0.01 - 0.06 }) }
        let xs = filled(n * input * height * width), ys = filled(n * output * height * width)
        let weights = filled(output * input * 9), weightGradient = FloatBuffer(count: output * input * 9)
        let x = FeatureMap(xs.pointer, batch: n, channels: input, height: height, width: width, storage: .blocks8)
        let y = FeatureMap(ys.pointer, batch: n, channels: output, height: height, width: width, storage: .blocks8)
        let transformed = FloatBuffer(count: WinogradConvolution.transformedCount(x))
        let workspace = WinogradWorkspace()
        WinogradConvolution.transformInput(x, into: transformed.pointer)
        let run: () -> Void
        switch pass {
        case "forward":
            run = {
                WinogradConvolution.forward(x, keepingTransformedInputIn: transformed.pointer, weights: weights.pointer, output: y,
                                            workspace: workspace)
            }
        case "backward data":
            run = { WinogradConvolution.backwardData(outputGradient: y, weights: weights.pointer, inputGradient: x, workspace: workspace) }
        default:
            run = {
                WinogradConvolution.accumulateWeightGradient(transformedInput: transformed.pointer, inputChannels: input,
                                                             outputGradient: y, into: weightGradient.pointer, workspace: workspace)
            }
        }
        run()
        var best = Double.infinity
        for _ in 0..<repetitions { best = min(best, BenchmarkClock.timed { run() }.seconds) }
        let flops = 2.0 * Double(n * output * input * 9 * height * width)
        return Measurement(layer: layer + 1, pass: pass, layout: "blocks8", algorithm: "cola winograd", milliseconds: best * 1000,
                           gflopsPerSecond: flops / best / 1e9, implementation: "cola:winograd_4x3 + sgemm")
    }
}
