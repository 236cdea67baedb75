import ColaDistributed
import Foundation
import XCTest
@testable import ColaTraining

final class ContrastiveStepTests: XCTestCase {
    private func slice(_ batch: StepBatch, _ range: Range<Int>, segment: Int) -> StepBatch {
        StepBatch(anchors: Array(batch.anchors[(range.lowerBound * segment)..<(range.upperBound * segment)]),
                  positives: Array(batch.positives[(range.lowerBound * segment)..<(range.upperBound * segment)]),
                  clips: range.count, itemIDs: Array(batch.itemIDs[range]))
    }

    private func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    func testGradCacheChunksOf8EqualNoChunkingOnB32() throws {
        let batch = randomBatch(clips: 32, segmentLength: 6, seed: 11)
        var results: [(Float, [Float])] = []
        for chunk in [nil, 8, 5] as [Int?] {
            let model = LinearPairModel()
            let step = ContrastiveStep(model: model, communicator: LocalCommunicator(), negatives: .global,
                                       chunkSize: chunk, bucketMegabytes: 4)
            let outcome = try step.run(batch, seed: 1)
            results.append((outcome.loss, Array(model.gradients)))
        }
        for (index, chunk) in [8, 5].enumerated() {
            let diff = maxDifference(results[0].1, results[index + 1].1)
            print("GradCache chunk \(chunk) vs none, B=32: max |Δgrad| = \(diff), Δloss = \(abs(results[0].0 - results[index + 1].0))")
            XCTAssertLessThan(diff, 1e-6)
            XCTAssertEqual(results[0].0, results[index + 1].0, accuracy: 1e-6)
        }
    }

    func testGlobalNegativesOnTwoRanksEqualOneRankWithTheWholeBatch() throws {
        let b = 6
        let batch = randomBatch(clips: 2 * b, segmentLength: 6, seed: 21)
        let single = LinearPairModel()
        let reference = try ContrastiveStep(model: single, communicator: LocalCommunicator(), negatives: .global,
                                            chunkSize: nil, bucketMegabytes: 4).run(batch, seed: 1)
        let halves = [slice(batch, 0..<b, segment: 6), slice(batch, b..<(2 * b), segment: 6)]
        let outcomes = try ThreadedWorld(size: 2).run { communicator -> (Float, Int, [Float]) in
            let model = LinearPairModel()
            let step = ContrastiveStep(model: model, communicator: communicator, negatives: .global,
                                       chunkSize: communicator.rank == 0 ? nil : 4, bucketMegabytes: 4)
            let outcome = try step.run(halves[communicator.rank], seed: 1)
            return (outcome.loss, outcome.correct, Array(model.gradients))
        }
        let lossSum = outcomes[0].0 + outcomes[1].0
        let diff0 = maxDifference(outcomes[0].2, Array(single.gradients))
        let diff1 = maxDifference(outcomes[1].2, outcomes[0].2)
        print("global negatives 2×\(b) vs 1×\(2 * b): loss \(lossSum) vs \(reference.loss), max |Δgrad| \(diff0), ranks differ by \(diff1)")
        XCTAssertEqual(lossSum, reference.loss, accuracy: 1e-6)
        XCTAssertEqual(outcomes[0].1 + outcomes[1].1, reference.correct)
        XCTAssertLessThan(diff0, 1e-6)
        XCTAssertEqual(diff1, 0, "every rank holds the same reduced gradient")
    }

    func testLocalNegativesMatchThePerReplicaFormula() throws {
        let b = 5
        let batch = randomBatch(clips: 2 * b, segmentLength: 6, seed: 31)
        let halves = [slice(batch, 0..<b, segment: 6), slice(batch, b..<(2 * b), segment: 6)]
        // Direct: each replica's mean cross-entropy over its own b positives, averaged over replicas.
        let direct = LinearPairModel()
        direct.gradients.update(repeating: 0)
        var directLoss: Float = 0
        for half in halves {
            let input = half.encoderInput(0..<b, segmentLength: 6)
            let e = try input.withUnsafeBufferPointer { try direct.embed($0, count: 2 * b, pass: .withActivations, seed: 0) }
            let loss = try direct.pairLoss(anchors: Array(e[0..<(b * 4)]), positives: Array(e[(b * 4)...]), positiveOffset: 0, divisor: Float(2 * b))
            directLoss += loss.loss
            try (loss.anchorGradient + loss.positiveGradient).withUnsafeBufferPointer { g in
                try direct.backward(embeddingGradient: g) { _ in }
            }
        }
        let outcomes = try ThreadedWorld(size: 2).run { communicator -> (Float, [Float]) in
            let model = LinearPairModel()
            let outcome = try ContrastiveStep(model: model, communicator: communicator, negatives: .local,
                                              chunkSize: nil, bucketMegabytes: 4).run(halves[communicator.rank], seed: 1)
            return (outcome.loss, Array(model.gradients))
        }
        let diff = maxDifference(outcomes[0].1, Array(direct.gradients))
        print("local negatives 2×\(b): loss \(outcomes[0].0 + outcomes[1].0) vs direct \(directLoss), max |Δgrad| \(diff)")
        XCTAssertEqual(outcomes[0].0 + outcomes[1].0, directLoss, accuracy: 1e-6)
        XCTAssertLessThan(diff, 1e-6)
        // Two local groups on one rank (clips dealt alternately, as ranks get them) emulate the two replicas.
        let interleaved = (0..<(2 * b)).map { $0 % 2 == 0 ? $0 / 2 : b + $0 / 2 }
        let dealt = StepBatch(anchors: interleaved.flatMap { batch.anchors[($0 * 6)..<($0 * 6 + 6)] },
                              positives: interleaved.flatMap { batch.positives[($0 * 6)..<($0 * 6 + 6)] },
                              clips: 2 * b, itemIDs: interleaved)
        let grouped = LinearPairModel()
        let outcome = try ContrastiveStep(model: grouped, communicator: LocalCommunicator(), negatives: .local,
                                          chunkSize: nil, bucketMegabytes: 4, localGroups: 2).run(dealt, seed: 1)
        XCTAssertEqual(outcome.loss, directLoss, accuracy: 1e-6)
        XCTAssertLessThan(maxDifference(Array(grouped.gradients), Array(direct.gradients)), 1e-6)
    }

    func testChunksCoverTheBatch() {
        XCTAssertEqual(ContrastiveStep.chunks(count: 10, size: 4), [0..<4, 4..<8, 8..<10])
        XCTAssertEqual(ContrastiveStep.chunks(count: 10, size: nil), [0..<10])
        XCTAssertEqual(ContrastiveStep.chunks(count: 10, size: 10), [0..<10])
    }
}
