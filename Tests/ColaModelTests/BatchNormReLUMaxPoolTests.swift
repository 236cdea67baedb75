import ColaCore
import ColaTensor
import XCTest
@testable import ColaModel

/// The fused batch norm + ReLU + 2×2 max pool against finite differences and against the two
/// oneDNN layers it replaces (``BatchNorm`` with fused ReLU, then ``MaxPool2D``).
final class BatchNormReLUMaxPoolTests: XCTestCase {
    func testGradientsMatchFiniteDifferences() throws {
        // 20 channels: vector loop and remainder; 5×7: an odd row and column outside every window. Inputs spread over
        // ±3 so that a ±1e-3 step rarely crosses a max-pool tie or the ReLU kink.
        for (shape, mode) in [((3, 20, 4, 6), noUpdateTraining), ((3, 20, 4, 6), ForwardMode.frozenStatistics),
                              ((2, 5, 5, 7), noUpdateTraining), ((2, 5, 5, 7), ForwardMode.frozenStatistics)] {
            let h = LayerHarness()
            let layer = BatchNormReLUMaxPool("bn", channels: shape.1, scratch: NormalizedScratch(), table: &h.table, buffers: &h.buffers)
            h.materialize()
            let e = try h.check("batch norm + relu + max pool \(shape) \(mode.statistics)", layer: layer, input: shape, mode: mode,
                                step: 1e-3, samples: 16, inputScale: 3)
            XCTAssertLessThan(e, 2e-2)
        }
    }

    /// Blocks of 16 and of 8 channels, as the small CNN stores its maps on AVX-512 and AVX2 (two or
    /// more blocks; an odd row and column).
    func testBlockedGradientsMatchFiniteDifferences() throws {
        for (shape, mode, storage) in [((3, 32, 4, 6), noUpdateTraining, FeatureStorage.blocks16),
                                       ((2, 32, 5, 7), ForwardMode.frozenStatistics, .blocks16),
                                       ((3, 24, 4, 6), noUpdateTraining, .blocks8), ((2, 16, 5, 7), .frozenStatistics, .blocks8)] {
            let h = LayerHarness()
            let layer = BatchNormReLUMaxPool("bn", channels: shape.1, scratch: NormalizedScratch(), table: &h.table, buffers: &h.buffers)
            h.materialize()
            let e = try h.check("batch norm + relu + max pool \(shape) \(mode.statistics), \(storage)", layer: layer, input: shape,
                                mode: mode, step: 1e-3, samples: 16, inputScale: 3, storage: storage)
            XCTAssertLessThan(e, 2e-2)
        }
    }

    func testEqualsBatchNormReLUThenMaxPool() throws {
        for (shape, storage) in [((4, 37, 6, 8), FeatureStorage.channelsLast), ((3, 20, 7, 5), .channelsLast),
                                 ((4, 48, 6, 8), .blocks16), ((3, 32, 7, 5), .blocks16),
                                 ((4, 40, 6, 8), .blocks8), ((3, 16, 7, 5), .blocks8)] {
            for mode in [ForwardMode.training(dropConnectSeed: nil), .frozenStatistics, .inference] {
                let diff = try compareWithUnfused(shape, mode, storage)
                print("fused vs batch norm + relu, max pool \(shape) \(storage) \(mode.statistics)\(mode.keepsActivations ? "" : " inference"): "
                      + "max abs diff output \(diff.output), running statistics \(diff.running), input gradient \(diff.input), "
                      + "γ/β gradient \(diff.parameters)")
                XCTAssertLessThan(diff.output, 1e-5)
                XCTAssertLessThan(diff.running, 1e-6)
                XCTAssertLessThan(diff.input, 1e-5)
                XCTAssertLessThan(diff.parameters, 1e-4)
            }
        }
    }

    func testRepeatedStepsAreBitIdentical() throws {
        var results: [[Float]] = []
        for _ in 0..<2 {
            let h = LayerHarness()
            let layer = BatchNormReLUMaxPool("bn", channels: 64, scratch: NormalizedScratch(), table: &h.table, buffers: &h.buffers)
            h.materialize()
            let (output, input) = try pass(layer, h, shape: (4, 64, 16, 24), mode: .training(dropConnectSeed: nil), seed: 5)
            results.append(output + input + h.gradients.array() + h.bufferValues.array())
        }
        XCTAssertTrue(results[0] == results[1], "two identical steps differ")
    }

