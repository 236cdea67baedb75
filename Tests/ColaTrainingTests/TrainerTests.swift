import ColaDistributed
import Foundation
import XCTest
@testable import ColaTraining

/// `items` deterministic clips; global position p is item p mod items; rank r of n takes
/// clips r·b ..< (r+1)·b of each global batch.
private final class MemorySource: StepBatchSource {
    let items: Int
    let localBatch: Int
    let rank: Int
    let ranks: Int
    var served: [Int] = []
    /// A global position at which the source fails, as a killed job would stop there.
    var failsAt: Int?

    init(items: Int, localBatch: Int, rank: Int, ranks: Int) {
        self.items = items
        self.localBatch = localBatch
        self.rank = rank
        self.ranks = ranks
    }

    func batch(position: Int) throws -> StepBatch {
        if position == failsAt { throw Killed() }
        let ids = (0..<localBatch).map { position + rank * localBatch + $0 }
        served += ids
        var anchors: [Float] = []
        var positives: [Float] = []
        for id in ids {
            let clip = randomBatch(clips: 1, segmentLength: 6, seed: UInt64(id % items) + 100)
            anchors += clip.anchors
            positives += clip.positives
        }
        return StepBatch(anchors: anchors, positives: positives, clips: localBatch, itemIDs: ids, skipped: id(ids))
    }

    struct Killed: Error {}

    private func id(_ ids: [Int]) -> [String: Int] { ["missing": ids.count % 2] }
}

