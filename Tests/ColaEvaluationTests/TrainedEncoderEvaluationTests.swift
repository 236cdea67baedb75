import ColaAudio
import ColaEvaluation
import ColaModel
import Foundation
import XCTest

final class TrainedEncoderEvaluationTests: XCTestCase {
    func testPretrainEntryPointScoresWeightsWithBothFloors() throws {
        let layout = try MiniatureLayout("trained")
        var rows: [String: [String]] = [:]
        try FileManager.default.createDirectory(atPath: layout.path("tones"), withIntermediateDirectories: true)
        for (split, count) in [("train", 3), ("valid", 1), ("test", 1)] {
            for (label, frequency) in [(0, 400.0), (1, 2000.0)] {
                for index in 0..<count {
                    let samples = (0..<16_000).map { Float(0.3 * sin(2 * .pi * frequency * Double($0) / 16_000 + Double(index))) }
                    let relative = "\(split)-\(label)-\(index).wav"
                    try SoundFileWriter.write(samples, channels: 1, sampleRate: 16_000, format: .wav16, to: layout.path("tones/\(relative)"))
                    rows[split, default: []].append("\(relative)\ttone\(label)")
                }
            }
        }
        for (split, lines) in rows { try layout.text("tones/\(split).tsv", lines) }

        let configuration = ModelConfiguration(encoder: .smallCNN)
        let model = ContrastiveModel(configuration, seed: 5)
        let report = try TransferSuite.scoreTrainedEncoder(
            configuration,
            parameters: (model.parameters, model.parameterValues.array()),
            buffers: (model.buffers, model.bufferValues.array()),
            name: "step-000005", dataRoot: layout.root, tasks: ["tones"], outputDirectory: layout.path("run/eval"),
            cacheDirectory: layout.path("cache"))
        let task = try XCTUnwrap(report.tasks.first)
        XCTAssertEqual(task.status, .scored, task.reason ?? "")
        XCTAssertEqual(report.embedder, "step-000005")
        XCTAssertEqual(Set(task.floors.keys), ["logmel-stats", "random-cnn"])
        XCTAssertNotNil(task.score?.accuracyInterval)

        // The same features score the same as the encoder under test as beside it as a floor.
        var options = TransferSuiteOptions(dataRoot: layout.root, tasks: [SuiteTask(name: "tones")], outputDirectory: layout.path("logmel/eval"))
        options.cacheDirectory = layout.path("cache")
        let alone = try TransferSuite(embedder: LogMelStatisticsEmbedder(), options: options).run()
        func withoutTiming(_ score: ProbeScore?) -> ProbeScore? {
            var score = score
            score?.embeddingSeconds = nil
            score?.probeSeconds = nil
            score?.cached = nil
            return score
        }
        XCTAssertEqual(withoutTiming(task.floors["logmel-stats"]), withoutTiming(alone.tasks.first?.score))
        let scores = try String(contentsOfFile: layout.path("run/scores.csv"), encoding: .utf8)
        XCTAssertTrue(scores.contains("step-000005,tones,accuracy,"), scores)
        XCTAssertTrue(scores.contains("random-cnn,tones,accuracy,"), scores)
    }
}
