import ColaEvaluation
import XCTest

final class SpeechCommandsImporterTests: XCTestCase {
    /// Words yes/no/up (command words) and bed/cat (other words), ten speakers each:
    /// speaker 8 in validation_list.txt, speaker 9 in testing_list.txt; two 10 s noise files.
    private func makeLayout() throws -> MiniatureLayout {
        let layout = try MiniatureLayout("spc")
        var validation: [String] = []
        var testing: [String] = []
        for word in ["yes", "no", "up", "bed", "cat"] {
            for speaker in 0..<10 {
                let name = "\(word)/0000abc\(speaker)_nohash_0.wav"
                try layout.wav("spc/\(name)")
                if speaker == 8 { validation.append(name) }
                if speaker == 9 { testing.append(name) }
            }
        }
        try layout.wav("spc/_background_noise_/white_noise.wav", seconds: 10)
        try layout.wav("spc/_background_noise_/running_tap.wav", seconds: 10)
        try layout.text("spc/validation_list.txt", validation)
        try layout.text("spc/testing_list.txt", testing)
        return layout
    }

    func testTwelveClassSetupAddsUnknownAndSilenceAtTenPercent() throws {
        let layout = try makeLayout()
        let task = try SpeechCommandsImporter(setup: .twelveClasses).load(from: layout.path("spc"), name: "spcv1")
        XCTAssertEqual(task.classNames.count, 12)
        XCTAssertEqual(task.classNames.suffix(2), ["_unknown_", "_silence_"])
        // train: 3 words × 8 speakers = 24 command clips, + ceil(2.4) = 3 unknown + 3 silence.
        XCTAssertEqual(task.train.count, 30)
        XCTAssertEqual(task.valid.count, 5)
        XCTAssertEqual(task.test.count, 5)
        XCTAssertEqual(task.train.filter { $0.label == 10 }.count, 3)
        XCTAssertEqual(task.train.filter { $0.label == 11 }.count, 3)
        XCTAssertTrue(task.test.filter { $0.label < 10 }.allSatisfy { $0.path.contains("0000abc9_nohash") })
        let silence = task.train.filter { $0.label == 11 }
        XCTAssertTrue(silence.allSatisfy { $0.durationSeconds == 1 && ($0.startSeconds ?? -1) + 1 <= 8 })
        let testSilence = task.test.first { $0.label == 11 }
        XCTAssertEqual(testSilence?.startSeconds, 9)
    }

    func testAllWordsSetupUsesEveryWordFolder() throws {
        let layout = try makeLayout()
        let task = try SpeechCommandsImporter(setup: .allWords).load(from: layout.path("spc"), name: "spcv2")
        XCTAssertEqual(task.classNames, ["bed", "cat", "no", "up", "yes"])
        XCTAssertEqual([task.train.count, task.valid.count, task.test.count], [40, 5, 5])
        XCTAssertEqual(task.test.filter { $0.label == 4 }.first?.source, "0000abc9")
    }

    func testMalformedListLineNamesFileAndLine() throws {
        let layout = try makeLayout()
        try layout.text("spc/testing_list.txt", ["yes/0000abc9_nohash_0.wav", "yes_0000abc9.wav"])
        XCTAssertThrowsError(try SpeechCommandsImporter(setup: .allWords).load(from: layout.path("spc"), name: "spcv2")) { error in
            XCTAssertEqual(error as? TaskImportError, .malformed(file: layout.path("spc/testing_list.txt"), line: 2, reason: "expected <word>/<file>.wav, found \"yes_0000abc9.wav\""))
        }
    }

    func testMissingListsReportThePathLookedFor() throws {
        let layout = try MiniatureLayout("spc-missing")
        try layout.wav("spc/yes/a_nohash_0.wav")
        XCTAssertThrowsError(try SpeechCommandsImporter(setup: .allWords).load(from: layout.path("spc"), name: "spcv2")) { error in
            XCTAssertEqual((error as? TaskImportError)?.missingPath, layout.path("spc/validation_list.txt"))
        }
    }
}
