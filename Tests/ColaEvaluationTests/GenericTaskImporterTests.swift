import ColaEvaluation
import XCTest

final class GenericTaskImporterTests: XCTestCase {
    func testTSVTaskIsFoundUnderDataRootAndRead() throws {
        let layout = try MiniatureLayout("generic")
        for index in 0..<4 {
            try layout.wav("mytask/clips/a\(index).wav")
            try layout.wav("mytask/clips/b\(index).wav")
        }
        try layout.text("mytask/train.tsv", ["path\tlabel", "clips/a0.wav\tdog", "clips/a1.wav\tdog", "clips/b0.wav\tcat", "clips/b1.wav\tcat"])
        try layout.text("mytask/test.tsv", ["clips/a2.wav\tdog", "clips/b2.wav\tcat"])
        try layout.text("mytask/valid.tsv", ["clips/a3.wav\tdog", "clips/b3.wav\tcat"])
        try layout.wav("spcv1/yes/x.wav")

        let selected = SuiteTask.select("all", dataRoot: layout.root)
        XCTAssertEqual(selected.map(\.name), TransferTask.allCases.map(\.rawValue) + ["mytask"])
        let task = try SuiteTask(name: "mytask").load(dataRoot: layout.root)
        XCTAssertEqual(task.classNames, ["cat", "dog"])
        XCTAssertEqual([task.train.count, task.valid.count, task.test.count], [4, 2, 2])
        XCTAssertEqual(task.test.map(\.label), [1, 0])

        try layout.text("mytask/test.tsv", ["clips/a2.wav\tdog", "clips/b2.wav cat"])
        XCTAssertThrowsError(try SuiteTask(name: "mytask").load(dataRoot: layout.root)) { error in
            XCTAssertEqual(error as? TaskImportError, .malformed(file: layout.path("mytask/test.tsv"), line: 2, reason: "expected <path><TAB><label>, found \"clips/b2.wav cat\""))
        }
    }

    func testClassFoldersWithoutSplitsAreSplitPerClass() throws {
        let layout = try MiniatureLayout("generic-folders")
        for label in ["rain", "wind"] {
            for index in 0..<10 { try layout.wav("weather/\(label)/\(index).wav") }
        }
        let task = try SuiteTask(name: "weather").load(dataRoot: layout.root)
        XCTAssertEqual(task.classNames, ["rain", "wind"])
        XCTAssertEqual([task.train.count, task.valid.count, task.test.count], [16, 2, 2])
    }

    func testMissingTaskFolderReportsThePath() {
        XCTAssertThrowsError(try SuiteTask(name: "nsynth").load(dataRoot: "/nonexistent-root")) { error in
            XCTAssertEqual((error as? TaskImportError)?.missingPath, "/nonexistent-root/nsynth")
        }
    }
}
