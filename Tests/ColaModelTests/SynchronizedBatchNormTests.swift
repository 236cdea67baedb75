import ColaCore
import ColaTensor
import Foundation
import XCTest
@testable import ColaModel

/// `model.batch_norm: sync` on every batch-norm layer the encoders use, in every storage: a batch
/// split over two simulated ranks (threads summing through ``HalvesReduction``) computes what one
/// rank computes on the whole batch — outputs, input gradients, γ/β gradients (summed over the
/// ranks, as the parameter allreduce does) and running statistics — and its gradients match
/// finite differences of the two-rank computation itself.
final class SynchronizedBatchNormTests: XCTestCase {
    /// A batch-norm layer kind and the storages it runs on.
    private struct Kind {
        let name: String
        let storages: [FeatureStorage]
        let make: (inout ParameterTable, inout ParameterTable, Int) -> Layer
    }

    private let kinds = [
        Kind(name: "batch norm", storages: [.channelsLast, .blocks8, .blocks16]) { table, buffers, channels in
            BatchNorm("bn", channels: channels, table: &table, buffers: &buffers)
        },
        Kind(name: "batch norm + relu", storages: [.channelsLast, .blocks8, .blocks16]) { table, buffers, channels in
            BatchNorm("bn", channels: channels, fusedReLU: true, table: &table, buffers: &buffers)
        },
        Kind(name: "batch norm + swish", storages: [.channelsLast]) { table, buffers, channels in
            BatchNormSwish("bn", channels: channels, table: &table, buffers: &buffers)
        },
        Kind(name: "batch norm + relu + max pool", storages: [.channelsLast, .blocks8, .blocks16]) { table, buffers, channels in
            BatchNormReLUMaxPool("bn", channels: channels, scratch: NormalizedScratch(), table: &table, buffers: &buffers)
        },
    ]

    func testTwoSynchronizedHalvesEqualTheWholeBatch() throws {
        for kind in kinds {
            for storage in kind.storages {
                let channels = storage == .channelsLast ? 20 : 32
                let ranks = SimulatedRanks(kind.make, shape: (4, channels, 5, 7), storage: storage)
                let input = ranks.random(ranks.inputCount, scale: 3, offset: 1.5)
                let outputGradient = ranks.random(ranks.outputCount)
                let whole = try ranks.whole(input, outputGradient, mode: .training(dropConnectSeed: nil))
                let halves = try ranks.halves(input, outputGradient, mode: .training(dropConnectSeed: nil))
                let label = "\(kind.name), \(storage)"
                let d = (output: maxRelativeDifference(halves.output, whole.output),
                         input: maxRelativeDifference(halves.inputGradient, whole.inputGradient),
                         parameters: maxRelativeDifference(halves.parameterGradient, whole.parameterGradient),
                         running: maxRelativeDifference(halves.buffers, whole.buffers))
                print("sync batch norm, 2 halves vs whole batch, \(label): max relative difference output \(d.output), "
                      + "input gradient \(d.input), γ/β gradients \(d.parameters), running statistics \(d.running); "
                      + "\(halves.reductions) reductions per rank")
                XCTAssertLessThan(d.output, 1e-5, label)
                XCTAssertLessThan(d.input, 1e-5, label)
                XCTAssertLessThan(d.parameters, 1e-5, label)
                XCTAssertLessThan(d.running, 1e-6, label)
                XCTAssertEqual(halves.reductions, 3, "\(label): mean, variance, then Σg and Σg·x̂")
                XCTAssertEqual(halves.buffersDiffer, false, "\(label): every rank keeps the same running statistics")
                // Without the reduction each half normalizes with its own statistics: a different function.
                let local = try ranks.halves(input, outputGradient, mode: .training(dropConnectSeed: nil), synchronized: false)
                XCTAssertGreaterThan(maxRelativeDifference(local.output, whole.output), 1e-3, "\(label): the test can fail")
            }
        }
    }

    func testSynchronizedGradientsMatchFiniteDifferences() throws {
        for kind in kinds {
            for storage in kind.storages {
                let channels = storage == .channelsLast ? 6 : 16
                let ranks = SimulatedRanks(kind.make, shape: (4, channels, 4, 6), storage: storage)
                let error = try ranks.gradientCheck(samples: 6, step: 1e-3)
                print("gradient check sync \(kind.name), \(storage), 2 simulated ranks: max relative error \(error)")
                XCTAssertLessThan(error, 1e-2, "\(kind.name), \(storage)")
            }
        }
    }

    func testPassesWithoutBatchStatisticsNeverReduce() throws {
        for kind in kinds {
            let ranks = SimulatedRanks(kind.make, shape: (4, 8, 4, 6), storage: .channelsLast)
            let input = ranks.random(ranks.inputCount, scale: 3)
            let frozen = try ranks.halves(input, ranks.random(ranks.outputCount), mode: .frozenStatistics)
            let inference = try ranks.halves(input, nil, mode: .inference)
            XCTAssertEqual(frozen.reductions, 0, kind.name)
            XCTAssertEqual(inference.reductions, 0, kind.name)
        }
    }
}

