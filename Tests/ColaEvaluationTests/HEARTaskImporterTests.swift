import ColaCore
import ColaEvaluation
import Foundation
import XCTest

/// Miniature copies of HEAR 2021 task folders (hear-preprocess's output layout).
final class HEARTaskImporterTests: XCTestCase {
    private func json(_ object: Any, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
    }

    /// A multiclass `trainvaltest` task of 3 tone classes (8/2/4 clips per class), audio at 16 kHz
    /// and 48 kHz, with a label vocabulary that does not sort alphabetically.
    private func makeMulticlassTask(in layout: MiniatureLayout, folder: String) throws {
        let names = ["low", "mid", "high"]
        try json(["task_name": "tones", "version": "v1.0", "embedding_type": "scene", "prediction_type": "multiclass",
                  "split_mode": "trainvaltest", "splits": ["train", "valid", "test"], "sample_duration": 1.2,
                  "evaluation": ["top1_acc"], "mode": "full"], to: layout.path("\(folder)/task_metadata.json"))
        try layout.text("\(folder)/labelvocabulary.csv", ["idx,label"] + names.enumerated().map { "\($0),\($1)" })
        var tones = ToneClips(seed: 21)
        for (split, perClass) in [("train", 8), ("valid", 2), ("test", 4)] {
            var entries: [String: [String]] = [:]
            for (label, name) in names.enumerated() {
                for index in 0..<perClass {
                    let file = "\(split)\(label)\(index).wav"
                    entries[file] = [name]
                    try tones.write(labels: [label], to: layout.path("\(folder)/16000/\(split)/\(file)"))
                    try layout.wav("\(folder)/48000/\(split)/\(file)", sampleRate: 48_000)
                }
            }
            try json(entries, to: layout.path("\(folder)/\(split).json"))
        }
    }

