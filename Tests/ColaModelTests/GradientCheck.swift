import ColaCore
import ColaTensor
import XCTest
@testable import ColaModel

/// Central finite differences against a layer's hand-written backward.
///
/// The scalar is L = Σ r ⊙ y accumulated in Double for fixed random r, so ∂L/∂y = r.
/// Checked coordinates: a sample of the input and of every parameter tensor.
final class LayerHarness {
    var table = ParameterTable()
    var buffers = ParameterTable()
    private(set) var parameters = FloatBuffer(count: 0)
    private(set) var gradients = FloatBuffer(count: 0)
    private(set) var bufferValues = FloatBuffer(count: 0)
    let workspace = Workspace()
    var generator = SeededGenerator.stream(seed: 7, stream: 0)

    /// Call after the layer registered its parameters: random parameters, running var 1.
    func materialize(parameterScale: Float = 0.5) {
        parameters = FloatBuffer(count: table.count)
        gradients = FloatBuffer(count: table.count)
        bufferValues = FloatBuffer(count: buffers.count)
        for entry in table.entries {
            for i in entry.range {
                let u = generator.nextUniform() * 2 - 1
                parameters[i] = entry.shape.count == 1 && entry.name.hasSuffix("bn.weight") ? 1 + 0.3 * u : parameterScale * u
            }
        }
        for entry in buffers.entries where entry.name.hasSuffix("running_var") {
            for i in entry.range { bufferValues[i] = 0.5 + generator.nextUniform() }
        }
        for entry in buffers.entries where entry.name.hasSuffix("running_mean") {
            for i in entry.range { bufferValues[i] = 0.2 * (generator.nextUniform() - 0.5) }
        }
    }

    func context(_ mode: ForwardMode) -> RunContext {
        RunContext(parameters: parameters.pointer, gradients: gradients.pointer, buffers: bufferValues.pointer, mode: mode, workspace: workspace)
    }

    func random(_ count: Int, scale: Float = 1) -> [Float] {
        (0..<count).map { _ in (generator.nextUniform() * 2 - 1) * scale }
    }

    /// Max relative error over sampled coordinates of input and parameters; prints it.
    func check(_ label: String, layer: Layer, input shape: (n: Int, c: Int, h: Int, w: Int), mode: ForwardMode,
               step: Float = 1e-2, samples: Int = 12, inputGradient: Bool = true, inputScale: Float = 1,
               storage: FeatureStorage = .channelsLast) throws -> Double {
        var input = random(shape.n * shape.c * shape.h * shape.w, scale: inputScale)
        var weights: [Float] = []
        func loss() throws -> Double {
            let run = context(mode)
            run.beginForward()
            return try input.withUnsafeMutableBufferPointer { p in
                let x = FeatureMap(p.baseAddress!, batch: shape.n, channels: shape.c, height: shape.h, width: shape.w, storage: storage)
                let y = try layer.forward(x, run)
                if weights.count != y.count { weights = random(y.count) }
                var sum: Double = 0
                for i in 0..<y.count { sum += Double(y.pointer[i]) * Double(weights[i]) }
                return sum
            }
        }
        _ = try loss()
        gradients.zero()
        let run = context(mode)
        run.beginForward()
        let analyticInput: [Float] = try input.withUnsafeMutableBufferPointer { p in
            let x = FeatureMap(p.baseAddress!, batch: shape.n, channels: shape.c, height: shape.h, width: shape.w, storage: storage)
            let y = try layer.forward(x, run)
            run.beginBackward()
            return try weights.withUnsafeMutableBufferPointer { r in
                let dy = y.relocated(to: r.baseAddress!)
                guard let dx = try layer.backward(dy, run, inputGradient: inputGradient) else { return [] }
                return Array(UnsafeBufferPointer(start: dx.pointer, count: dx.count))
            }
        }
        let analyticParameters = gradients.array()
        var worst: Double = 0
        func compare(_ analytic: Float, _ perturb: (Float) -> Void, _ restore: () -> Void) throws {
            perturb(step)
            let plus = try loss()
            perturb(-step)
            let minus = try loss()
            restore()
            let numeric = (plus - minus) / Double(2 * step)
            let error = abs(numeric - Double(analytic)) / max(abs(numeric) + abs(Double(analytic)), 1e-1)
            worst = max(worst, error)
        }
        if inputGradient {
            for _ in 0..<samples {
                let i = Int(generator.next() % UInt64(input.count))
                let original = input[i]
                try compare(analyticInput[i], { input[i] = original + $0 }, { input[i] = original })
            }
        }
        for entry in table.entries {
            for s in 0..<min(samples, entry.count) {
                let i = entry.offset + (s == 0 ? 0 : Int(generator.next() % UInt64(entry.count)))
                let original = parameters[i]
                try compare(analyticParameters[i], { self.parameters[i] = original + $0 }, { self.parameters[i] = original })
            }
        }
        print("gradient check \(label): max relative error \(worst)")
        return worst
    }
}

