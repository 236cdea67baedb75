import ColaAudio
import ColaCore
import Foundation
import XCTest
@testable import ColaEvaluation

final class LinearProbeTests: XCTestCase {
    /// A generic TSV task of tones: class k is a sine at `frequencies[k]` Hz with random phase,
    /// level and length (0.6–2.2 s) plus white noise, so the classes are separable by construction.
    private func makeToneTask(in layout: MiniatureLayout, name: String, shuffleLabels: Bool) throws {
        let frequencies: [Double] = [300, 700, 1500, 3200]
        var generator = SeededGenerator(state: 42)
        func uniform() -> Double { Double(generator.next() >> 11) / Double(1 << 53) }
        var rows: [String: [(String, Int)]] = ["train": [], "valid": [], "test": []]
        for (split, perClass) in [("train", 12), ("valid", 5), ("test", 10)] {
            for (label, frequency) in frequencies.enumerated() {
                for index in 0..<perClass {
                    let count = Int((0.6 + 1.6 * uniform()) * 16_000)
                    let phase = 2 * Double.pi * uniform()
                    let level = 0.05 + 0.4 * uniform()
                    let samples = (0..<count).map { t in
                        Float(level * sin(2 * .pi * frequency * Double(t) / 16_000 + phase) + 0.01 * (uniform() - 0.5))
                    }
                    let relative = "audio/\(split)-\(label)-\(index).wav"
                    try FileManager.default.createDirectory(atPath: layout.path("\(name)/audio"), withIntermediateDirectories: true)
                    try SoundFileWriter.write(samples, channels: 1, sampleRate: 16_000, format: .wav16, to: layout.path("\(name)/\(relative)"))
                    rows[split]!.append((relative, label))
                }
            }
        }
        for (split, entries) in rows {
            var labels = entries.map(\.1)
            if shuffleLabels { labels.shuffle(using: &generator) }
            try layout.text("\(name)/\(split).tsv", zip(entries, labels).map { "\($0.0)\ttone\($1)" })
        }
    }

    private func options(_ layout: MiniatureLayout, task: String) -> TransferSuiteOptions {
        var options = TransferSuiteOptions(dataRoot: layout.root, tasks: [SuiteTask(name: task)], outputDirectory: layout.path("out/\(task)"))
        options.cacheDirectory = layout.path("cache")
        options.scoresFile = layout.path("out/scores.csv")
        return options
    }