/// Relative to the largest magnitude of `b`.
private func maxRelativeDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "compared arrays differ in length: \(a.count) vs \(b.count)")
    let scale = max(b.map(abs).max() ?? 0, 1e-6)
    return (zip(a, b).map { abs($0 - $1) }.max() ?? 0) / scale
}

/// Two processes' worth of one batch-norm layer over shared parameters, each rank on its own
/// thread with its own layer, gradients, running statistics and arenas.
private final class SimulatedRanks: @unchecked Sendable {
    typealias Shape = (n: Int, c: Int, h: Int, w: Int)

    /// What a computation produced, concatenated over ranks in rank order.
    struct Outcome {
        var output: [Float] = []
        var inputGradient: [Float] = []
        /// Summed over ranks (the parameter allreduce).
        var parameterGradient: [Float] = []
        /// Rank 0's running statistics.
        var buffers: [Float] = []
        var buffersDiffer = false
        /// Calls of the reduction per rank.
        var reductions = 0
    }

    let shape: Shape
    let storage: FeatureStorage
    let harness = LayerHarness()
    private let layers: [Layer]
    private let wholeLayer: Layer

    init(_ make: (inout ParameterTable, inout ParameterTable, Int) -> Layer, shape: Shape, storage: FeatureStorage) {
        self.shape = shape
        self.storage = storage
        wholeLayer = make(&harness.table, &harness.buffers, shape.c)
        layers = (0..<2).map { _ in
            var table = ParameterTable(), buffers = ParameterTable()
            return make(&table, &buffers, shape.c)
        }
        harness.materialize()
    }

    var inputCount: Int { shape.n * shape.c * shape.h * shape.w }

    /// Elements of the output (pooling layers halve height and width).
    var outputCount: Int {
        wholeLayer is BatchNormReLUMaxPool ? shape.n * shape.c * (shape.h / 2) * (shape.w / 2) : inputCount
    }

    func random(_ count: Int, scale: Float = 1, offset: Float = 0) -> [Float] {
        harness.random(count, scale: scale).map { $0 + offset }
    }

    /// One rank, the whole batch, no reduction.
    func whole(_ input: [Float], _ outputGradient: [Float]?, mode: ForwardMode) throws -> Outcome {
        let gradients = FloatBuffer(count: harness.table.count)
        let buffers = FloatBuffer(count: harness.buffers.count)
        buffers.copy(from: UnsafeBufferPointer(start: harness.bufferValues.pointer, count: harness.buffers.count))
        let (output, inputGradient) = try pass(wholeLayer, input, outputGradient, batch: shape.n, mode: mode,
                                               gradients: gradients, buffers: buffers, workspace: Workspace(), reduction: nil)
        return Outcome(output: output, inputGradient: inputGradient, parameterGradient: gradients.array(), buffers: buffers.array())
    }

