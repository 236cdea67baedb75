import Foundation
import XCTest
@testable import ColaPipeline

final class SweepResumeTests: XCTestCase {
    private var folder = ""

    override func setUpWithError() throws {
        folder = try makeSweepTestDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func sweepConfig(extra: String = "") throws -> SweepConfig {
        try writeSweepFiles(in: folder, sweepYAML: """
            sweep:
              name: test
              base_config: base.yaml
              batch_sizes: [32, 64, 128]
              steps: 4
              ranks: 2
              run_dir: \(folder)/runs/test
              eval_arguments: [--folds, "3"]
            \(extra)
            """)
    }

    private func orchestrator(_ config: SweepConfig, _ runner: RecordingMemberRunner) -> SweepOrchestrator {
        let launch = LaunchCommand(launcher: .mpirun, ranks: config.ranks, isRoot: true, cores: 2,
                                   mpi: MPILauncher(program: "mpirun", dialect: .openMPI))
        return SweepOrchestrator(config: config, cola: "/opt/cola", launch: launch, runner: runner, log: { _ in })
    }

    func testSweepPretrainsThenEvaluatesEachMemberAndWritesTheSummary() throws {
        let config = try sweepConfig()
        let runner = RecordingMemberRunner()
        let summary = try orchestrator(config, runner).run()
        XCTAssertEqual(runner.steps, ["b32:pretrain", "b32:evaluate", "b64:pretrain", "b64:evaluate", "b128:pretrain", "b128:evaluate"])
        XCTAssertEqual(summary.members.map(\.status), [.finished, .finished, .finished])
        XCTAssertEqual(summary.members[1].meanAccuracy!, (0.36 + 0.53) / 2, accuracy: 1e-12)
        for file in ["sweep.json", "summary.json", "summary.md", "plots/accuracy_vs_negatives.svg", "plots/loss_curves.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(config.resolvedRunDir)/\(file)"), file)
        }

        let pretrain = runner.invocations[2].arguments
        XCTAssertEqual(Array(pretrain.prefix(9)), ["mpirun", "-np", "2", "--bind-to", "none", "--allow-run-as-root", "/opt/cola", "pretrain", "--config"])
        XCTAssertEqual(runner.value(after: "--config", in: pretrain), "\(folder)/base.yaml")
        XCTAssertEqual(runner.value(after: "--run-dir", in: pretrain), "\(folder)/runs/test/b64")
        XCTAssertEqual(runner.value(ofSetting: "training.batch_size", in: pretrain), "64")
        XCTAssertEqual(runner.value(ofSetting: "training.steps", in: pretrain), "4")
        XCTAssertEqual(runner.value(ofSetting: "name", in: pretrain), "test-b64")
        XCTAssertEqual(runner.value(ofSetting: "evaluation.tasks", in: pretrain), "[]", "the sweep runs the suite itself")
        XCTAssertFalse(pretrain.contains("--resume"))
        XCTAssertEqual(runner.invocations[2].environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"], "1")

        let evaluate = runner.invocations[3].arguments
        XCTAssertEqual(evaluate.first, "/opt/cola", "the transfer suite runs as one process, without mpirun")
        XCTAssertEqual(runner.value(after: "--checkpoint", in: evaluate), "\(folder)/runs/test/b64/checkpoints/latest")
        XCTAssertEqual(runner.value(after: "--out", in: evaluate), "\(folder)/runs/test/b64/eval")
        XCTAssertEqual(runner.value(after: "--tasks", in: evaluate), "spcv1,nsynth", "from the base config")
        XCTAssertEqual(runner.value(after: "--data-root", in: evaluate), "data/standins-tiny", "from the base config")
        XCTAssertEqual(runner.value(after: "--folds", in: evaluate), "3", "eval_arguments")
        XCTAssertEqual(runner.value(after: "--scores", in: evaluate), "\(folder)/runs/test/scores.csv", "one score table per sweep")
    }

    func testSweepInterruptedMidwayResumesWithoutRedoingFinishedMembers() throws {
        let config = try sweepConfig()
        let first = RecordingMemberRunner()
        first.interruptAt = 2  // b32 pretrain, b32 evaluate, then killed while b64 pretrains
        XCTAssertThrowsError(try orchestrator(config, first).run()) { XCTAssertTrue($0 is RecordingMemberRunner.Interrupted) }
        XCTAssertEqual(first.steps, ["b32:pretrain", "b32:evaluate", "b64:pretrain"])

        let second = RecordingMemberRunner()
        let summary = try orchestrator(config, second).run()
        XCTAssertEqual(second.steps, ["b64:pretrain", "b64:evaluate", "b128:pretrain", "b128:evaluate"], "b32 is not redone")
        XCTAssertTrue(second.invocations[0].arguments.contains("--resume"), "b64 resumes from its checkpoint")
        XCTAssertFalse(second.invocations[2].arguments.contains("--resume"), "b128 starts fresh")
        XCTAssertEqual(summary.members.map(\.status), [.finished, .finished, .finished])

        let third = RecordingMemberRunner()
        try orchestrator(config, third).run()
        XCTAssertEqual(third.steps, [], "a finished sweep runs nothing")
    }

