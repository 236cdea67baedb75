import Foundation
import XCTest
@testable import ColaTraining

final class RunConfigTests: XCTestCase {
    private let file = "configs/test.yaml"

    func testDefaultConfigFileParsesToTheReferenceHyperparameters() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../configs/default.yaml").standardized.path
        let config = try RunConfig.load(path: path)
        XCTAssertEqual(config.model.encoder, .efficientNetB0)
        XCTAssertEqual(config.model.similarity, .bilinear)
        XCTAssertEqual(config.model.embeddingDim, 512)
        XCTAssertEqual(config.model.convolution, .auto)
        XCTAssertEqual(config.training.learningRate, 1e-3)
        XCTAssertEqual(config.data.cropFrames, 96)
        XCTAssertEqual(config.data.noiseStd, 0.001)
        XCTAssertEqual(config.training.negatives, .global)
        XCTAssertEqual(config.training, TrainingConfig(), "the file spells out the defaults")
        XCTAssertEqual(LearningRateSchedule(config.training).rule, "cosine to 0.1× peak, warm-up 8 steps; peak 1e-3 = 1e-3 × sqrt(256/256)")
    }

    func testValidConfigWithPartialSections() throws {
        let config = try RunConfig.parse(yaml: """
            name: small
            model:
              encoder: cnn
            training:
              batch_size: 64
              steps: 20
            """, file: file)
        XCTAssertEqual(config.name, "small")
        XCTAssertEqual(config.model.encoder, .smallCNN)
        XCTAssertEqual(config.training.batchSize, 64)
        XCTAssertEqual(config.training.steps, 20)
        XCTAssertEqual(config.training.learningRate, 1e-3, "unset keys keep defaults")
        XCTAssertEqual(config.resolvedRunDir, "runs/small")
    }

    func testUnknownKeyNamesKeyFileAndLine() {
        XCTAssertThrowsError(try RunConfig.parse(yaml: """
            name: x
            training:
              batch_size: 64
              batchsize: 32
            """, file: file)) { error in
            let error = error as! ConfigError
            XCTAssertEqual(error.key, "training.batchsize")
            XCTAssertEqual(error.file, file)
            XCTAssertEqual(error.line, 4)
            XCTAssertTrue(error.description.contains("unknown key"), error.description)
            XCTAssertTrue(error.description.contains("batch_size"), "lists the allowed keys: \(error.description)")
        }
    }

    func testUnknownTopLevelKey() {
        XCTAssertThrowsError(try RunConfig.parse(yaml: "nmae: x\n", file: file)) { error in
            XCTAssertEqual((error as! ConfigError).key, "nmae")
        }
    }

    func testWrongTypeNamesKeyAndExpectedType() {
        XCTAssertThrowsError(try RunConfig.parse(yaml: """
            training:
              steps: many
            """, file: file)) { error in
            let error = error as! ConfigError
            XCTAssertEqual(error.key, "training.steps")
            XCTAssertEqual(error.line, 2)
            XCTAssertTrue(error.description.contains("integer"), error.description)
            XCTAssertTrue(error.description.hasPrefix("\(file):2"), error.description)
        }
    }

    func testUnknownEnumValueIsAnError() {
        XCTAssertThrowsError(try RunConfig.parse(yaml: "model:\n  encoder: resnet\n", file: file)) { error in
            XCTAssertEqual((error as! ConfigError).key, "model.encoder")
        }
        XCTAssertThrowsError(try RunConfig.parse(yaml: "model:\n  convolution: fft\n", file: file)) { error in
            XCTAssertEqual((error as! ConfigError).key, "model.convolution")
        }
    }

    func testOutOfRangeValueIsAnError() {
        XCTAssertThrowsError(try RunConfig.parse(yaml: "training:\n  batch_size: 1\n", file: file)) { error in
            XCTAssertEqual((error as! ConfigError).key, "training.batch_size")
        }
    }

    func testOverridesApplyOnTopOfTheFile() throws {
        let config = try RunConfig.parse(
            yaml: "training:\n  batch_size: 64\n", file: file,
            overrides: ["training.batch_size=128", "model.similarity=cosine", "evaluation.tasks=[spcv1, nsynth]"])
        XCTAssertEqual(config.training.batchSize, 128)
        XCTAssertEqual(config.model.similarity, .cosine)
        XCTAssertEqual(config.evaluation.tasks, ["spcv1", "nsynth"])
        XCTAssertThrowsError(try RunConfig.parse(yaml: "", file: file, overrides: ["training.bach=3"])) { error in
            XCTAssertEqual((error as! ConfigError).key, "training.bach")
        }
        XCTAssertThrowsError(try RunConfig.parse(yaml: "", file: file, overrides: ["novalue"]))
    }

    func testEffectiveConfigRoundTripsThroughYAML() throws {
        var config = RunConfig()
        config.name = "roundtrip"
        config.training.chunkSize = 32
        config.evaluation.tasks = ["all"]
        let reread = try RunConfig.parse(yaml: try config.yaml(), file: "effective.yaml")
        XCTAssertEqual(reread, config)
    }

    func testConfigsWrittenForTheAdamProbeStillLoad() throws {
        // Checkpoints' state.json carry the config they trained with, `probe_epochs` included.
        let config = try RunConfig.parse(yaml: "evaluation:\n  tasks: [all]\n  probe_epochs: 30\n", file: file)
        XCTAssertEqual(config.evaluation.tasks, ["all"])
        XCTAssertFalse(try config.yaml().contains("probe_epochs"), "not written back")
        XCTAssertThrowsError(try RunConfig.parse(yaml: "evaluation:\n  probe_epoch: 30\n", file: file), "other unknown keys stay errors")
    }

    /// Checkpoints written before `model.batch_norm` still load: their `freeze_batch_norm` maps to it.
    func testOlderFreezeBatchNormReadsAsTheModelsBatchNorm() throws {
        XCTAssertEqual(try RunConfig.parse(yaml: "training:\n  freeze_batch_norm: true\n", file: file).model.batchNorm, .frozen)
        XCTAssertEqual(try RunConfig.parse(yaml: "training:\n  freeze_batch_norm: false\n", file: file).model.batchNorm, .local)
        XCTAssertFalse(try RunConfig.parse(yaml: "training:\n  freeze_batch_norm: true\n", file: file).yaml().contains("freeze_batch_norm"))
    }
}
