import ColaCore
import ColaTensor
import XCTest
@testable import ColaModel

final class AdamAndModeTests: XCTestCase {
    func testAdamMatchesKerasUpdateByHand() {
        let adam = Adam(count: 2, learningRate: 0.1)
        var theta: [Float] = [1, -2]
        let g: [Float] = [0.5, -0.25]
        adam.update(parameters: &theta, gradients: g)
        // Step 1: m = 0.1g, v = 0.001g², lr_t = 0.1·√0.001/0.1 → θ −= 0.1·sign(g)·|g|/(|g| + ε/√0.001·…) ≈ 0.1·sign(g).
        let lrT = 0.1 * (1 - 0.999).squareRoot() / (1 - 0.9)
        for i in 0..<2 {
            let m = 0.1 * Double(g[i]), v = 0.001 * Double(g[i] * g[i])
            let expected = Double([1, -2][i]) - lrT * m / (v.squareRoot() + 1e-7)
            XCTAssertEqual(Double(theta[i]), expected, accuracy: 1e-6)
        }
        adam.weightDecay = 0.5
        let before = theta
        adam.update(parameters: &theta, gradients: [0, 0])
        XCTAssertEqual(adam.step, 2)
        XCTAssertLessThan(abs(theta[0]), abs(before[0]))
    }

    func testForwardModesAgree() throws {
        for encoder in [EncoderKind.efficientNetB0, .smallCNN] { try checkForwardModes(encoder) }
    }

    private func checkForwardModes(_ encoder: EncoderKind) throws {
        let model = ContrastiveModel(ModelConfiguration(encoder: encoder), seed: 9)
        var generator = SeededGenerator.stream(seed: 1, stream: 0)
        let n = 4
        let input = (0..<(n * 32 * 32)).map { _ in generator.nextUniform() * 10 }
        let training = try Array(model.embed(input, count: n, mode: ForwardMode(statistics: .batch, updatesRunningStatistics: false,
                                                                               keepsActivations: true, dropConnectSeed: 4),
                                             frames: 32, bands: 32))
        let passOne = try Array(model.embed(input, count: n, mode: .forwardOnly(dropConnectSeed: 4), frames: 32, bands: 32))
        XCTAssertEqual(training, passOne, "\(encoder): GradCache pass 1 must reproduce the training forward")
        let frozen = try Array(model.embed(input, count: n, mode: .frozenStatistics, frames: 32, bands: 32))
        let inference = try Array(model.embed(input, count: n, mode: .inference, frames: 32, bands: 32))
        let diff = zip(frozen, inference).map { abs($0 - $1) }.max()!
        print("\(encoder): frozen-statistics training vs inference embeddings: max abs diff \(diff)")
        XCTAssertLessThan(diff, 1e-5)
        let runningBefore = model.bufferValues.array()
        _ = try model.embed(input, count: n, mode: .training(dropConnectSeed: nil), frames: 32, bands: 32)
        XCTAssertNotEqual(runningBefore, model.bufferValues.array(), "training updates running statistics")
    }
}

final class GradientReadinessTests: XCTestCase {
    /// The trainer starts allreducing a range as soon as it is reported, so a reported range must
    /// already hold its final gradient, and the reports must tile the buffer in reverse order.
    func testReportedGradientRangesAreFinalAndTileTheBufferInReverse() throws {
        let model = ContrastiveModel(ModelConfiguration(encoder: .smallCNN), seed: 3)
        var generator = SeededGenerator.stream(seed: 5, stream: 0)
        let n = 4
        let input = (0..<(n * 32 * 32)).map { _ in generator.nextUniform() * 10 }
        let embeddings = try model.embed(input, count: n, mode: .training(dropConnectSeed: nil), frames: 32, bands: 32)
        let embeddingGradient = (0..<embeddings.count).map { _ in generator.nextUniform() - 0.5 }
        var reports: [(range: Range<Int>, values: [Float])] = []
        try embeddingGradient.withUnsafeBufferPointer { gradient in
            try model.backward(embeddingGradient: gradient.baseAddress!) { range in
                reports.append((range, Array(UnsafeBufferPointer(start: model.gradients.pointer + range.lowerBound, count: range.count))))
            }
        }
        XCTAssertEqual(reports.first?.range.upperBound, model.parameters.count)
        XCTAssertEqual(reports.last?.range.lowerBound, 0)
        for (later, earlier) in zip(reports.dropFirst(), reports) {
            XCTAssertEqual(later.range.upperBound, earlier.range.lowerBound, "ranges tile the buffer from the end")
        }
        let final = model.gradients.array()
        for report in reports {
            let change = zip(report.values, final[report.range]).map { abs($0 - $1) }.max() ?? 0
            XCTAssertEqual(change, 0, "range \(report.range) changed after it was reported final")
        }
        let head = try XCTUnwrap(model.parameters["head.dense.weight"])
        XCTAssertTrue(final[head.range].contains { $0 != 0 }, "the head's gradient is in the buffer")
    }
}