    func testMulticlassTaskReadsTheVocabularyAndThe16kHzAudio() throws {
        let layout = try MiniatureLayout("hear-multiclass")
        try makeMulticlassTask(in: layout, folder: "tones-v1.0-full")
        let task = try HEARTaskImporter().load(from: layout.path("tones-v1.0-full"), name: "tones-v1.0-full")
        XCTAssertEqual(task.classNames, ["low", "mid", "high"], "labelvocabulary.csv's order")
        XCTAssertEqual([task.train.count, task.valid.count, task.test.count], [24, 6, 12])
        XCTAssertEqual(task.metric, .accuracy)
        XCTAssertEqual(task.test.first?.path, layout.path("tones-v1.0-full/16000/test/test00.wav"))
        XCTAssertEqual(task.test.map(\.label), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
        XCTAssertNil(task.test.first?.labelSet)
    }

    func testHEARTasksAreFoundUnderTheDataRootOrByPathAndScored() throws {
        let layout = try MiniatureLayout("hear-suite")
        try makeMulticlassTask(in: layout, folder: "root/tones-v1.0-full")
        try makeMulticlassTask(in: layout, folder: "elsewhere/other-v2")
        try json(["embedding_type": "event", "prediction_type": "multilabel", "split_mode": "trainvaltest"],
                 to: layout.path("root/onsets/task_metadata.json"))

        XCTAssertEqual(SuiteTask.select("all", dataRoot: layout.path("root")).map(\.name),
                       TransferTask.allCases.map(\.rawValue) + ["tones-v1.0-full"], "event tasks are not picked by all")
        let named = SuiteTask.select("tones-v1.0-full,hear:\(layout.path("elsewhere/other-v2"))/,onsets", dataRoot: layout.path("root"))
        XCTAssertEqual(named.map(\.name), ["tones-v1.0-full", "other-v2", "onsets"])
        XCTAssertEqual(named.map(\.hearFolder), [layout.path("root/tones-v1.0-full"), layout.path("elsewhere/other-v2"), layout.path("root/onsets")])
        XCTAssertEqual(named[1].title, "other-v2 (HEAR)")

        var options = TransferSuiteOptions(dataRoot: layout.path("root"), tasks: named, outputDirectory: layout.path("out"))
        options.cacheDirectory = layout.path("cache")
        options.scoresFile = nil
        let report = try TransferSuite(embedder: LogMelStatisticsEmbedder(), options: options).run { print($0) }
        XCTAssertEqual(report.tasks.map(\.status), [.scored, .scored, .failed])
        XCTAssertEqual([report.tasks[0].trainClips, report.tasks[0].validClips, report.tasks[0].testClips], [24, 6, 12])
        let accuracy = try XCTUnwrap(report.tasks[0].score?.accuracy)
        print("tones (HEAR): accuracy \(accuracy)")
        XCTAssertGreaterThanOrEqual(accuracy, 0.9)
        XCTAssertEqual(report.tasks[2].reason, "\(layout.path("root/onsets/task_metadata.json")): embedding_type \"event\": Cola scores scene tasks (one prediction per clip), not timestamp (event) tasks")
    }

    func testMultilabelKFoldTaskScoresMeanAveragePrecisionOnTheFirstFold() throws {
        // Four folds of 12 clips; each clip mixes a non-empty subset of three tones.
        let layout = try MiniatureLayout("hear-multilabel")
        let folder = "chords-v1-full"
        let names = ["a", "b", "c"]
        try json(["task_name": "chords", "embedding_type": "scene", "prediction_type": "multilabel",
                  "split_mode": "new_split_kfold", "nfolds": 4, "evaluation": ["mAP", "d_prime"]], to: layout.path("\(folder)/task_metadata.json"))
        var tones = ToneClips(seed: 8)
        var generator = SeededGenerator(state: 4)
        for fold in 0..<4 {
            var entries: [String: [String]] = [:]
            for index in 0..<12 {
                var labels = (0..<3).filter { _ in generator.next() % 2 == 0 }
                if labels.isEmpty { labels = [index % 3] }
                let file = "f\(fold)-\(index).wav"
                entries[file] = labels.map { names[$0] }
                try tones.write(labels: labels, to: layout.path("\(folder)/16000/fold0\(fold)/\(file)"))
            }
            try json(entries, to: layout.path("\(folder)/fold0\(fold).json"))
        }

        let task = try HEARTaskImporter().load(from: layout.path(folder), name: folder)
        XCTAssertEqual(task.metric, .multilabel)
        XCTAssertEqual(task.classNames, names, "no vocabulary file: the labels sorted")
        XCTAssertEqual([task.train.count, task.valid.count, task.test.count], [24, 12, 12])
        XCTAssertTrue(task.test.allSatisfy { $0.path.contains("/16000/fold00/") }, "test = the first fold")
        XCTAssertTrue(task.valid.allSatisfy { $0.path.contains("/16000/fold01/") }, "validation = the second")
        XCTAssertTrue(task.train.allSatisfy { $0.path.contains("/fold02/") || $0.path.contains("/fold03/") })
        XCTAssertTrue(task.train.contains { ($0.labelSet?.count ?? 0) > 1 })

        let evaluation = TaskEvaluation(settings: EvaluationProtocol(), cache: EmbeddingCache(directory: layout.path("cache")))
        let embedded = try evaluation.embeddings(of: task, by: LogMelStatisticsEmbedder())
        let labelSets = [task.train, task.valid, task.test].map { $0.map(\.labels) }
        let result = OneVsRestEvaluation.score(splits: embedded.splits, labelSets: labelSets, classes: 3, settings: EvaluationProtocol())
        print("chords: per-class AP \(result.averagePrecisions), mAP \(result.meanAveragePrecision), precision@1 \(result.precisionAtOne)")
        XCTAssertEqual(result.averagePrecisions.count, 3)
        XCTAssertGreaterThanOrEqual(result.meanAveragePrecision, 0.85, "0.94–0.97 in five runs (training crops depend on the temporary folder's name)")

        // The same embeddings with each clip's label set moved to another clip: no better than the class frequencies.
        let rotated = labelSets.map { sets in Array(sets.dropFirst(5) + sets.prefix(5)) }
        let shuffled = OneVsRestEvaluation.score(splits: embedded.splits, labelSets: rotated, classes: 3, settings: EvaluationProtocol())
        print("chords, labels moved: mAP \(shuffled.meanAveragePrecision)")
        XCTAssertLessThan(shuffled.meanAveragePrecision, 0.8)

        var options = TransferSuiteOptions(dataRoot: layout.root, tasks: SuiteTask.select(folder, dataRoot: layout.root), outputDirectory: layout.path("out"))
        options.cacheDirectory = layout.path("cache")
        options.scoresFile = nil
        let report = try TransferSuite(embedder: LogMelStatisticsEmbedder(), options: options).run()
        XCTAssertEqual(report.tasks[0].score?.averagePrecision, result.meanAveragePrecision, "the suite reports the same mAP")
        XCTAssertEqual(report.tasks[0].score?.accuracy, result.precisionAtOne)
        XCTAssertEqual(report.tasks[0].score?.averagePrecisionInterval, result.meanAveragePrecisionInterval)
        let interval = try XCTUnwrap(result.meanAveragePrecisionInterval)
        XCTAssertTrue(interval.lower <= result.meanAveragePrecision && result.meanAveragePrecision <= interval.upper, "\(interval)")
        XCTAssertEqual(report.tasks[0].score?.cached, true)
    }

    func testMeanAveragePrecisionIsOverClassesWithAPositiveClip() {
        // Four clips, three classes; class 2 is carried by no clip.
        let margins: [[Float]] = [
            [3, 2, 1, 0],   // class 0, carried by clips 0 and 2: ranks 1 and 3 → (1/1 + 2/3) / 2
            [0, 5, 4, -1],  // class 1, carried by clip 1: rank 1 → 1
            [9, -9, -9, -9],
        ]
        let labelSets = [[0], [1], [0, 1], []]
        let ranking = OneVsRestEvaluation.rank(margins: margins, labelSets: labelSets)
        XCTAssertEqual(ranking.averagePrecisions[0]!, (1 + 2.0 / 3) / 2, accuracy: 1e-12)
        XCTAssertEqual(ranking.averagePrecisions[1], 1)
        XCTAssertNil(ranking.averagePrecisions[2])
        XCTAssertEqual(ranking.meanAveragePrecision, ((1 + 2.0 / 3) / 2 + 1) / 2, accuracy: 1e-12)
        // Top-scored classes 2, 1, 1, 0: clips 1 and 2 carry theirs.
        XCTAssertEqual(ranking.precisionAtOne, 0.5)
    }

    func testMalformedLayoutsNameTheFileAndTheEntry() throws {
        let layout = try MiniatureLayout("hear-malformed")
        try json(["embedding_type": "scene", "prediction_type": "multiclass", "split_mode": "trainvaltest"], to: layout.path("t/task_metadata.json"))
        try layout.wav("t/16000/train/a.wav")
        try json(["a.wav": ["x", "y"]], to: layout.path("t/train.json"))
        try json([String: [String]](), to: layout.path("t/test.json"))
        XCTAssertThrowsError(try HEARTaskImporter().load(from: layout.path("t"), name: "t")) { error in
            XCTAssertEqual(error as? TaskImportError, .malformed(file: layout.path("t/train.json"), line: 0, reason: "\"a.wav\": a multiclass task needs exactly one label, found 2"))
        }
        try json(["a.wav": ["x"]], to: layout.path("t/train.json"))
        try layout.text("t/labelvocabulary.csv", ["idx,label", "0,y"])
        XCTAssertThrowsError(try HEARTaskImporter().load(from: layout.path("t"), name: "t")) { error in
            XCTAssertEqual("\(error)", "\(layout.path("t/train.json")): \"a.wav\": label \"x\" is not in labelvocabulary.csv")
        }
        try json(["embedding_type": "scene", "prediction_type": "multiclass", "split_mode": "presplit_kfold", "splits": ["fold00", "fold01"]],
                 to: layout.path("t/task_metadata.json"))
        try json(["a.wav": ["y"]], to: layout.path("t/fold00.json"))
        try json(["a.wav": ["y"]], to: layout.path("t/fold01.json"))
        XCTAssertThrowsError(try HEARTaskImporter().load(from: layout.path("t"), name: "t")) { error in
            XCTAssertEqual("\(error)", "\(layout.path("t/task_metadata.json")): 2 folds; k-fold tasks need at least 3 (test, validation, train)")
        }
    }
}
