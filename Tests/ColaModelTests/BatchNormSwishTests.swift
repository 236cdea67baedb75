import ColaCore
import ColaTensor
import Foundation
import XCTest
@testable import ColaModel

final class BatchNormSwishTests: XCTestCase {
    func testBatchNormSwishGradientsMatchFiniteDifferences() throws {
        let cases: [(shape: (n: Int, c: Int, h: Int, w: Int), mode: ForwardMode)] = [
            ((3, 5, 4, 3), noUpdateTraining), ((2, 24, 3, 4), noUpdateTraining),
            ((3, 5, 4, 3), .frozenStatistics), ((2, 24, 3, 4), .frozenStatistics),
        ]
        for (shape, mode) in cases {
            let h = LayerHarness()
            let layer = BatchNormSwish("bn", channels: shape.c, table: &h.table, buffers: &h.buffers)
            h.materialize()
            let e = try h.check("batch norm + swish C=\(shape.c) \(mode.statistics)", layer: layer, input: shape, mode: mode, step: 1e-3)
            XCTAssertLessThan(e, 2e-2)
        }
    }

    /// The fused layer against oneDNN batch norm then oneDNN swish: outputs, running statistics,
    /// input gradient and γ/β gradients, with batch statistics (running update on) and running ones.
    func testBatchNormSwishEqualsBatchNormThenSwish() throws {
        let shapes: [(n: Int, c: Int, h: Int, w: Int)] = [(2, 24, 5, 3), (3, 40, 4, 4), (4, 32, 6, 5), (8, 144, 3, 2), (2, 1280, 2, 2), (16, 96, 12, 8)]
        for shape in shapes {
            for mode in [ForwardMode.training(dropConnectSeed: nil), .frozenStatistics] {
                let fused = LayerHarness(), reference = LayerHarness()
                let layer = BatchNormSwish("bn", channels: shape.c, table: &fused.table, buffers: &fused.buffers)
                let pair: [Layer] = [BatchNorm("bn", channels: shape.c, table: &reference.table, buffers: &reference.buffers),
                                     Activation(.swish)]
                fused.materialize()
                reference.materialize()
                var generator = SeededGenerator.stream(seed: UInt64(shape.c), stream: 0)
                let count = shape.n * shape.c * shape.h * shape.w
                // Channels with means from −1 to 1.7, as after a convolution.
                let input = (0..<count).map { i in (generator.nextUniform() * 2 - 1) * 3 + Float(i % shape.c % 10) * 0.3 - 1 }
                let dz = (0..<count).map { _ in generator.nextUniform() * 2 - 1 }
                let exact = Self.exactForward(input, shape, fused, batchStatistics: mode.statistics == .batch)
                let a = try Self.forwardBackward([layer], fused, input, dz, shape, mode)
                let b = try Self.forwardBackward(pair, reference, input, dz, shape, mode)
                let label = "C=\(shape.c) \(shape.n)x\(shape.h)x\(shape.w) \(mode.statistics)"
                let output = maxAbsDiff(a.output, b.output), inputGradient = maxAbsDiff(a.inputGradient, b.inputGradient)
                let parameters = maxAbsDiff(fused.gradients.array(), reference.gradients.array())
                let running = maxAbsDiff(fused.bufferValues.array(), reference.bufferValues.array())
                let fusedExact = maxAbsDiff(a.output, exact), referenceExact = maxAbsDiff(b.output, exact)
                print("batch norm + swish vs batch norm, swish \(label): max abs diff output \(output), input gradient \(inputGradient), " +
                      "γ/β gradients \(parameters), running statistics \(running); output vs Double: fused \(fusedExact), oneDNN \(referenceExact)")
                XCTAssertLessThan(fusedExact, 1e-6 * (1 + maxMagnitude(exact)), label)
                // Float rounding: a few ulp of the largest magnitude compared.
                XCTAssertLessThan(output, 1e-6 * (1 + maxMagnitude(b.output)), label)
                XCTAssertLessThan(inputGradient, 1e-6 * (1 + maxMagnitude(b.inputGradient)), label)
                XCTAssertLessThan(parameters, 1e-6 * (1 + maxMagnitude(reference.gradients.array())), label)
                XCTAssertLessThan(running, 1e-6, label)
            }
        }
    }

