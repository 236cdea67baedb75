import ColaAudio
import ColaEvaluation
import Foundation
import XCTest

/// Missing, empty and undecodable clips in a task are skipped, counted and named; a task fails
/// only when more than ``EvaluationProtocol/maxBadFraction`` of its clips are.
final class SkippedClipsTests: XCTestCase {
    /// A generic TSV task of 4 tone classes with 12/3/6 train/valid/test clips per class (84),
    /// salted with one missing file (train) and three undecodable ones (train, valid, test):
    /// 4 of 88 listed clips, 4.5%.
    private func makeSaltedTask(in layout: MiniatureLayout) throws -> (missing: String, undecodable: [String]) {
        var tones = ToneClips(seed: 11)
        var rows: [String: [String]] = [:]
        for (split, perClass) in [("train", 12), ("valid", 3), ("test", 6)] {
            for label in 0..<4 {
                for index in 0..<perClass {
                    let relative = "audio/\(split)-\(label)-\(index).wav"
                    try tones.write(label: label, to: layout.path("salted/\(relative)"))
                    rows[split, default: []].append("\(relative)\ttone\(label)")
                }
            }
        }
        let bad = try layout.undecodableFiles(in: "salted/bad").map { String($0.dropFirst("salted/".count)) }
        rows["train"]!.insert("audio/gone.wav\ttone0", at: 5)
        rows["train"]!.append("\(bad[0])\ttone1")
        rows["valid"]!.append("\(bad[1])\ttone2")
        rows["test"]!.append("\(bad[2])\ttone3")
        for (split, lines) in rows { try layout.text("salted/\(split).tsv", lines) }
        return (layout.path("salted/audio/gone.wav"), bad.map { layout.path("salted/\($0)") })
    }

    private func options(_ layout: MiniatureLayout) -> TransferSuiteOptions {
        var options = TransferSuiteOptions(dataRoot: layout.root, tasks: [SuiteTask(name: "salted")], outputDirectory: layout.path("out"))
        options.cacheDirectory = layout.path("cache")
        options.scoresFile = nil
        return options
    }

