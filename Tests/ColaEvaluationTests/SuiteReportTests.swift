import Foundation
import XCTest
@testable import ColaEvaluation

final class SuiteReportTests: XCTestCase {
    private func report() -> SuiteReport {
        var scored = TaskResult(name: "birds", title: "Bird audio detection (DCASE 2018)")
        scored.status = .scored
        scored.classes = 2
        scored.metric = .detection
        scored.trainClips = 80
        scored.validClips = 10
        scored.testClips = 10
        scored.seconds = 3.25
        var score = ProbeScore(accuracy: 0.8)
        score.accuracyInterval = ScoreInterval(lower: 0.6, upper: 1)
        score.averagePrecision = 0.9
        score.averagePrecisionInterval = ScoreInterval(lower: 0.7, upper: 1)
        score.selection = "validation"
        score.selectionAccuracy = 0.7
        score.regularization = [0.316]
        score.iterations = 41
        score.converged = true
        score.embeddingSeconds = 2
        score.probeSeconds = 1
        score.cached = false
        scored.score = score
        var floor = ProbeScore(accuracy: 0.6)
        floor.accuracyInterval = ScoreInterval(lower: 0.3, upper: 0.9)
        floor.averagePrecision = 0.65
        floor.regularization = [1]
        floor.selection = "validation"
        floor.converged = false
        scored.floors["logmel-stats"] = floor
        var skipped = TaskResult(name: "nsynth", title: "NSynth instrument family")
        skipped.status = .skipped
        skipped.reason = "data/nsynth: not found"
        skipped.lookedFor = "data/nsynth"
        scored.skippedClips = [
            SkippedClip(clip: "/data/birds/wav/a.wav", split: .train, reason: .missing, detail: "no such file"),
            SkippedClip(clip: "/data/birds/wav/b.wav", split: .test, reason: .unreadable, detail: "Format not recognised."),
        ]
        var failed = TaskResult(name: "tut2018", title: "TUT Urban Acoustic Scenes 2018")
        failed.status = .failed
        failed.reason = "meta.csv:3: expected filename<TAB>scene_label<TAB>identifier"
        return SuiteReport(embedder: "step-000100", embedderIdentity: "checkpoint-cnn-0123", floors: ["logmel-stats"], configHash: "abc", tasks: [scored, skipped, failed])
    }

    func testMeanIsOverScoredTasksOnlyAndJSONHasTheContractKeys() throws {
        let report = report()
        XCTAssertEqual(report.meanAccuracy, 0.8)
        XCTAssertEqual(report.meanAccuracy(floor: "logmel-stats"), 0.6)
        let data = try report.results.jsonData()
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let tasks = json["tasks"] as! [String: Any]
        let birds = tasks["birds"] as! [String: Any]
        XCTAssertEqual(birds["accuracy"] as? Double, 0.8)
        XCTAssertEqual(birds["accuracy_interval"] as? [Double], [0.6, 1])
        XCTAssertEqual(birds["mAP"] as? Double, 0.9)
        XCTAssertEqual(birds["mAP_interval"] as? [Double], [0.7, 1])
        XCTAssertEqual(birds["C"] as? [Double], [0.316])
        XCTAssertEqual(birds["selection"] as? String, "validation")
        XCTAssertEqual(birds["converged"] as? Bool, true)
        XCTAssertEqual(birds["train_clips"] as? Int, 80)
        XCTAssertEqual(birds["test_clips"] as? Int, 10)
        XCTAssertEqual(birds["classes"] as? Int, 2)
        let floor = (birds["floors"] as! [String: Any])["logmel-stats"] as! [String: Any]
        XCTAssertEqual(floor["accuracy"] as? Double, 0.6)
        XCTAssertEqual(floor["accuracy_interval"] as? [Double], [0.3, 0.9])
        XCTAssertEqual(birds["skipped_clip_counts"] as? [String: Int], ["missing": 1, "unreadable": 1])
        XCTAssertEqual(birds["skipped_clips"] as? [[String: String]], [
            ["clip": "/data/birds/wav/a.wav", "split": "train", "reason": "missing", "detail": "no such file"],
            ["clip": "/data/birds/wav/b.wav", "split": "test", "reason": "unreadable", "detail": "Format not recognised."],
        ])
        XCTAssertEqual((tasks["tut2018"] as! [String: Any])["skipped_clip_counts"] as? [String: Int], [:])
        XCTAssertNil((tasks["nsynth"] as! [String: Any])["accuracy"])
        XCTAssertEqual((tasks["nsynth"] as! [String: Any])["looked_for"] as? String, "data/nsynth")
        XCTAssertNotNil((tasks["tut2018"] as! [String: Any])["failed"])
        XCTAssertEqual(json["mean_accuracy"] as? Double, 0.8)
        XCTAssertEqual(json["tasks_skipped"] as? [String], ["nsynth"])
        XCTAssertEqual((json["floor_mean_accuracy"] as? [String: Double])?["logmel-stats"], 0.6)
    }