    func testSeparableTonesReachNinetyFivePercentWithLogMelStatistics() throws {
        let layout = try MiniatureLayout("tones")
        try makeToneTask(in: layout, name: "tones", shuffleLabels: false)
        let report = try TransferSuite(embedder: LogMelStatisticsEmbedder(), options: options(layout, task: "tones")).run { print($0) }
        let result = try XCTUnwrap(report.tasks.first)
        XCTAssertEqual(result.status, .scored)
        XCTAssertEqual([result.classes, result.trainClips, result.validClips, result.testClips], [4, 48, 20, 40])
        let accuracy = try XCTUnwrap(result.score?.accuracy)
        let interval = try XCTUnwrap(result.score?.accuracyInterval)
        print("tones: test accuracy \(accuracy) [\(interval.lower), \(interval.upper)], C \(result.score!.regularization!) by \(result.score!.selection!)")
        XCTAssertGreaterThanOrEqual(accuracy, 0.95)
        XCTAssertEqual(result.score?.selection, "validation")
        XCTAssertEqual(result.score?.converged, true)
        XCTAssertTrue(interval.lower <= accuracy && accuracy <= interval.upper)

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: layout.path("out/tones/results.json")))) as! [String: Any]
        let tones = (json["tasks"] as! [String: Any])["tones"] as! [String: Any]
        XCTAssertEqual(tones["accuracy"] as? Double, accuracy)
        XCTAssertEqual(tones["test_clips"] as? Int, 40)
        XCTAssertEqual(json["mean_accuracy"] as? Double, accuracy)
        let markdown = try String(contentsOfFile: layout.path("out/tones/results.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("| tones | 4 | 48 | 40 |"), markdown)

        let again = try TransferSuite(embedder: LogMelStatisticsEmbedder(), options: options(layout, task: "tones")).run()
        XCTAssertEqual(again.tasks[0].score?.cached, true)
        XCTAssertEqual(again.tasks[0].score?.accuracy, accuracy, "cached embeddings give the same score")
        let scores = try String(contentsOfFile: layout.path("out/scores.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(scores.first, "checkpoint,task,metric,value,config_hash")
        XCTAssertEqual(scores.count, 5, "header + (tones, mean) per run")
        XCTAssertTrue(scores[1].hasPrefix("logmel-stats,tones,accuracy,"), String(scores[1]))
    }

    func testShuffledLabelsStayNearChance() throws {
        // The same tone clips and their embeddings; only the labels are permuted within each split.
        let layout = try MiniatureLayout("tones-shuffled")
        try makeToneTask(in: layout, name: "tones", shuffleLabels: false)
        let task = try SuiteTask(name: "tones").load(dataRoot: layout.root)
        let embedded = try TaskEvaluation(settings: EvaluationProtocol(), cache: EmbeddingCache(directory: layout.path("cache")))
            .embeddings(of: task, by: LogMelStatisticsEmbedder())
        var generator = SeededGenerator(state: 9)
        var shuffled = embedded.splits
        for index in shuffled.indices { shuffled[index].labels.shuffle(using: &generator) }
        let truth = TaskEvaluation.score(splits: embedded.splits, classes: 4, metric: .accuracy, settings: EvaluationProtocol()).score
        let result = TaskEvaluation.score(splits: shuffled, classes: 4, metric: .accuracy, settings: EvaluationProtocol()).score
        print("tones: true labels \(truth.accuracy), shuffled labels \(result.accuracy) \(result.accuracyInterval!) (chance 0.25)")
        XCTAssertGreaterThanOrEqual(truth.accuracy, 0.95)
        XCTAssertLessThanOrEqual(result.accuracy, 0.45)
        XCTAssertLessThanOrEqual(result.accuracyInterval!.lower, 0.25, "chance lies inside the interval")
    }

    func testThreeClipsPerClassScoreAboveChanceWithIntervalsAndSpread() throws {
        let layout = try MiniatureLayout("tones-few-shot")
        try makeToneTask(in: layout, name: "tones", shuffleLabels: false)
        var options = options(layout, task: "tones")
        options.settings.shots = 3
        options.settings.draws = 4
        let report = try TransferSuite(embedder: LogMelStatisticsEmbedder(), options: options).run { print($0) }
        let result = try XCTUnwrap(report.tasks.first)
        let score = try XCTUnwrap(result.score)
        print("tones, 3 per class: \(SuiteReport.cell(score)), draws \(score.drawAccuracies!), \(SuiteReport.probeNote(score))")
        XCTAssertEqual(result.trainClips, 12, "3 clips × 4 classes per draw")
        XCTAssertEqual(score.drawAccuracies?.count, 4)
        XCTAssertEqual(score.selection, "fixed")
        XCTAssertEqual(score.regularization, [1, 1, 1, 1])
        XCTAssertGreaterThan(score.accuracyInterval!.lower, 0.25, "above chance")
        XCTAssertNotNil(score.accuracyStandardDeviation)
        let results = try XCTUnwrap(TransferResults.readIfValid(at: layout.path("out/tones/results.json")))
        XCTAssertEqual(results.shots, 3)
        XCTAssertEqual(results.draws, 4)
        XCTAssertEqual(results.tasks["tones"]?.score?.drawAccuracies, score.drawAccuracies)
    }

    func testMissingTaskIsSkippedWithThePathAndNoNumber() throws {
        let layout = try MiniatureLayout("skipped")
        let report = try TransferSuite(embedder: LogMelStatisticsEmbedder(), options: options(layout, task: "nsynth")).run()
        XCTAssertEqual(report.tasks[0].status, .skipped)
        XCTAssertEqual(report.tasks[0].lookedFor, layout.path("nsynth"))
        XCTAssertNil(report.meanAccuracy)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: layout.path("out/nsynth/results.json")))) as! [String: Any]
        let nsynth = (json["tasks"] as! [String: Any])["nsynth"] as! [String: Any]
        XCTAssertNil(nsynth["accuracy"])
        XCTAssertEqual(nsynth["looked_for"] as? String, layout.path("nsynth"))
        XCTAssertTrue(json["mean_accuracy"] is NSNull)
    }
}