let noUpdateTraining = ForwardMode(statistics: .batch, updatesRunningStatistics: false, keepsActivations: true, dropConnectSeed: nil)

final class LayerGradientTests: XCTestCase {
    func testConvolutionGradients() throws {
        for (kernel, stride, depthwise) in [(3, 1, false), (5, 2, false), (1, 1, false), (3, 2, true), (5, 1, true)] {
            let h = LayerHarness()
            let conv = Conv2D("c.weight", inputChannels: 4, outputChannels: depthwise ? 4 : 6, kernel: kernel, stride: stride,
                              depthwise: depthwise, table: &h.table)
            h.materialize()
            let e = try h.check("conv k\(kernel) s\(stride)\(depthwise ? " depthwise" : "")", layer: conv,
                                input: (2, 4, 8, 6), mode: noUpdateTraining)
            XCTAssertLessThan(e, 1e-2)
        }
        let h = LayerHarness()
        let first = Conv2D("first.weight", inputChannels: 1, outputChannels: 64, kernel: 3, table: &h.table)
        h.materialize()
        let e = try h.check("first conv (1 channel, no input gradient)", layer: first, input: (4, 1, 16, 16), mode: noUpdateTraining,
                            inputGradient: false)
        XCTAssertLessThan(e, 1e-2)
    }

    /// The small CNN's convolutions on every plan: blocks of 8 and 16 channels, direct, oneDNN's
    /// Winograd where this CPU has it, Cola's Winograd (after a forward that keeps its transformed
    /// input and after one that does not); and its first layer into blocks.
    func testBlockedConvolutionGradients() throws {
        var plans = [ConvolutionPlan(algorithm: .direct, storage: .blocks8), ConvolutionPlan(algorithm: .direct, storage: .blocks16)]
        if ConvolutionCapabilities.host.winograd { plans.append(.oneDNNWinograd) }
        for plan in plans {
            let h = LayerHarness()
            let conv = Conv2D("c.weight", inputChannels: 16, outputChannels: 32, kernel: 3, storage: plan.storage,
                              algorithm: plan.algorithm == .direct ? .direct : .winograd, table: &h.table)
            h.materialize()
            let e = try h.check("conv k3 s1, \(plan)", layer: conv, input: (2, 16, 8, 6), mode: noUpdateTraining, storage: plan.storage)
            XCTAssertLessThan(e, 1e-2)
        }
        let frozen = ForwardMode(statistics: .running, updatesRunningStatistics: false, keepsActivations: false, dropConnectSeed: nil)
        for mode in [noUpdateTraining, frozen] {
            let h = LayerHarness()
            let conv = WinogradConv2D("c.weight", inputChannels: 16, outputChannels: 32, workspace: WinogradWorkspace(), table: &h.table)
            h.materialize()
            let e = try h.check("conv k3 s1, \(ConvolutionPlan.colaWinograd), keeps activations \(mode.keepsActivations)", layer: conv,
                                input: (2, 16, 10, 7), mode: mode, storage: .blocks8)
            XCTAssertLessThan(e, 1e-2)
        }
        for storage in [FeatureStorage.blocks8, .blocks16] {
            let h = LayerHarness()
            let first = Conv2D("first.weight", inputChannels: 1, outputChannels: 64, kernel: 3, storage: storage, table: &h.table)
            h.materialize()
            let e = try h.check("first conv into \(storage) (no input gradient)", layer: first, input: (4, 1, 16, 16),
                                mode: noUpdateTraining, inputGradient: false)
            XCTAssertLessThan(e, 1e-2)
        }
    }