    /// The fused backward's reductions use a fixed partition: its sums do not depend on the thread count.
    /// (With running statistics the oneDNN forward is elementwise; batch statistics are oneDNN's reduction.)
    func testBackwardDoesNotDependOnTheThreadCount() throws {
        let before = OneDNN.threadCount
        defer { OneDNN.setThreadCount(before) }
        var results: [[Float]] = []
        for threads in [1, 2] {
            OneDNN.setThreadCount(threads)
            let h = LayerHarness()
            let layer = BatchNormReLUMaxPool("bn", channels: 64, scratch: NormalizedScratch(), table: &h.table, buffers: &h.buffers)
            h.materialize()
            let (output, input) = try pass(layer, h, shape: (4, 64, 16, 24), mode: .frozenStatistics, seed: 5)
            results.append(output + input + h.gradients.array())
        }
        XCTAssertTrue(results[0] == results[1], "1 and 2 threads differ")
    }

    private struct Differences { var output: Float = 0, running: Float = 0, input: Float = 0, parameters: Float = 0 }

    private func compareWithUnfused(_ shape: (Int, Int, Int, Int), _ mode: ForwardMode, _ storage: FeatureStorage) throws -> Differences {
        let fused = LayerHarness(), unfused = LayerHarness()
        let layer = BatchNormReLUMaxPool("bn", channels: shape.1, scratch: NormalizedScratch(), table: &fused.table, buffers: &fused.buffers)
        let bn = BatchNorm("bn", channels: shape.1, fusedReLU: true, table: &unfused.table, buffers: &unfused.buffers)
        let pool = MaxPool2D()
        fused.materialize()
        unfused.materialize()
        XCTAssertEqual(fused.parameters.array(), unfused.parameters.array())
        let a = try pass([layer], fused, shape: shape, mode: mode, seed: 11, storage: storage)
        let b = try pass([bn, pool], unfused, shape: shape, mode: mode, seed: 11, storage: storage)
        func maxDiff(_ x: [Float], _ y: [Float]) -> Float {
            XCTAssertEqual(x.count, y.count)
            return zip(x, y).map { abs($0 - $1) }.max() ?? 0
        }
        return Differences(output: maxDiff(a.output, b.output), running: maxDiff(fused.bufferValues.array(), unfused.bufferValues.array()),
                           input: maxDiff(a.input, b.input), parameters: maxDiff(fused.gradients.array(), unfused.gradients.array()))
    }

    /// Forward of `layers` on a seeded input, then (when the mode keeps activations) backward of a seeded
    /// output gradient; returns the output and the input gradient.
    private func pass(_ layers: Layer, _ h: LayerHarness, shape: (Int, Int, Int, Int), mode: ForwardMode, seed: UInt64) throws
        -> (output: [Float], input: [Float]) {
        try pass([layers], h, shape: shape, mode: mode, seed: seed)
    }

    private func pass(_ layers: [Layer], _ h: LayerHarness, shape: (Int, Int, Int, Int), mode: ForwardMode, seed: UInt64,
                      storage: FeatureStorage = .channelsLast) throws -> (output: [Float], input: [Float]) {
        var generator = SeededGenerator.stream(seed: seed, stream: 0)
        var input = (0..<(shape.0 * shape.1 * shape.2 * shape.3)).map { _ in generator.nextUniform() * 4 - 1.5 }
        h.gradients.zero()
        let run = h.context(mode)
        run.beginForward()
        return try input.withUnsafeMutableBufferPointer { p in
            var y = FeatureMap(p.baseAddress!, batch: shape.0, channels: shape.1, height: shape.2, width: shape.3, storage: storage)
            for layer in layers { y = try layer.forward(y, run) }
            let output = Array(UnsafeBufferPointer(start: y.pointer, count: y.count))
            guard mode.keepsActivations else { return (output, []) }
            var dy = output.map { _ in generator.nextUniform() * 2 - 1 }
            run.beginBackward()
            return try dy.withUnsafeMutableBufferPointer { d in
                var g = y.relocated(to: d.baseAddress!)
                for layer in layers.reversed() { g = try layer.backward(g, run, inputGradient: true)! }
                return (output, Array(UnsafeBufferPointer(start: g.pointer, count: g.count)))
            }
        }
    }
}