final class TrainerTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "cola-trainer-\(UUID().uuidString)"
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func config(steps: Int, batch: Int = 8, schedule: String = "lr_schedule: constant\n  lr_scaling: none\n  warmup_steps: 0") throws -> RunConfig {
        try RunConfig.parse(yaml: """
            name: unit
            run_dir: \(folder!)
            training:
              batch_size: \(batch)
              steps: \(steps)
              learning_rate: 0.1
              \(schedule)
              checkpoint_every: 2
              keep_checkpoints: 5
              log_every: 1
            """, file: "unit.yaml")
    }

    private func train(_ config: RunConfig, ranks: Int, resume: ResumeRequest? = nil, killedAt: Int? = nil) throws
        -> [(params: [Float], served: [Int])] {
        try ThreadedWorld(size: ranks).run { communicator in
            let model = LinearPairModel(seed: UInt64(10 + communicator.rank))  // rank 0's init wins the broadcast
            let source = MemorySource(items: 40, localBatch: config.training.batchSize / ranks, rank: communicator.rank, ranks: ranks)
            source.failsAt = killedAt
            var options = TrainerOptions()
            options.checkSync = true
            options.logItems = true
            options.resume = resume
            options.echo = { _ in }
            let trainer = try Trainer(config: config, model: model, optimizer: PlainSGD(), data: source,
                                      itemsPerEpoch: 40, communicator: communicator, options: options)
            _ = try trainer.train()
            return (Array(model.parameters), source.served)
        }
    }

    func testResumeIsBitIdentical() throws {
        let uninterrupted = try train(try config(steps: 6), ranks: 2)
        try FileManager.default.removeItem(atPath: folder)
        _ = try train(try config(steps: 4), ranks: 2)
        let resumed = try train(try config(steps: 6), ranks: 2, resume: .latest)
        XCTAssertEqual(resumed[0].params.map(\.bitPattern), uninterrupted[0].params.map(\.bitPattern))
        XCTAssertEqual(resumed[1].params.map(\.bitPattern), uninterrupted[0].params.map(\.bitPattern))
        XCTAssertEqual(resumed[0].served, [32, 33, 34, 35, 40, 41, 42, 43], "resume starts at the saved global position")
        let metrics = try String(contentsOfFile: "\(folder!)/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(metrics.count, 6, "one line per step, none duplicated by the resume")
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(folder!)/config.yaml"))
        let log = try String(contentsOfFile: "\(folder!)/train.log", encoding: .utf8)
        XCTAssertTrue(log.contains("skipped inputs (all ranks): missing 0"), log)
    }

    func testCosineScheduleResumesBitIdenticallyAndLogsEachStepsRate() throws {
        // Lines of the training section (indented by config(steps:batch:schedule:)).
        let schedule = "lr_schedule: cosine\n  warmup_steps: 2\n  min_learning_rate_fraction: 0.1\n  lr_scaling: sqrt\n  base_batch_size: 2"
        let uninterrupted = try train(try config(steps: 6, schedule: schedule), ranks: 2)
        let constant = try train(try config(steps: 6), ranks: 2)
        XCTAssertNotEqual(uninterrupted[0].params, constant[0].params, "the schedule changes the updates")
        try FileManager.default.removeItem(atPath: folder)
        XCTAssertThrowsError(try train(try config(steps: 6, schedule: schedule), ranks: 2, killedAt: 32), "killed before step 5")
        let resumed = try train(try config(steps: 6, schedule: schedule), ranks: 2, resume: .latest)
        XCTAssertEqual(resumed[0].params.map(\.bitPattern), uninterrupted[0].params.map(\.bitPattern))
        let metrics = try String(contentsOfFile: "\(folder!)/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        let rates = try metrics.map { try JSONDecoder().decode(StepMetrics.self, from: Data($0.utf8)).lr }
        let expected = LearningRateSchedule(try config(steps: 6, schedule: schedule).training)
        XCTAssertEqual(rates, (1...6).map { Double(expected.rate(step: $0)) })
        XCTAssertEqual(rates[1], 0.2, accuracy: 1e-7, "end of warm-up: 0.1 × sqrt(8/2)")
        XCTAssertEqual(rates[5], 0.02, accuracy: 1e-7, "last step: 0.1 of the peak")
        let log = try String(contentsOfFile: "\(folder!)/train.log", encoding: .utf8)
        XCTAssertTrue(log.contains("learning rate cosine to 0.1× peak, warm-up 2 steps; peak 0.2 = 0.1 × sqrt(8/2)"), log)
    }

    func testResumeOnADifferentRankCountNeitherRepeatsNorSkips() throws {
        _ = try train(try config(steps: 2), ranks: 2)
        let resumed = try train(try config(steps: 4), ranks: 1, resume: .latest)
        let metrics = try String(contentsOfFile: "\(folder!)/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        let items = try metrics.flatMap { try JSONDecoder().decode(StepMetrics.self, from: Data($0.utf8)).items ?? [] }
        XCTAssertEqual(items, Array(0..<32), "every global position once, in order, across the rank change")
        XCTAssertEqual(resumed[0].served, Array(16..<32))
    }

    func testCorruptLatestCheckpointFallsBackOnResume() throws {
        _ = try train(try config(steps: 4), ranks: 1)
        let model = "\(folder!)/checkpoints/step-000004/model.bin"
        var bytes = [UInt8](FileManager.default.contents(atPath: model)!)
        bytes[100] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: model))
        let resumed = try train(try config(steps: 4), ranks: 1, resume: .latest)
        XCTAssertEqual(resumed[0].served, Array(16..<32), "continued from step 2")
        let log = try String(contentsOfFile: "\(folder!)/train.log", encoding: .utf8)
        XCTAssertTrue(log.contains("refusing \(folder!)/checkpoints/step-000004: checkpoint"), log)
        XCTAssertTrue(log.contains("checksum mismatch"), log)
    }

    func testBatchNotDivisibleByRanksFailsBeforeTraining() throws {
        XCTAssertThrowsError(try train(try config(steps: 2, batch: 9), ranks: 2)) { error in
            XCTAssertTrue("\(error)".contains("not divisible"), "\(error)")
        }
    }

    func testThreadPlanDividesCoresAmongLocalRanks() {
        XCTAssertEqual(ThreadPlan(configured: 0, environment: ["OMPI_COMM_WORLD_LOCAL_SIZE": "2"], cores: 8).threads, 4)
        XCTAssertEqual(ThreadPlan(configured: 0, environment: [:], cores: 2).threads, 2)
        XCTAssertEqual(ThreadPlan(configured: 3, environment: ["OMPI_COMM_WORLD_LOCAL_SIZE": "2"], cores: 8).threads, 3)
        XCTAssertEqual(ThreadPlan(configured: 0, environment: ["OMPI_COMM_WORLD_LOCAL_SIZE": "4"], cores: 2).threads, 1)
    }
}