    func testMemberInterruptedDuringTheTransferSuiteIsOnlyReevaluated() throws {
        let config = try sweepConfig()
        let first = RecordingMemberRunner()
        first.interruptAt = 1  // killed while b32's eval writes results.json
        XCTAssertThrowsError(try orchestrator(config, first).run())
        XCTAssertEqual(SweepMemberFiles(sweepDirectory: config.resolvedRunDir, memberID: "b32").status, .pretrained,
                       "half a results.json does not count as finished")

        let second = RecordingMemberRunner()
        try orchestrator(config, second).run()
        XCTAssertEqual(second.steps.first, "b32:evaluate")
        XCTAssertEqual(second.steps.count, 5)
    }

    func testFailedMemberDoesNotStopTheOthersAndIsRetriedOnRerun() throws {
        let config = try sweepConfig()
        let first = RecordingMemberRunner()
        first.failingMembers = ["b64"]
        XCTAssertThrowsError(try orchestrator(config, first).run()) { error in
            XCTAssertEqual(error as? SweepError, .membersFailed(["b64"]))
        }
        XCTAssertEqual(first.steps, ["b32:pretrain", "b32:evaluate", "b64:pretrain", "b128:pretrain", "b128:evaluate"])
        let summary = try JSONDecoder().decode(SweepSummary.self, from: Data(contentsOf: URL(fileURLWithPath: "\(config.resolvedRunDir)/summary.json")))
        XCTAssertEqual(summary.members.map(\.status), [.finished, .training, .finished])

        let second = RecordingMemberRunner()
        try orchestrator(config, second).run()
        XCTAssertEqual(second.steps, ["b64:pretrain", "b64:evaluate"])
    }

    func testPretrainingStoppedBeforeItsLastStepStopsTheSweepAndResumesOnRerun() throws {
        let config = try sweepConfig()
        let first = RecordingMemberRunner()
        first.stopEarly = ["b64"]
        XCTAssertThrowsError(try orchestrator(config, first).run()) { error in
            XCTAssertEqual(error as? SweepError, .pretrainingStopped(member: "b64", step: 3, of: 4))
        }
        XCTAssertEqual(first.steps, ["b32:pretrain", "b32:evaluate", "b64:pretrain"], "no eval of a half-trained encoder, no next member")
        let second = RecordingMemberRunner()
        try orchestrator(config, second).run()
        XCTAssertEqual(second.steps, ["b64:pretrain", "b64:evaluate", "b128:pretrain", "b128:evaluate"])
        XCTAssertTrue(second.invocations[0].arguments.contains("--resume"))
    }

    func testMemberIndexRunsOneMemberAsAnArrayTaskWould() throws {
        let config = try sweepConfig()
        let runner = RecordingMemberRunner()
        let summary = try orchestrator(config, runner).run(memberIndex: 2)
        XCTAssertEqual(runner.steps, ["b128:pretrain", "b128:evaluate"])
        XCTAssertEqual(summary.members.map(\.status), [.pending, .pending, .finished], "the summary lists the whole plan")
        XCTAssertThrowsError(try orchestrator(config, runner).run(memberIndex: 3)) { error in
            XCTAssertEqual(error as? SweepError, .memberIndexOutOfRange(index: 3, count: 3))
        }
    }