    func testResultsJSONReadsBackAsWritten() throws {
        let results = report().results
        let decoded = try JSONDecoder().decode(TransferResults.self, from: results.jsonData())
        XCTAssertEqual(decoded, results)
        XCTAssertEqual(decoded.tasks["birds"]?.name, "birds")
        XCTAssertEqual(decoded.tasks["birds"]?.score?.accuracyInterval, ScoreInterval(lower: 0.6, upper: 1))
        XCTAssertEqual(decoded.tasks["nsynth"]?.status, .skipped)
        XCTAssertEqual(decoded.floorAccuracies, ["logmel-stats": ["birds": 0.6]])
    }

    func testResultsWrittenByTheAdamProbeStillRead() throws {
        // results.json as `cola eval` wrote it before the L-BFGS probe (epochs instead of C, no intervals).
        let old = #"""
            {"config_hash": "8747af2859043e05", "embedder": "logmel-stats", "embedder_identity": "logmel-stats-v1",
             "floor_mean_accuracy": {"random-cnn": 0.25}, "mean_accuracy": 0.62, "tasks_failed": [], "tasks_scored": 1,
             "tasks_skipped": ["nsynth"],
             "tasks": {"birds": {"accuracy": 0.62, "best_epoch": 1, "classes": 2, "embeddings_cached": true, "embedding_seconds": 0,
                                 "epochs": 11, "mAP": 0.607, "probe_seconds": 0.02, "seconds": 2.5, "status": "scored",
                                 "test_clips": 50, "test_windows": 50, "title": "Bird audio detection (DCASE 2018)",
                                 "train_clips": 400, "valid_accuracy": 0.7, "valid_clips": 50,
                                 "floors": {"random-cnn": {"accuracy": 0.25, "best_epoch": 3}}},
                       "nsynth": {"looked_for": "data/nsynth", "skipped": "data/nsynth: not found", "status": "skipped", "title": "NSynth"}}}
            """#
        let results = try JSONDecoder().decode(TransferResults.self, from: Data(old.utf8))
        XCTAssertTrue(results.isComplete)
        let birds = try XCTUnwrap(results.tasks["birds"])
        XCTAssertEqual(birds.status, .scored)
        XCTAssertEqual(birds.metric, .detection)
        XCTAssertEqual(birds.score?.accuracy, 0.62)
        XCTAssertEqual(birds.score?.averagePrecision, 0.607)
        XCTAssertNil(birds.score?.accuracyInterval)
        XCTAssertEqual([birds.classes, birds.trainClips, birds.validClips, birds.testClips], [2, 400, 50, 50])
        XCTAssertEqual(results.floorAccuracies, ["random-cnn": ["birds": 0.25]])
        XCTAssertEqual(results.tasks["nsynth"]?.reason, "data/nsynth: not found")
    }

    func testMarkdownPutsFloorsBesideTheScoreWithIntervals() {
        let markdown = report().markdown
        XCTAssertTrue(markdown.contains("| task | classes | train clips | test clips | accuracy | logmel-stats | seconds | note |"), markdown)
        XCTAssertTrue(markdown.contains("| birds | 2 | 80 | 10 | 80.0% [60.0, 100.0] (mAP 90.0% [70.0, 100.0]) | 60.0% [30.0, 90.0] (mAP 65.0%) | 3.2 | C 0.316 (validation); 2 clips skipped (missing 1, unreadable 1): a.wav, b.wav |"), markdown)
        XCTAssertTrue(markdown.contains("| nsynth | – | – | – | – | – | – | skipped: data/nsynth: not found |"), markdown)
        XCTAssertTrue(markdown.contains("| **mean** | | | | **80.0%** | 60.0% |"), markdown)
    }

    func testFewShotCellsShowTheSpreadOverDraws() {
        var score = ProbeScore(accuracy: 0.5)
        score.accuracyStandardDeviation = 0.031
        score.accuracyInterval = ScoreInterval(lower: 0.4, upper: 0.6)
        score.regularization = [0.1, 1, 0.316]
        score.selection = "3-fold cross-validation"
        XCTAssertEqual(SuiteReport.cell(score), "50.0 ± 3.1% [40.0, 60.0]")
        XCTAssertEqual(SuiteReport.probeNote(score), "C 0.1–1 (3-fold cross-validation)")
    }

    func testScoresCSVAppendsRowsUnderOneHeader() throws {
        let layout = try MiniatureLayout("scores")
        let path = layout.path("runs/scores.csv")
        try report().appendScores(to: path)
        try report().appendScores(to: path)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.first, "checkpoint,task,metric,value,config_hash")
        XCTAssertEqual(lines.count, 1 + 2 * 5)
        XCTAssertEqual(Array(lines[1...5]), [
            "step-000100,birds,accuracy,0.800000,abc", "step-000100,birds,mAP,0.900000,abc",
            "logmel-stats,birds,accuracy,0.600000,abc", "logmel-stats,birds,mAP,0.650000,abc",
            "step-000100,mean,accuracy,0.800000,abc",
        ])
    }

    func testScoresFileDefaultsNextToTheOutputFolder() {
        XCTAssertEqual(TransferSuiteOptions(dataRoot: "d", tasks: [], outputDirectory: "runs/demo/eval").scoresFile, "runs/demo/scores.csv")
        XCTAssertEqual(TransferSuiteOptions(dataRoot: "d", tasks: [], outputDirectory: "eval").scoresFile, "./scores.csv")
    }
}