    func testSaltedTaskIsScoredWithTheFourBadClipsNamedAndCounted() throws {
        let layout = try MiniatureLayout("salted")
        let (missing, undecodable) = try makeSaltedTask(in: layout)
        var lines: [String] = []
        let report = try TransferSuite(embedder: LogMelStatisticsEmbedder(), options: options(layout)).run { lines.append($0) }
        let result = try XCTUnwrap(report.tasks.first)
        XCTAssertEqual(result.status, .scored, result.reason ?? "")
        XCTAssertEqual([result.trainClips, result.validClips, result.testClips], [48, 12, 24])
        let accuracy = try XCTUnwrap(result.score?.accuracy)
        print("salted: accuracy \(accuracy)")
        XCTAssertGreaterThanOrEqual(accuracy, 0.9)
        XCTAssertEqual(result.skippedClips.map(\.clip), [missing] + undecodable)
        XCTAssertEqual(result.skippedClips.map(\.split), [.train, .train, .valid, .test])
        XCTAssertEqual(result.skippedClips.map(\.reason), [.missing, .unreadable, .unreadable, .unreadable])
        XCTAssertEqual(result.skippedClips.countsByReason, [.missing: 1, .unreadable: 3])
        XCTAssertTrue(lines.contains("salted: skipped 4 of 88 listed clips (missing 1, unreadable 3); the task fails above 5%:"), lines.joined(separator: "\n"))
        for path in [missing] + undecodable {
            XCTAssertTrue(lines.contains { $0.contains(path) }, "the log names \(path)")
        }

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: layout.path("out/results.json")))) as! [String: Any]
        let task = (json["tasks"] as! [String: Any])["salted"] as! [String: Any]
        XCTAssertEqual(task["skipped_clip_counts"] as? [String: Int], ["missing": 1, "unreadable": 3])
        let skipped = try XCTUnwrap(task["skipped_clips"] as? [[String: String]])
        XCTAssertEqual(skipped.map { $0["clip"] }, [missing] + undecodable)
        XCTAssertEqual(skipped[0]["detail"], "no such file")
        let markdown = try String(contentsOfFile: layout.path("out/results.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("4 clips skipped (missing 1, unreadable 3): gone.wav, text.wav, noise.wav, cut.wav"), markdown)

        let again = try TransferSuite(embedder: LogMelStatisticsEmbedder(), options: options(layout)).run()
        XCTAssertEqual(again.tasks[0].score?.cached, true, "the usable clips' embeddings are cached")
        XCTAssertEqual(again.tasks[0].skippedClips, result.skippedClips)
    }

    func testTaskAboveTheThresholdFailsNamingTheClips() throws {
        let layout = try MiniatureLayout("salted-strict")
        let (missing, undecodable) = try makeSaltedTask(in: layout)
        var options = options(layout)
        options.settings.maxBadFraction = 0.04
        let report = try TransferSuite(embedder: LogMelStatisticsEmbedder(), options: options).run()
        let result = try XCTUnwrap(report.tasks.first)
        XCTAssertEqual(result.status, .failed)
        XCTAssertNil(report.meanAccuracy)
        let reason = try XCTUnwrap(result.reason)
        XCTAssertTrue(reason.hasPrefix("task salted: 4 of 88 listed clips (4.5%) cannot be used (missing 1, unreadable 3), more than the 4% allowed (--max-bad-fraction): "), reason)
        for path in [missing] + undecodable { XCTAssertTrue(reason.contains(path), reason) }
        XCTAssertEqual(result.skippedClips.count, 4)
        XCTAssertFalse(FileManager.default.fileExists(atPath: layout.path("cache")), "nothing was embedded")
    }

    func testErrorNamesTheFirstFiveAndCountsTheRest() {
        let skipped = (0..<7).map { SkippedClip(clip: "/d/\($0).wav", split: .train, reason: .missing, detail: "no such file") }
        let error = TaskImportError.tooManyUnusable(task: "t", skipped: skipped, listed: 10, maxFraction: 0.05)
        XCTAssertEqual(error.description, "task t: 7 of 10 listed clips (70.0%) cannot be used (missing 7), more than the 5% allowed (--max-bad-fraction): "
            + "/d/0.wav (no such file), /d/1.wav (no such file), /d/2.wav (no such file), /d/3.wav (no such file), /d/4.wav (no such file) and 2 more")
    }

    func testScreenSortsEachKindOfBadFileAndReadsAFileOnce() throws {
        let layout = try MiniatureLayout("screen")
        let good = try layout.wav("good.wav", seconds: 2)
        let undecodable = try layout.undecodableFiles(in: "bad").map(layout.path)
        try Data().write(to: URL(fileURLWithPath: layout.path("zero.wav")))
        try SoundFileWriter.write([], channels: 1, sampleRate: 16_000, format: .wav16, to: layout.path("noframes.wav"))
        let task = TaskData(
            name: "screen", classNames: ["a", "b"],
            train: [LabeledClip(path: good, label: 0, source: "g"), LabeledClip(path: layout.path("absent.wav"), label: 1, source: "x")]
                + undecodable.map { LabeledClip(path: $0, label: 1, source: $0) },
            valid: [LabeledClip(path: layout.path("zero.wav"), label: 0, source: "z"), LabeledClip(path: layout.path("noframes.wav"), label: 1, source: "n")],
            test: [LabeledClip(path: good, label: 0, source: "g", startSeconds: 1.5, durationSeconds: 1),
                   LabeledClip(path: good, label: 0, source: "g", startSeconds: 2.5, durationSeconds: 1)])
        let screened = ClipScreen.screen(task)
        XCTAssertEqual(screened.train.map(\.path), [good])
        XCTAssertEqual(screened.valid, [])
        XCTAssertEqual(screened.test.map(\.key), ["\(good)@1.5+1.0"])
        XCTAssertEqual(screened.skipped.map(\.reason), [.missing, .unreadable, .unreadable, .unreadable, .empty, .empty, .empty])
        XCTAssertEqual(screened.skipped.last?.clip, "\(good)@2.5+1.0", "a segment past the end of its file has no samples")
        XCTAssertEqual(screened.skipped[0].description, "\(layout.path("absent.wav")) (no such file)")
        let unreadable = screened.skipped[1]
        XCTAssertFalse(unreadable.detail.isEmpty || unreadable.detail.hasPrefix("unreadable") || unreadable.detail.contains(undecodable[0]), unreadable.detail)
        XCTAssertEqual(unreadable.description, "\(undecodable[0]) (unreadable: \(unreadable.detail))")
        XCTAssertEqual(screened.listedClipCount, 9)
        XCTAssertNoThrow(try screened.requireUsableClips(maxFraction: 0.8), "7 of 9 is 77.8%")
        XCTAssertThrowsError(try screened.requireUsableClips(maxFraction: 0.75))
    }

    func testAClipThatFailsWhileEmbeddedIsSkippedAndNotCached() throws {
        // A float WAV holding a NaN passes the header screen and fails when decoded.
        let layout = try MiniatureLayout("nan")
        var tones = ToneClips(seed: 5)
        var rows: [String: [String]] = [:]
        for (split, perClass) in [("train", 6), ("test", 3)] {
            for label in 0..<2 {
                for index in 0..<perClass {
                    try tones.write(label: label, to: layout.path("nan/\(split)-\(label)-\(index).wav"))
                    rows[split, default: []].append("\(split)-\(label)-\(index).wav\ttone\(label)")
                }
            }
        }
        try SoundFileWriter.write([0.1, .nan, 0.2] + [Float](repeating: 0.1, count: 16_000), channels: 1, sampleRate: 16_000, format: .wavFloat, to: layout.path("nan/nan.wav"))
        rows["test"]!.append("nan.wav\ttone1")
        for (split, lines) in rows { try layout.text("nan/\(split).tsv", lines) }

        var options = TransferSuiteOptions(dataRoot: layout.root, tasks: [SuiteTask(name: "nan")], outputDirectory: layout.path("out"))
        options.cacheDirectory = layout.path("cache")
        options.scoresFile = nil
        options.settings.maxBadFraction = 0.1
        for run in 0..<2 {
            let result = try XCTUnwrap(try TransferSuite(embedder: LogMelStatisticsEmbedder(), options: options).run().tasks.first)
            XCTAssertEqual(result.status, .scored, result.reason ?? "")
            XCTAssertEqual(result.score?.cached, false, "run \(run): a split with a failed clip is never cached")
            XCTAssertEqual(result.testClips, 6)
            XCTAssertEqual(result.skippedClips.map(\.clip), [layout.path("nan/nan.wav")])
            XCTAssertEqual(result.skippedClips.map(\.reason), [.nonFinite])
        }
        let cached = ((try? FileManager.default.contentsOfDirectory(atPath: layout.path("cache"))) ?? []).filter { $0.hasSuffix(".embeddings") }
        XCTAssertEqual(cached, [], "the cache holds no embeddings with a failure in them")
    }
}