    /// Two ranks, each the contiguous half of the samples, statistics summed over both (or each its own).
    func halves(_ input: [Float], _ outputGradient: [Float]?, mode: ForwardMode, synchronized: Bool = true) throws -> Outcome {
        let shared = HalvesReduction()
        let half = shape.n / 2
        let inputSlice = inputCount / 2, outputSlice = outputCount / 2
        nonisolated(unsafe) var results: [(output: [Float], input: [Float], gradients: [Float], buffers: [Float])?] = [nil, nil]
        nonisolated(unsafe) var failures: [Error] = []
        let group = DispatchGroup()
        let lock = NSLock()
        for rank in 0..<2 {
            group.enter()
            let thread = Thread {
                do {
                    let gradients = FloatBuffer(count: self.harness.table.count)
                    let buffers = FloatBuffer(count: self.harness.buffers.count)
                    buffers.copy(from: UnsafeBufferPointer(start: self.harness.bufferValues.pointer, count: self.harness.buffers.count))
                    let (output, inputGradient) = try self.pass(
                        self.layers[rank], Array(input[(rank * inputSlice)..<((rank + 1) * inputSlice)]),
                        outputGradient.map { Array($0[(rank * outputSlice)..<((rank + 1) * outputSlice)]) },
                        batch: half, mode: mode, gradients: gradients, buffers: buffers, workspace: Workspace(),
                        reduction: synchronized ? shared.participant(rank) : nil)
                    lock.lock()
                    results[rank] = (output, inputGradient, gradients.array(), buffers.array())
                    lock.unlock()
                } catch {
                    lock.lock()
                    failures.append(error)
                    lock.unlock()
                }
                group.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        if let failure = failures.first { throw failure }
        let r0 = results[0]!, r1 = results[1]!
        return Outcome(output: r0.output + r1.output, inputGradient: r0.input + r1.input,
                       parameterGradient: zip(r0.gradients, r1.gradients).map { $0 + $1 }, buffers: r0.buffers,
                       buffersDiffer: r0.buffers != r1.buffers, reductions: shared.calls / 2)
    }

    /// Central differences of L = Σ r ⊙ y computed by the two synchronized halves, against their
    /// backward: sampled input elements and every parameter tensor (perturbed for both ranks).
    /// A difference across a ReLU kink (an output's sign changes between the two evaluations)
    /// measures no derivative and is left out; the check fails if that leaves fewer than half.
    func gradientCheck(samples: Int, step: Float) throws -> Float {
        var input = random(inputCount, scale: 3, offset: 0.5)
        let weights = random(outputCount)
        let mode = noUpdateTraining
        func evaluate() throws -> (loss: Double, positive: [Bool]) {
            let output = try halves(input, nil, mode: mode).output
            return (zip(output, weights).reduce(0) { $0 + Double($1.0) * Double($1.1) }, output.map { $0 > 0 })
        }
        let analytic = try halves(input, weights, mode: mode)
        var worst: Double = 0
        var compared = 0, acrossKinks = 0
        func compare(_ expected: Float, _ perturb: (Float) -> Void) throws {
            perturb(step)
            let plus = try evaluate()
            perturb(-2 * step)
            let minus = try evaluate()
            perturb(step)
            guard plus.positive == minus.positive else {
                acrossKinks += 1
                return
            }
            compared += 1
            let numeric = (plus.loss - minus.loss) / Double(2 * step)
            worst = max(worst, abs(numeric - Double(expected)) / max(abs(numeric) + abs(Double(expected)), 1e-1))
        }
        for _ in 0..<samples {
            let i = Int(harness.generator.next() % UInt64(inputCount))
            try compare(analytic.inputGradient[i]) { input[i] += $0 }
        }
        for entry in harness.table.entries {
            for s in 0..<min(samples, entry.count) {
                let i = entry.offset + (s == 0 ? 0 : Int(harness.generator.next() % UInt64(entry.count)))
                try compare(analytic.parameterGradient[i]) { self.harness.parameters[i] += $0 }
            }
        }
        precondition(compared > acrossKinks, "\(acrossKinks) of \(compared + acrossKinks) differences crossed a ReLU kink")
        return Float(worst)
    }

    /// Forward of `layer` on `batch` samples, then backward of `outputGradient` when given.
    private func pass(_ layer: Layer, _ input: [Float], _ outputGradient: [Float]?, batch: Int, mode: ForwardMode,
                      gradients: FloatBuffer, buffers: FloatBuffer, workspace: Workspace,
                      reduction: BatchStatisticsReduction?) throws -> (output: [Float], inputGradient: [Float]) {
        var input = input
        let run = RunContext(parameters: harness.parameters.pointer, gradients: gradients.pointer, buffers: buffers.pointer,
                             mode: mode, workspace: workspace, statisticsReduction: reduction)
        run.beginForward()
        return try input.withUnsafeMutableBufferPointer { p in
            let x = FeatureMap(p.baseAddress!, batch: batch, channels: shape.c, height: shape.h, width: shape.w, storage: storage)
            let y = try layer.forward(x, run)
            let output = Array(UnsafeBufferPointer(start: y.pointer, count: y.count))
            guard var outputGradient else { return (output, []) }
            run.beginBackward()
            return try outputGradient.withUnsafeMutableBufferPointer { g in
                let dx = try layer.backward(y.relocated(to: g.baseAddress!), run, inputGradient: true)!
                return (output, Array(UnsafeBufferPointer(start: dx.pointer, count: dx.count)))
            }
        }
    }
}

/// Two threads summing each other's buffers, rank 0's first, as a 2-rank allreduce would.
private final class HalvesReduction: @unchecked Sendable {
    private let condition = NSCondition()
    private var arrived = 0
    private var generation = 0
    private var slots: [UnsafeMutableBufferPointer<Float>?] = [nil, nil]
    /// Calls over both participants.
    private(set) var calls = 0

    /// Rank `rank`'s side.
    func participant(_ rank: Int) -> BatchStatisticsReduction { Participant(shared: self, rank: rank) }

    private func barrier() {
        condition.lock()
        let mine = generation
        arrived += 1
        if arrived == 2 {
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
        condition.unlock()
    }

    fileprivate func sum(_ values: UnsafeMutableBufferPointer<Float>, rank: Int) {
        condition.lock()
        slots[rank] = values
        calls += 1
        condition.unlock()
        barrier()
        let first = slots[0]!, second = slots[1]!
        precondition(first.count == second.count, "the ranks reduce different lengths: \(first.count) vs \(second.count)")
        let total = (0..<values.count).map { first[$0] + second[$0] }
        barrier()
        for i in 0..<values.count { values[i] = total[i] }
    }

    private final class Participant: BatchStatisticsReduction {
        let shared: HalvesReduction
        let rank: Int

        init(shared: HalvesReduction, rank: Int) {
            self.shared = shared
            self.rank = rank
        }

        func sum(_ values: UnsafeMutableBufferPointer<Float>) throws { shared.sum(values, rank: rank) }
    }
}
