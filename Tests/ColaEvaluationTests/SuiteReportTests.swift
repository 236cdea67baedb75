import ColaEvaluation
import Foundation
import XCTest

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
        let score = ProbeScore(accuracy: 0.8, averagePrecision: 0.9, validAccuracy: 0.7, bestEpoch: 4, epochs: 14, embeddingSeconds: 2, probeSeconds: 1, cached: false)
        scored.score = score
        scored.floors["logmel-stats"] = ProbeScore(accuracy: 0.6, averagePrecision: 0.65, validAccuracy: 0.6, bestEpoch: 2, epochs: 12, embeddingSeconds: 0, probeSeconds: 1, cached: true)
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
        let data = try JSONSerialization.data(withJSONObject: report.json)
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let tasks = json["tasks"] as! [String: Any]
        let birds = tasks["birds"] as! [String: Any]
        XCTAssertEqual(birds["accuracy"] as? Double, 0.8)
        XCTAssertEqual(birds["mAP"] as? Double, 0.9)
        XCTAssertEqual(birds["train_clips"] as? Int, 80)
        XCTAssertEqual(birds["test_clips"] as? Int, 10)
        XCTAssertEqual(birds["classes"] as? Int, 2)
        XCTAssertEqual(((birds["floors"] as! [String: Any])["logmel-stats"] as! [String: Any])["accuracy"] as? Double, 0.6)
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
    }

    func testMarkdownPutsFloorsBesideTheScore() {
        let markdown = report().markdown
        XCTAssertTrue(markdown.contains("| task | classes | train clips | test clips | accuracy | logmel-stats | seconds | note |"), markdown)
        XCTAssertTrue(markdown.contains("| birds | 2 | 80 | 10 | 80.0% (mAP 90.0%) | 60.0% (mAP 65.0%) | 3.2 | 2 clips skipped (missing 1, unreadable 1): a.wav, b.wav |"), markdown)
        XCTAssertTrue(markdown.contains("| nsynth | – | – | – | – | – | – | skipped: data/nsynth: not found |"), markdown)
        XCTAssertTrue(markdown.contains("| **mean** | | | | **80.0%** | 60.0% |"), markdown)
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
