import ColaEvaluation
import Foundation
import XCTest
@testable import ColaPipeline

final class ReportTableTests: XCTestCase {
    func testMarkdownTableAlignsNumbersRightAndEscapesPipes() {
        let table = MarkdownTable(header: ["task", "accuracy"], rows: [["a|b", "12.5"], ["c"]])
        XCTAssertEqual(table.markdown, """
            | task | accuracy |
            |---|---:|
            | a\\|b | 12.5 |
            | c |  |

            """)
    }

    func testNumberFormatting() {
        XCTAssertEqual(percentText(0.4567), "45.7")
        XCTAssertEqual(percentText(1), "100.0")
        XCTAssertEqual(percentText(nil), "–")
        XCTAssertEqual(fixedText(2.0049, decimals: 2), "2.00")
        XCTAssertEqual(fixedText(-0.25, decimals: 1), "-0.3")
        XCTAssertEqual(fixedText(0.05, decimals: 3), "0.050")
        XCTAssertEqual(fixedText(7, decimals: 0), "7")
    }

    func testSweepTableHasARowPerMemberAndTheBaseline() {
        let markdown = SweepReport(summary: sweepSummaryFixture(), logs: [:], directory: "/unused").markdown
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| ") }
        XCTAssertEqual(rows.count, 1 + 6 + 1)
        XCTAssertEqual(rows[0], "| member | batch | negatives | similarity | negatives from | steps | clips | peak lr | final loss | clips/s | status | nsynth | spcv1 | mean |")
        XCTAssertEqual(rows[3], "| bilinear-global/b64 | 64 | 63 | bilinear | global | 10 | 640 | 1e-3 | 1.500 | 55.3 | finished | 56.0 | 36.0 | 46.0 |")
        XCTAssertEqual(rows[7], "| random encoder | – | – | – | – | – | – | – | – | – | floor | 25.0 | 15.0 | 20.0 |")
        XCTAssertTrue(markdown.contains("Learning rate (every member, B = batch size): constant; lr 1e-3.\n"), markdown)
        XCTAssertFalse(markdown.contains("Over seeds"), "one run per member: no spread table")
    }

    func testSeedsGetATableOfMeanAndStandardDeviation() throws {
        let summary = sweepSummaryFixture(seeds: [0, 1, 2])
        let markdown = SweepReport(summary: summary, logs: [:], directory: "/unused").markdown
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| ") }
        XCTAssertEqual(rows.count, (1 + 18 + 1) + (1 + 6 + 1), "members, then groups, each with header and floor")
        XCTAssertEqual(rows[20], "| group | batch | negatives | similarity | negatives from | steps | seeds | final loss | nsynth | spcv1 | mean |")
        XCTAssertEqual(rows[23], "| bilinear-global/b64 | 64 | 63 | bilinear | global | 10 | 3/3 | 1.500 ± 0.000 | 56.0 ± 1.0 | 36.0 ± 1.0 | 46.0 ± 1.0 |")
        XCTAssertEqual(summary.groups.count, 6)
        XCTAssertEqual(summary.groups[2].meanAccuracy?.count, 3)
        // One seed, or one finished: the value alone, no spread.
        var partial = summary
        partial.members = Array(summary.members.prefix(6)) + summary.members.dropFirst(6).map { entry in
            var unfinished = entry
            unfinished.meanAccuracy = nil
            unfinished.tasks = [:]
            unfinished.status = .training
            return unfinished
        }
        let regrouped = SweepSummary(name: partial.name, ranks: partial.ranks, members: partial.members, baselines: partial.baselines)
        XCTAssertEqual(regrouped.groups[2].finished, 1)
        XCTAssertNil(regrouped.groups[2].meanAccuracy?.standardDeviation)
        let text = SweepReport(summary: regrouped, logs: [:], directory: "/unused").markdown
        XCTAssertTrue(text.contains("| bilinear-global/b64 | 64 | 63 | bilinear | global | 10 | 1/3 | 1.500 | 55.0 | 35.0 | 45.0 |"), text)
    }