    func testBatchNormGradients() throws {
        for (fused, mode) in [(false, noUpdateTraining), (true, noUpdateTraining), (false, ForwardMode.frozenStatistics)] {
            let h = LayerHarness()
            let bn = BatchNorm("bn", channels: 5, fusedReLU: fused, table: &h.table, buffers: &h.buffers)
            h.materialize()
            let e = try h.check("batch norm\(fused ? " + relu" : "") \(mode.statistics)", layer: bn, input: (3, 5, 4, 3), mode: mode,
                                step: 1e-3)
            XCTAssertLessThan(e, 2e-2)
        }
    }

    func testActivationGradients() throws {
        for function in [OneDNNEltwise.relu, .swish, .sigmoid, .tanh] {
            let h = LayerHarness()
            h.materialize()
            let e = try h.check("\(function)", layer: Activation(function), input: (2, 3, 4, 5), mode: noUpdateTraining, step: 1e-3)
            XCTAssertLessThan(e, 1e-2)
        }
    }

    func testPoolingGradients() throws {
        let h = LayerHarness()
        h.materialize()
        let e1 = try h.check("max pool 2x2", layer: MaxPool2D(), input: (2, 3, 6, 4), mode: noUpdateTraining, step: 1e-3)
        let e2 = try h.check("global max pool", layer: GlobalMaxPool(), input: (2, 3, 5, 4), mode: noUpdateTraining, step: 1e-3)
        let e3 = try h.check("global max pool, blocks of 16", layer: GlobalMaxPool(), input: (2, 32, 5, 4), mode: noUpdateTraining,
                             step: 1e-3, storage: .blocks16)
        let e4 = try h.check("global max pool, blocks of 8", layer: GlobalMaxPool(), input: (2, 24, 5, 4), mode: noUpdateTraining,
                             step: 1e-3, storage: .blocks8)
        XCTAssertLessThan(max(e1, e2, e3, e4), 1e-2)
    }

    func testSqueezeExciteGradients() throws {
        let h = LayerHarness()
        let se = SqueezeExcite("se", channels: 8, squeezed: 2, table: &h.table)
        h.materialize()
        let e = try h.check("squeeze-excite", layer: se, input: (2, 8, 3, 4), mode: noUpdateTraining, step: 1e-3)
        XCTAssertLessThan(e, 1e-2)
    }

    func testMBConvBlockGradientsWithDropConnect() throws {
        let h = LayerHarness()
        let block = MBConvBlock(index: 5, name: "b", inputFilters: 8, outputFilters: 8, expandRatio: 2, kernel: 3, stride: 1,
                                dropRate: 0.5, table: &h.table, buffers: &h.buffers)
        h.materialize()
        let mode = ForwardMode(statistics: .batch, updatesRunningStatistics: false, keepsActivations: true, dropConnectSeed: 3)
        let e = try h.check("MBConv block (residual, drop-connect)", layer: block, input: (4, 8, 6, 4), mode: mode, step: 1e-2, samples: 6)
        XCTAssertLessThan(e, 2e-2)
        let strided = LayerHarness()
        let down = MBConvBlock(index: 1, name: "b", inputFilters: 4, outputFilters: 6, expandRatio: 6, kernel: 5, stride: 2,
                               dropRate: 0, table: &strided.table, buffers: &strided.buffers)
        strided.materialize()
        let e2 = try strided.check("MBConv block (stride 2, expand 6)", layer: down, input: (2, 4, 8, 6), mode: noUpdateTraining, step: 1e-2, samples: 6)
        XCTAssertLessThan(e2, 2e-2)
    }
}

extension ContrastiveModel {
    /// The loss of `pairs` anchors (rows `0..<pairs` of `embeddings`) against as many positives (the
    /// next `pairs` rows), each anchor's positive at its own index, divided by `pairs`; returns it with
    /// the embeddings' gradient (the similarity's gradient goes into the model's).
    func pairLoss(_ embeddings: UnsafePointer<Float>, pairs: Int) -> (ContrastiveLossResult, [Float]) {
        let width = embeddingSize
        var gradient = [Float](repeating: 0, count: 2 * pairs * width)
        let result = gradient.withUnsafeMutableBufferPointer { g in
            loss.compute(anchors: embeddings, anchorCount: pairs, positives: embeddings + pairs * width, positiveCount: pairs,
                         positiveOffset: 0, divisor: Float(pairs), weight: similarityWeight, weightGradient: similarityGradient,
                         anchorGradient: g.baseAddress!, positiveGradient: g.baseAddress! + pairs * width)
        }
        return (result, gradient)
    }
}