    func testFloorsScoredBesideTheMembersBecomeTheBaselines() throws {
        let config = try sweepConfig()
        let summary = try orchestrator(config, RecordingMemberRunner()).run()
        XCTAssertEqual(summary.baselines.map(\.name), ["logmel-stats", "random-cnn"])
        XCTAssertEqual(summary.baselines[0].tasks["spcv1"]!, 0.35 / 2, accuracy: 1e-12, "from the first member, b32")
        XCTAssertEqual(summary.baselines[1].meanAccuracy, (0.35 + 0.525) / 2 / 4, accuracy: 1e-12)
        XCTAssertEqual(summary.taskNames, ["nsynth", "spcv1"], "the skipped task is not a column")
        let svg = try String(contentsOfFile: "\(config.resolvedRunDir)/plots/accuracy_vs_negatives.svg", encoding: .utf8)
        XCTAssertEqual(svg.components(separatedBy: #"class="reference""#).count - 1, 2)
    }

    func testVariantsRunEveryBatchSizeInTheirOwnFolders() throws {
        let config = try sweepConfig(extra: """
              variants:
                - {similarity: bilinear, negatives: global}
                - {similarity: cosine, negatives: local}
            """)
        let runner = RecordingMemberRunner()
        let summary = try orchestrator(config, runner).run()
        XCTAssertEqual(runner.invocations.filter { $0.step == .pretrain }.map(\.member), [
            "bilinear-global/b32", "cosine-local/b32", "bilinear-global/b64", "cosine-local/b64",
            "bilinear-global/b128", "cosine-local/b128",
        ])
        let cosine = runner.invocations.first { $0.member == "cosine-local/b64" }!.arguments
        XCTAssertEqual(runner.value(ofSetting: "model.similarity", in: cosine), "cosine")
        XCTAssertEqual(runner.value(ofSetting: "training.negatives", in: cosine), "local")
        XCTAssertEqual(runner.value(ofSetting: "name", in: cosine), "test-cosine-local-b64")
        XCTAssertEqual(summary.members.map(\.negatives), [31, 15, 63, 31, 127, 63])
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(config.resolvedRunDir)/cosine-local/b64/eval/results.json"))
    }

    func testSeedsRunEachMemberPerSeedAndReportMeanAndSpread() throws {
        let config = try sweepConfig(extra: "  seeds: [0, 1, 2]")
        let first = RecordingMemberRunner()
        first.interruptAt = 4  // b32/s0, b64/s0 done; killed in b128/s0's pretraining
        XCTAssertThrowsError(try orchestrator(config, first).run())
        let runner = RecordingMemberRunner()
        let summary = try orchestrator(config, runner).run()
        XCTAssertEqual(runner.steps.filter { $0.hasSuffix("pretrain") }, [
            "b128/s0:pretrain", "b32/s1:pretrain", "b64/s1:pretrain", "b128/s1:pretrain",
            "b32/s2:pretrain", "b64/s2:pretrain", "b128/s2:pretrain",
        ], "resumed in b128/s0, finished members not redone")
        XCTAssertTrue(runner.invocations[0].arguments.contains("--resume"))
        let pretrain = runner.invocations.first { $0.member == "b64/s2" && $0.step == .pretrain }!.arguments
        XCTAssertEqual(runner.value(ofSetting: "seed", in: pretrain), "2")
        XCTAssertEqual(runner.value(after: "--run-dir", in: pretrain), "\(folder)/runs/test/b64/s2")
        XCTAssertEqual(runner.value(ofSetting: "name", in: pretrain), "test-b64-s2")

        XCTAssertEqual(summary.members.count, 9)
        XCTAssertEqual(summary.groups.map(\.id), ["b32", "b64", "b128"])
        let b64 = summary.groups[1]
        XCTAssertEqual(b64.finished, 3)
        XCTAssertEqual(b64.seeds, [0, 1, 2])
        // spcv1 = 0.3 + log2(64)/100 + seed/100: 0.36, 0.37, 0.38.
        XCTAssertEqual(b64.tasks["spcv1"]!.mean, 0.37, accuracy: 1e-12)
        XCTAssertEqual(b64.tasks["spcv1"]!.standardDeviation!, 0.01, accuracy: 1e-12, "sample standard deviation")
        XCTAssertEqual(b64.meanAccuracy!.mean, (0.37 + 0.53 + 0.005) / 2, accuracy: 1e-12)
        XCTAssertEqual(b64.meanAccuracy!.standardDeviation!, 0.0075, accuracy: 1e-12, "nsynth moves by half as much")
        XCTAssertEqual(summary.members[1].learningRateRule, "cosine to 0, warm-up 2 steps; peak 1e-3 = 1e-3 × sqrt(64/64)")

        let markdown = try String(contentsOfFile: "\(config.resolvedRunDir)/summary.md", encoding: .utf8)
        XCTAssertTrue(markdown.contains("Learning rate (every member, B = batch size): cosine to 0, warm-up 2 steps; lr 1e-3 × sqrt(B/64)."), markdown)
        XCTAssertTrue(markdown.contains("| b32/s1 | 32 | 31 | 1 | 4 | 128 | 7.07e-4 |"), markdown)
        XCTAssertTrue(markdown.contains("## Over seeds"), markdown)
        XCTAssertTrue(markdown.contains("| b64 | 64 | 63 | 4 | 3/3 | 1.040 ± 0.000 | 53.5 ± 0.5 | 37.0 ± 1.0 | 45.2 ± 0.8 |"), markdown)
        let svg = try String(contentsOfFile: "\(config.resolvedRunDir)/plots/accuracy_vs_negatives.svg", encoding: .utf8)
        XCTAssertEqual(svg.components(separatedBy: #"class="error-bar""#).count - 1, 3 * 3, "mean and two tasks at three batch sizes")
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 3, "one line per task and the mean, not per seed")
    }
}
