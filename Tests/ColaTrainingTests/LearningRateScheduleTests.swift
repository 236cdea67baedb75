import XCTest
@testable import ColaTraining

final class LearningRateScheduleTests: XCTestCase {
    private func training(_ yaml: String) throws -> TrainingConfig {
        try RunConfig.parse(yaml: "training:\n" + yaml.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"),
                            file: "schedule.yaml").training
    }

    func testConstantWithoutScalingIsTheReferenceRateAtEveryStep() throws {
        let schedule = LearningRateSchedule(try training("""
            learning_rate: 0.001
            lr_schedule: constant
            lr_scaling: none
            warmup_steps: 0
            batch_size: 1024
            steps: 50
            """))
        XCTAssertEqual([1, 2, 25, 50].map { schedule.rate(step: $0) }, [0.001, 0.001, 0.001, 0.001])
        XCTAssertEqual(schedule.rule, "constant; lr 1e-3")
    }

    func testWarmUpRisesLinearlyFromPeakOverStepsToThePeak() throws {
        let schedule = LearningRateSchedule(try training("""
            learning_rate: 0.002
            lr_schedule: constant
            lr_scaling: none
            warmup_steps: 4
            steps: 10
            """))
        XCTAssertEqual([1, 2, 3, 4, 5, 10].map { schedule.rate(step: $0) }, [0.0005, 0.001, 0.0015, 0.002, 0.002, 0.002])
        XCTAssertEqual(schedule.rule, "constant after warm-up 4 steps; lr 2e-3")
    }

    func testCosineStartsAtThePeakAfterWarmUpPassesTheMidpointAndEndsAtTheFloor() throws {
        let schedule = LearningRateSchedule(try training("""
            learning_rate: 0.001
            lr_schedule: cosine
            lr_scaling: none
            warmup_steps: 10
            min_learning_rate_fraction: 0.1
            steps: 110
            """))
        XCTAssertEqual(schedule.rate(step: 1), 1e-4, accuracy: 1e-10, "warm-up start: peak / warmup_steps")
        XCTAssertEqual(schedule.rate(step: 10), 1e-3, accuracy: 1e-10, "warm-up end: the peak")
        XCTAssertEqual(schedule.rate(step: 60), 0.55e-3, accuracy: 1e-9, "midpoint of the cosine: mean of peak and floor")
        XCTAssertEqual(schedule.rate(step: 35), Float(1e-4 + 0.9e-3 * 0.5 * (1 + cos(Double.pi / 4))), accuracy: 1e-9, "a quarter of the way")
        XCTAssertEqual(schedule.rate(step: 110), 1e-4, accuracy: 1e-10, "last step: the floor")
        let rates = (10...110).map { schedule.rate(step: $0) }
        XCTAssertEqual(zip(rates, rates.dropFirst()).filter { $1 > $0 }.count, 0, "non-increasing after warm-up")
        XCTAssertEqual(schedule.rule, "cosine to 0.1× peak, warm-up 10 steps; lr 1e-3")
    }

    func testCosineWithoutWarmUpDecaysFromThePeakToZero() throws {
        let schedule = LearningRateSchedule(try training("""
            lr_schedule: cosine
            lr_scaling: none
            warmup_steps: 0
            min_learning_rate_fraction: 0
            steps: 4
            """))
        let expected = [0.8535534e-3, 0.5e-3, 0.1464466e-3, 0]
        for (step, rate) in zip(1...4, expected) {
            XCTAssertEqual(Double(schedule.rate(step: step)), rate, accuracy: 1e-9, "step \(step): ½(1 + cos(π·step/4))·peak")
        }
    }

    func testScalingRulesMultiplyTheRateByThePowerOfTheBatchRatio() throws {
        for (rule, batch, expected) in [("none", 1024, 1e-3), ("linear", 1024, 4e-3), ("linear", 64, 2.5e-4),
                                        ("sqrt", 1024, 2e-3), ("sqrt", 64, 5e-4), ("sqrt", 256, 1e-3)] {
            let schedule = LearningRateSchedule(try training("""
                learning_rate: 0.001
                lr_scaling: \(rule)
                base_batch_size: 256
                batch_size: \(batch)
                lr_schedule: constant
                warmup_steps: 0
                """))
            XCTAssertEqual(Double(schedule.rate(step: 7)), expected, accuracy: expected * 1e-6, "\(rule) at batch \(batch)")
        }
        let sqrt = LearningRateSchedule(try training("""
            learning_rate: 0.001
            lr_scaling: sqrt
            base_batch_size: 256
            batch_size: 512
            lr_schedule: cosine
            warmup_steps: 100
            min_learning_rate_fraction: 0.1
            """))
        XCTAssertEqual(sqrt.rule, "cosine to 0.1× peak, warm-up 100 steps; peak 1.41e-3 = 1e-3 × sqrt(512/256)")
        XCTAssertEqual(sqrt.ruleForAnyBatch, "cosine to 0.1× peak, warm-up 100 steps; lr 1e-3 × sqrt(B/256)")
        XCTAssertEqual(sqrt.rate(step: 100), Float(1e-3 * 2.0.squareRoot()), accuracy: 1e-9, "the scaled rate is the peak")
    }

    func testBadScheduleValuesAreConfigErrors() {
        for (line, key) in [("lr_schedule: linear", "training.lr_schedule"), ("lr_scaling: square", "training.lr_scaling"),
                            ("warmup_steps: -1", "training.warmup_steps"), ("base_batch_size: 0", "training.base_batch_size"),
                            ("min_learning_rate_fraction: 1.5", "training.min_learning_rate_fraction")] {
            XCTAssertThrowsError(try training(line), line) { error in
                XCTAssertEqual((error as? ConfigError)?.key, key, "\(error)")
            }
        }
    }
}
