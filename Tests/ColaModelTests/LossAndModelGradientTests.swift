import ColaCore
import ColaTensor
import XCTest
@testable import ColaModel

final class LossAndModelGradientTests: XCTestCase {
    /// Loss on a rectangular S (3 local anchors against 5 positives, labels at offset 1).
    func testContrastiveLossGradients() {
        for similarity in Similarity.allCases {
            let d = 6, b = 3, n = 5, offset = 1
            var generator = SeededGenerator.stream(seed: 11, stream: 0)
            func random(_ count: Int) -> [Float] { (0..<count).map { _ in generator.nextUniform() * 2 - 1 } }
            var a = random(b * d), p = random(n * d), w = random(d * d)
            let loss = ContrastiveLoss(similarity: similarity, temperature: 0.2, dimension: d)
            func evaluate() -> (Float, [Float], [Float], [Float], Int) {
                var da = [Float](repeating: 0, count: b * d), dp = [Float](repeating: 0, count: n * d)
                var dw = [Float](repeating: 0, count: d * d)
                let r = loss.compute(anchors: a, anchorCount: b, positives: p, positiveCount: n, positiveOffset: offset, divisor: 8,
                                     weight: w, weightGradient: &dw, anchorGradient: &da, positiveGradient: &dp)
                return (r.loss, da, dp, dw, r.correct)
            }
            let (_, da, dp, dw, _) = evaluate()
            var worst: Float = 0
            let h: Float = 1e-2
            func set(_ which: Int, _ i: Int, _ v: Float) {
                switch which {
                case 0: a[i] = v
                case 1: p[i] = v
                default: w[i] = v
                }
            }
            func check(_ which: Int, _ analytic: [Float]) {
                for i in 0..<analytic.count {
                    let original = [a, p, w][which][i]
                    set(which, i, original + h)
                    let plus = evaluate().0
                    set(which, i, original - h)
                    let minus = evaluate().0
                    set(which, i, original)
                    let numeric = (plus - minus) / (2 * h)
                    worst = max(worst, abs(numeric - analytic[i]) / max(abs(numeric) + abs(analytic[i]), 1e-2))
                }
            }
            check(0, da)
            check(1, dp)
            if similarity == .bilinear { check(2, dw) }
            print("gradient check loss \(similarity): max relative error \(worst)")
            XCTAssertLessThan(worst, 1e-2)
        }
    }

    func testLossValueAndAccuracyOnKnownScores() {
        // Cosine with identical anchors and positives (orthogonal rows): S = I/τ, every row correct.
        let d = 4
        var e = [Float](repeating: 0, count: 16)
        for i in 0..<4 { e[i * d + i] = 2 }
        var da = [Float](repeating: 0, count: 16), dp = [Float](repeating: 0, count: 16)
        let r = ContrastiveLoss(similarity: .cosine, temperature: 0.2, dimension: d)
            .compute(anchors: e, anchorCount: 4, positives: e, positiveCount: 4, positiveOffset: 0, divisor: 4,
                     weight: nil, weightGradient: nil, anchorGradient: &da, positiveGradient: &dp)
        let expected = -log(exp(5.0) / (exp(5.0) + 3))
        XCTAssertEqual(Double(r.loss), expected, accuracy: 1e-5)
        XCTAssertEqual(r.correct, 4)
        XCTAssertEqual(r.accuracy, 1)
    }

    func testHeadGradients() throws {
        for normalized in [true, false] {
            let h = LayerHarness()
            let head = ProjectionHead(inputs: 7, outputs: 5, normalized: normalized, table: &h.table)
            h.materialize()
            let e = try h.check(normalized ? "head dense+layernorm+tanh" : "head dense", layer: HeadAsLayer(head),
                                input: (3, 7, 1, 1), mode: noUpdateTraining, step: 1e-2)
            XCTAssertLessThan(e, 1e-2)
        }
    }

    /// End to end: small CNN on 16×16 inputs, bilinear loss, sampled coordinates of every tensor.
    ///
    /// With direct convolutions: Winograd's rounding (≈1e-6 relative, amplified by batch norm over
    /// 2×2 maps of 4 segments) moves this float32 loss by up to ≈1e-5, the size of the differences
    /// themselves, so the Winograd model is held to the direct model's analytic gradients instead
    /// (``testSmallCNNGradientsAgreeAcrossConvolutionPlans``).
    func testSmallCNNModelGradientsMatchFiniteDifferences() throws {
        let (model, step) = smallCNNStep(.direct)
        model.zeroGradients()
        _ = try step(true)
        let analytic = model.gradients.array()
        var worst: Float = 0
        let h: Float = 1e-3
        for entry in model.parameters.entries {
            for s in 0..<2 {
                let i = entry.offset + (s * 7919) % entry.count
                let original = model.parameterValues[i]
                model.parameterValues[i] = original + h
                let plus = try step(false)
                model.parameterValues[i] = original - h
                let minus = try step(false)
                model.parameterValues[i] = original
                let numeric = (plus - minus) / (2 * h)
                let error = abs(numeric - analytic[i]) / max(abs(numeric) + abs(analytic[i]), 1e-1)
                if error > 1e-1 { print("  \(entry.name)[\(i - entry.offset)]: analytic \(analytic[i]) numeric \(numeric)") }
                worst = max(worst, error)
            }
        }
        print("gradient check small CNN model + bilinear loss: max relative error \(worst)")
        // ReLU and max-pool kinks make finite differences of a whole network noisier than per-layer checks.
        XCTAssertLessThan(worst, 1e-1)
    }

