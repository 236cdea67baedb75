import ColaTraining
import Foundation
import XCTest
@testable import ColaPipeline

final class SweepConfigTests: XCTestCase {
    private var folder = ""

    override func setUpWithError() throws {
        folder = try makeSweepTestDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    private var configsFolder: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../configs").standardized.path
    }

    func testEveryConfigInTheConfigsFolderParses() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: configsFolder).filter { $0.hasSuffix(".yaml") }.sorted()
        for expected in ["default.yaml", "demo.yaml", "cnn-standins.yaml", "effnet-b0-audioset.yaml", "sweep.yaml"] {
            XCTAssertTrue(files.contains(expected), "configs/\(expected) exists")
        }
        for file in files {
            let path = "\(configsFolder)/\(file)"
            let text = try String(contentsOfFile: path, encoding: .utf8)
            if text.split(separator: "\n").contains(where: { $0.hasPrefix("sweep:") }) {
                let sweep = try SweepConfig.load(path: path)
                for member in SweepPlan(config: sweep).members {
                    XCTAssertNoThrow(try sweep.loadBase(extraOverrides: member.overrides), "\(file): \(member.id)")
                }
            } else {
                XCTAssertNoThrow(try RunConfig.load(path: path), file)
            }
        }
    }

    func testShippedConfigsCarryTheirPurpose() throws {
        let demo = try RunConfig.load(path: "\(configsFolder)/demo.yaml")
        XCTAssertEqual(demo.model.encoder, .smallCNN)
        XCTAssertEqual(demo.training.negatives, .global)
        XCTAssertEqual(demo.training.batchSize % 2, 0, "2 ranks")
        let reference = try RunConfig.load(path: "\(configsFolder)/effnet-b0-audioset.yaml")
        XCTAssertEqual(reference.model.encoder, .efficientNetB0)
        XCTAssertEqual(reference.training.batchSize, 64)
        XCTAssertEqual(reference.training.steps, 100_000)
        XCTAssertEqual(reference.training.learningRate, 1e-3)
        XCTAssertEqual(LearningRateSchedule(reference.training).rule, "constant; lr 1e-3", "the reference's constant rate")
        XCTAssertEqual(LearningRateSchedule(demo.training).rule, "constant; lr 1e-3", "the rate the README's demo table was measured with")
        let sweep = try SweepConfig.load(path: "\(configsFolder)/sweep.yaml")
        XCTAssertEqual(sweep.batchSizes, [32, 64, 128, 256, 512, 1024])
        XCTAssertEqual(sweep.baseConfig, "\(configsFolder)/cnn-standins.yaml")
        XCTAssertEqual(sweep.variants, [SweepConfig.Variant(similarity: .bilinear, negatives: .global)])
    }

    func testVariantsDefaultToTheBaseConfigsSimilarityAndNegatives() throws {
        let config = try writeSweepFiles(in: folder, sweepYAML: """
            sweep:
              name: s
              base_config: base.yaml
              batch_sizes: [64]
              steps: 3
              set: [model.similarity=cosine]
              variants:
                - {negatives: local}
            """)
        XCTAssertEqual(config.variants, [SweepConfig.Variant(similarity: .cosine, negatives: .local)])
        XCTAssertEqual(config.budget, .steps(3))
        XCTAssertEqual(config.resolvedRunDir, "runs/s")
    }

    func testAVariantCanRunAtSomeOfTheBatchSizes() throws {
        let config = try writeSweepFiles(in: folder, sweepYAML: """
            sweep:
              name: s
              base_config: base.yaml
              batch_sizes: [32, 64, 128]
              steps: 3
              variants:
                - {similarity: bilinear, negatives: global}
                - {similarity: cosine, negatives: global, batch_sizes: [64]}
            """)
        let cosine = SweepConfig.Variant(similarity: .cosine, negatives: .global)
        XCTAssertEqual(config.batchSizes(for: cosine), [64])
        XCTAssertEqual(config.batchSizes(for: SweepConfig.Variant(similarity: .bilinear, negatives: .global)), [32, 64, 128])
        XCTAssertEqual(SweepPlan(config: config).members.map(\.id),
                       ["bilinear-global/b32", "bilinear-global/b64", "cosine-global/b64", "bilinear-global/b128"])
        XCTAssertThrowsError(try writeSweepFiles(in: folder, sweepYAML: """
            sweep:
              name: s
              base_config: base.yaml
              batch_sizes: [32, 64]
              steps: 3
              variants:
                - {similarity: cosine, batch_sizes: [256]}
            """)) { error in
            XCTAssertTrue("\(error)".contains("cosine-global's batch_sizes [256] must be distinct values from batch_sizes [32, 64]"), "\(error)")
        }
    }

    func testABudgetOfExactlyOneKindIsRequired() {
        for budget in ["", "  steps: 3\n  examples: 100\n"] {
            XCTAssertThrowsError(try writeSweepFiles(in: folder, sweepYAML: "sweep:\n  name: s\n  base_config: base.yaml\n  batch_sizes: [64]\n" + budget)) { error in
                XCTAssertTrue("\(error)".contains("exactly one budget"), "\(error)")
            }
        }
    }

    func testUnknownSweepKeyNamesTheKeyAndLine() {
        XCTAssertThrowsError(try writeSweepFiles(in: folder, sweepYAML: """
            sweep:
              name: s
              base_config: base.yaml
              batch_size: [64]
            """)) { error in
            let error = error as! ConfigError
            XCTAssertEqual(error.key, "sweep.batch_size")
            XCTAssertEqual(error.line, 4)
            XCTAssertTrue(error.description.contains("batch_sizes"), error.description)
        }
    }

    func testBatchThatRanksDoNotDivideIsAnError() {
        XCTAssertThrowsError(try writeSweepFiles(in: folder, sweepYAML: """
            sweep:
              name: s
              base_config: base.yaml
              batch_sizes: [64, 100]
              steps: 3
              ranks: 8
            """)) { error in
            XCTAssertEqual((error as! ConfigError).key, "sweep.batch_sizes")
            XCTAssertTrue("\(error)".contains("100"), "\(error)")
        }
    }

    func testOverrideThatTheBaseConfigRejectsFailsBeforeAnythingRuns() {
        XCTAssertThrowsError(try writeSweepFiles(in: folder, sweepYAML: """
            sweep:
              name: s
              base_config: base.yaml
              batch_sizes: [64]
              steps: 3
              set: [training.bach=3]
            """)) { error in
            XCTAssertEqual((error as! ConfigError).key, "training.bach")
        }
    }

    func testVariantNamesRoundTrip() {
        XCTAssertEqual(SweepConfig.Variant(name: "cosine-global"), SweepConfig.Variant(similarity: .cosine, negatives: .global))
        XCTAssertEqual(SweepConfig.Variant(name: "bilinear-local")?.name, "bilinear-local")
        XCTAssertNil(SweepConfig.Variant(name: "dot-global"))
    }

    func testSeedsParseAndMustBeDistinct() throws {
        let sweep = """
            sweep:
              name: s
              base_config: base.yaml
              batch_sizes: [32]
              steps: 2
              seeds: SEEDS
            """
        let seeded = try writeSweepFiles(in: folder, sweepYAML: sweep.replacingOccurrences(of: "SEEDS", with: "[0, 1, 2]"))
        XCTAssertEqual(seeded.seeds, [0, 1, 2])
        let member = SweepPlan(config: seeded).members[2]
        XCTAssertEqual(try seeded.loadBase(extraOverrides: member.overrides).seed, 2, "the member's run config takes its seed")
        XCTAssertNil(try writeSweepFiles(in: folder, sweepYAML: sweep.replacingOccurrences(of: "\n  seeds: SEEDS", with: "")).seeds)
        for (bad, problem) in [("[1, 1]", "twice"), ("[]", "at least one"), ("[-1]", "integer")] {
            XCTAssertThrowsError(try writeSweepFiles(in: folder, sweepYAML: sweep.replacingOccurrences(of: "SEEDS", with: bad)), bad) { error in
                XCTAssertEqual((error as? ConfigError)?.key.hasPrefix("sweep.seeds"), true, "\(error)")
                XCTAssertTrue("\(error)".contains(problem), "\(error)")
            }
        }
    }
}