    /// Runs over the same input give bit-identical outputs and gradients (resume tests need it),
    /// on 2 threads twice and on 1 thread.
    func testBatchNormSwishIsDeterministic() throws {
        let shape = (n: 16, c: 40, h: 24, w: 16)
        let before = OneDNN.threadCount
        defer { OneDNN.setThreadCount(before) }
        var results: [[Float]] = []
        for threads in [2, 2, 1] {
            OneDNN.setThreadCount(threads)
            let h = LayerHarness()
            let layer = BatchNormSwish("bn", channels: shape.c, table: &h.table, buffers: &h.buffers)
            h.materialize()
            var generator = SeededGenerator.stream(seed: 11, stream: 0)
            let count = shape.n * shape.c * shape.h * shape.w
            let input = (0..<count).map { _ in generator.nextUniform() * 4 - 1 }
            let dz = (0..<count).map { _ in generator.nextUniform() - 0.5 }
            let r = try Self.forwardBackward([layer], h, input, dz, shape, .training(dropConnectSeed: nil))
            results.append(r.output + r.inputGradient + h.gradients.array() + h.bufferValues.array())
        }
        XCTAssertEqual(results[0], results[1], "two runs on 2 threads")
        XCTAssertEqual(results[0], results[2], "2 threads against 1")
    }

    /// Batch norm then swish in Double, from the harness's γ, β and running statistics.
    private static func exactForward(
        _ input: [Float], _ shape: (n: Int, c: Int, h: Int, w: Int), _ h: LayerHarness, batchStatistics: Bool
    ) -> [Float] {
        let c = shape.c, rows = input.count / c
        let gamma = h.table.entries[0], beta = h.table.entries[1]
        let runningMean = h.buffers.entries[0], runningVariance = h.buffers.entries[1]
        var output = [Float](repeating: 0, count: input.count)
        for channel in 0..<c {
            var mean = Double(h.bufferValues[runningMean.offset + channel])
            var variance = Double(h.bufferValues[runningVariance.offset + channel])
            if batchStatistics {
                mean = (0..<rows).reduce(0.0) { $0 + Double(input[$1 * c + channel]) } / Double(rows)
                variance = (0..<rows).reduce(0.0) { $0 + (Double(input[$1 * c + channel]) - mean) * (Double(input[$1 * c + channel]) - mean) }
                    / Double(rows)
            }
            let scale = Double(h.parameters[gamma.offset + channel]) / (variance + 1e-3).squareRoot()
            for r in 0..<rows {
                let y = (Double(input[r * c + channel]) - mean) * scale + Double(h.parameters[beta.offset + channel])
                output[r * c + channel] = Float(y / (1 + exp(-y)))
            }
        }
        return output
    }

    /// Forward through `layers`, backward of `dz`; parameter gradients land in `h.gradients`.
    private static func forwardBackward(
        _ layers: [Layer], _ h: LayerHarness, _ input: [Float], _ dz: [Float], _ shape: (n: Int, c: Int, h: Int, w: Int),
        _ mode: ForwardMode
    ) throws -> (output: [Float], inputGradient: [Float]) {
        var input = input, dz = dz
        h.gradients.zero()
        let run = h.context(mode)
        run.beginForward()
        return try input.withUnsafeMutableBufferPointer { p in
            var y = FeatureMap(p.baseAddress!, batch: shape.n, channels: shape.c, height: shape.h, width: shape.w)
            for layer in layers { y = try layer.forward(y, run) }
            let output = Array(UnsafeBufferPointer(start: y.pointer, count: y.count))
            run.beginBackward()
            return try dz.withUnsafeMutableBufferPointer { d in
                var g = FeatureMap(d.baseAddress!, batch: shape.n, channels: shape.c, height: shape.h, width: shape.w)
                for layer in layers.reversed() {
                    guard let next = try layer.backward(g, run, inputGradient: true) else { preconditionFailure("no input gradient") }
                    g = next
                }
                return (output, Array(UnsafeBufferPointer(start: g.pointer, count: g.count)))
            }
        }
    }
}

private func maxMagnitude(_ a: [Float]) -> Float { a.map(abs).max() ?? 0 }

private func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "compared arrays differ in length")
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