    func testSummaryJSONUsesSnakeCaseKeysAndRoundTrips() throws {
        let json = try SweepReport.json(sweepSummaryFixture())
        XCTAssertTrue(json.contains(#""mean_accuracy" : 0.46"#), json)
        XCTAssertTrue(json.contains(#""negatives_mode" : "global""#))
        XCTAssertEqual(try JSONDecoder().decode(SweepSummary.self, from: Data(json.utf8)), sweepSummaryFixture())
    }

    func testMetricsLogSkipsBrokenLinesAndKeepsTheLaterOfRepeatedSteps() {
        let log = MetricsLog.parse("""
            {"step": 1, "loss": 4.0, "accuracy": 0.1, "clips_per_second": 10}
            {"event": "checkpoint", "step": 1}
            {"step": 2, "loss": 3.0, "clips_per_second": 30}
            {"step": 2, "loss": 2.5, "top1": 0.2, "clips_per_s": 20}
            {"step": 3, "loss": 2.0, "clips_per_second": 40}
            {"step": 4, "lo
            """)
        XCTAssertEqual(log.records.map(\.step), [1, 2, 3])
        XCTAssertEqual(log.records.map(\.loss), [4, 2.5, 2])
        XCTAssertEqual(log.finalLoss, 2)
        XCTAssertEqual(log.records.map(\.accuracy), [0.1, 0.2, nil], "the trainer's top1 or accuracy")
        XCTAssertEqual(log.medianClipsPerSecond, 20)
    }

    func testResultsAreValidOnlyWhenComplete() throws {
        let folder = try makeSweepTestDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = "\(folder)/results.json"
        XCTAssertNil(TransferResults.readIfValid(at: path), "missing")
        try transferResultsJSON(["spcv1": 0.5, "nsynth": 0.7]).write(toFile: path, atomically: true, encoding: .utf8)
        let results = try XCTUnwrap(TransferResults.readIfValid(at: path))
        XCTAssertEqual(results.taskNames, ["nsynth", "spcv1"], "scored tasks only")
        XCTAssertEqual(results.tasks["voxceleb"]?.status, .skipped)
        XCTAssertEqual(results.tasks["voxceleb"]?.lookedFor, "voxceleb/iden_split.txt")
        XCTAssertEqual(results.meanAccuracy!, 0.6, accuracy: 1e-12)
        XCTAssertEqual(results.tasks["spcv1"]?.classes, 10)
        try #"{"tasks": {"spcv1": {"skipped": "no data"}}, "mean_accuracy": null}"#.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertNil(TransferResults.readIfValid(at: path), "no scored task")
        try #"{"tasks": {"a": {"accuracy": 1.5}}, "mean_accuracy": 1.5}"#.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertNil(TransferResults.readIfValid(at: path), "accuracy outside [0, 1]")
    }

    func testRunReportTabulatesTrainingAndTransferAndDrawsTheLossCurve() throws {
        let folder = try makeSweepTestDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
            {"clips_per_s":50,"comm_ms":1,"data_position":640,"data_wait_ms":0.5,"epoch":0,"exposed_comm_ms":0,"loss":3.5,"lr":0.001,"step":10,"step_ms":1280,"top1":0.2}
            {"clips_per_s":60,"comm_ms":1,"data_position":1280,"data_wait_ms":0.5,"epoch":0,"exposed_comm_ms":0,"loss":2.25,"lr":0.001,"step":20,"step_ms":1066,"top1":0.45}
            """.write(toFile: "\(folder)/metrics.jsonl", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: "\(folder)/eval", withIntermediateDirectories: true)
        try transferResultsJSON(["spcv1": 0.5]).write(toFile: "\(folder)/eval/results.json", atomically: true, encoding: .utf8)
        try "training:\n  batch_size: 64\n  lr_schedule: cosine\n  warmup_steps: 5\n  min_learning_rate_fraction: 0\n  lr_scaling: linear\n  base_batch_size: 32\n"
            .write(toFile: "\(folder)/config.yaml", atomically: true, encoding: .utf8)
        let report = try RunReport.load(directory: folder)
        try report.write()
        let markdown = try String(contentsOfFile: "\(folder)/report.md", encoding: .utf8)
        XCTAssertTrue(markdown.contains("| 20 | 2.250 | 45.0 | 55.0 |"), markdown)
        XCTAssertTrue(markdown.contains("Learning rate: cosine to 0, warm-up 5 steps; peak 2e-3 = 1e-3 × 64/32.\n"), markdown)
        XCTAssertTrue(markdown.contains("| spcv1 | 50.0 | 10 | 100 | 40 |"), markdown)
        XCTAssertTrue(markdown.contains("| voxceleb | skipped |"), markdown)
        let svg = try String(contentsOfFile: "\(folder)/plots/loss_curve.svg", encoding: .utf8)
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 1)
        let accuracy = try String(contentsOfFile: "\(folder)/plots/contrastive_accuracy.svg", encoding: .utf8)
        XCTAssertTrue(accuracy.contains(#"data-name="contrastive accuracy""#))
        XCTAssertEqual(report.accuracyPlot?.series[0].points.map(\.y), [20, 45], "in percent")
        XCTAssertThrowsError(try RunReport.load(directory: "\(folder)/plots"))
    }

    func testReportRegeneratesASweepDirectoryFromItsJSON() throws {
        let folder = try makeSweepTestDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var config = SweepConfig(name: "r", baseConfig: "unused.yaml", batchSizes: [32, 64], budget: .steps(2),
                                 variants: [SweepConfig.Variant(similarity: .bilinear, negatives: .global)])
        config.ranks = 2
        let plan = SweepPlan(config: config)
        try SweepReport.writeAtomically(SweepReport.json(plan), to: "\(folder)/sweep.json")
        try FileManager.default.createDirectory(atPath: "\(folder)/b64/eval", withIntermediateDirectories: true)
        try transferResultsJSON(["spcv1": 0.625]).write(toFile: "\(folder)/b64/eval/results.json", atomically: true, encoding: .utf8)
        try #"{"step": 2, "loss": 3.0}"#.write(toFile: "\(folder)/b64/metrics.jsonl", atomically: true, encoding: .utf8)
        // Written before Cola had schedules: the run took learning_rate at every step.
        try "name: old\ntraining:\n  batch_size: 64\n  learning_rate: 0.002\n".write(toFile: "\(folder)/b64/config.yaml", atomically: true, encoding: .utf8)
        let report = try SweepReport.load(directory: folder)
        try report.write()
        XCTAssertEqual(report.summary.members.map(\.status), [.pending, .finished])
        XCTAssertEqual(report.summary.members[1].meanAccuracy, 0.625)
        XCTAssertEqual(report.summary.members[1].finalLoss, 3.0)
        XCTAssertEqual(report.summary.members[1].learningRateRule, "constant; lr 2e-3")
        XCTAssertNil(report.summary.members[0].learningRateRule, "not started")
        let markdown = try String(contentsOfFile: "\(folder)/summary.md", encoding: .utf8)
        XCTAssertTrue(markdown.contains("| b64 | 64 | 63 | 2 | 128 | 2e-3 | 3.000 | – | finished | 62.5 | 62.5 |"), markdown)
        XCTAssertTrue(markdown.contains("Learning rates (B = batch size): constant; lr 2e-3 (b64)."), markdown)
        let svg = try String(contentsOfFile: "\(folder)/plots/accuracy_vs_negatives.svg", encoding: .utf8)
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2, "mean and spcv1")
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(folder)/plots/loss_curves.svg"))
        XCTAssertThrowsError(try SweepReport.load(directory: "\(folder)/b64"))
    }
}