    /// The small CNN's loss and every parameter's gradient are the same (same weights and input) on
    /// every convolution plan: direct in blocks of 8 and of 16 channels, Cola's Winograd on blocks of
    /// 8, and oneDNN's Winograd where this CPU has it; per tensor as max|Δ| / max|direct in blocks of 8|. (Blocks this CPU has no JIT kernel
    /// for run oneDNN's reference loops: slow, but exact, and these maps are 16×16.)
    func testSmallCNNGradientsAgreeAcrossConvolutionPlans() throws {
        var plans = [ConvolutionPlan(algorithm: .direct, storage: .blocks8), ConvolutionPlan(algorithm: .direct, storage: .blocks16)]
        plans.append(.colaWinograd)
        if ConvolutionCapabilities.host.winograd { plans.append(.oneDNNWinograd) }
        var gradients: [[Float]] = []
        var losses: [Float] = []
        var table: ParameterTable?
        for plan in plans {
            let (model, step) = smallCNNStep(plan)
            model.zeroGradients()
            losses.append(try step(true))
            gradients.append(model.gradients.array())
            table = model.parameters
        }
        for (plan, index) in zip(plans, plans.indices).dropFirst() {
            XCTAssertEqual(losses[0], losses[index], accuracy: 1e-5 * abs(losses[0]), "\(plan)")
            var worst: Float = 0
            for entry in try XCTUnwrap(table).entries {
                let reference = gradients[0][entry.range], other = gradients[index][entry.range]
                let scale = reference.map(abs).max() ?? 0
                let difference = zip(reference, other).map { abs($0 - $1) }.max() ?? 0
                worst = max(worst, difference / max(scale, 1e-12))
            }
            print(String(format: "%@ vs direct on blocks8: worst tensor max|Δ|/max|g| %.2e", plan.description, worst))
            XCTAssertLessThan(worst, 1e-4, "\(plan)")
        }
    }

    /// A small CNN (seed 3) on a fixed batch of 2 pairs of 16×16 inputs, and its training step:
    /// `step(backward)` returns the bilinear loss and, with `backward`, adds the gradients (checking
    /// that the final-gradient ranges tile the parameters, last layer first).
    private func smallCNNStep(_ convolution: ConvolutionPlan) -> (ContrastiveModel, (Bool) throws -> Float) {
        let model = ContrastiveModel(ModelConfiguration(encoder: .smallCNN), plan: convolution, seed: 3)
        let b = 2
        var generator = SeededGenerator.stream(seed: 5, stream: 0)
        let input = (0..<(2 * b * 16 * 16)).map { _ in generator.nextUniform() * 4 - 2 }
        let mode = ForwardMode(statistics: .batch, updatesRunningStatistics: false, keepsActivations: true, dropConnectSeed: nil)
        return (model, { backward in
            let e = try model.embed(input, count: 2 * b, mode: mode, frames: 16, bands: 16)
            let (r, de) = model.pairLoss(UnsafePointer(e.baseAddress!), pairs: b)
            if backward {
                var ranges: [Range<Int>] = []
                try model.backward(embeddingGradient: de) { ranges.append($0) }
                XCTAssertEqual(ranges.first?.upperBound, model.parameters.count)
                XCTAssertEqual(ranges.last?.lowerBound, 0)
                for (later, earlier) in zip(ranges, ranges.dropFirst()) { XCTAssertEqual(earlier.upperBound, later.lowerBound) }
            }
            return r.loss
        })
    }
}

/// Adapts the head (matrices) to the layer harness (1×1 maps).
final class HeadAsLayer: Layer {
    let head: ProjectionHead
    init(_ head: ProjectionHead) { self.head = head }

    func forward(_ x: FeatureMap, _ run: RunContext) throws -> FeatureMap {
        FeatureMap(head.forward(x.pointer, rows: x.batch, run), batch: x.batch, channels: head.outputs, height: 1, width: 1)
    }

    func backward(_ dy: FeatureMap, _ run: RunContext, inputGradient: Bool) throws -> FeatureMap? {
        FeatureMap(head.backward(dy.pointer, run), batch: dy.batch, channels: head.inputs, height: 1, width: 1)
    }
}
