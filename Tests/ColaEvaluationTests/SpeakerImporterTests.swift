import ColaEvaluation
import XCTest

final class SpeakerImporterTests: XCTestCase {
    func testLibriSpeechSplitsEachSpeakersUtterances() throws {
        let layout = try MiniatureLayout("libri")
        for (speaker, chapter, count) in [(19, 198, 10), (26, 495, 5)] {
            var transcript: [String] = []
            for utt in 0..<count {
                let id = "\(speaker)-\(chapter)-\(String(format: "%04d", utt))"
                try layout.wav("libri/LibriSpeech/train-clean-100/\(speaker)/\(chapter)/\(id).flac")
                transcript.append("\(id) SOME WORDS")
            }
            try layout.text("libri/LibriSpeech/train-clean-100/\(speaker)/\(chapter)/\(speaker)-\(chapter).trans.txt", transcript)
        }
        let task = try LibriSpeechImporter().load(from: layout.path("libri"), name: "librispeech")
        XCTAssertEqual(task.classNames, ["19", "26"])
        XCTAssertEqual([task.train.count, task.valid.count, task.test.count], [11, 2, 2])
        XCTAssertEqual(Set(task.test.map(\.label)), [0, 1])
        XCTAssertTrue(Set(task.train.map(\.path)).isDisjoint(with: task.test.map(\.path)))
        let again = try LibriSpeechImporter().load(from: layout.path("libri"), name: "librispeech")
        XCTAssertEqual(again.test, task.test, "the split is deterministic")

        try layout.text("libri/LibriSpeech/train-clean-100/26/495/26-495.trans.txt", ["26-495-0000 A", "26-499-0001 WRONG CHAPTER"])
        XCTAssertThrowsError(try LibriSpeechImporter().load(from: layout.path("libri"), name: "librispeech")) { error in
            guard case let .malformed(file, line, _)? = error as? TaskImportError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, layout.path("libri/LibriSpeech/train-clean-100/26/495/26-495.trans.txt"))
            XCTAssertEqual(line, 2)
        }
    }

    func testVoxCelebFollowsIdenSplit() throws {
        let layout = try MiniatureLayout("vox")
        let lines = [
            "1 id10001/1zcIwhmdeo4/00001.wav", "1 id10001/1zcIwhmdeo4/00002.wav", "2 id10001/7gWzIy6yIIk/00001.wav", "3 id10001/9mQ11vBs1wc/00001.wav",
            "1 id10002/0_laIeN-Q44/00001.wav", "2 id10002/6WO410QOeuo/00001.wav", "3 id10002/C7k7C-PDvAA/00001.wav",
        ]
        for line in lines { try layout.wav("vox/wav/\(line.dropFirst(2))") }
        try layout.text("vox/iden_split.txt", lines)
        let task = try VoxCelebImporter().load(from: layout.path("vox"), name: "voxceleb")
        XCTAssertEqual(task.classNames, ["id10001", "id10002"])
        XCTAssertEqual([task.train.count, task.valid.count, task.test.count], [3, 2, 2])
        XCTAssertEqual(task.test.map(\.source), ["id10001/9mQ11vBs1wc", "id10002/C7k7C-PDvAA"])

        try layout.text("vox/iden_split.txt", lines + ["4 id10002/C7k7C-PDvAA/00001.wav"])
        XCTAssertThrowsError(try VoxCelebImporter().load(from: layout.path("vox"), name: "voxceleb")) { error in
            guard case let .malformed(file, line, _)? = error as? TaskImportError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, layout.path("vox/iden_split.txt"))
            XCTAssertEqual(line, 8)
        }
    }

    func testVoxForgeKeepsSubmissionsInOneSplit() throws {
        let layout = try MiniatureLayout("voxforge")
        for (language, submissions) in [("de", 5), ("en", 4)] {
            for submission in 0..<submissions {
                for clip in 0..<2 {
                    try layout.wav("voxforge/\(language)/user\(submission)-20100101-x\(submission)/wav/de\(clip).wav")
                }
            }
        }
        let task = try VoxForgeImporter().load(from: layout.path("voxforge"), name: "voxforge")
        XCTAssertEqual(task.classNames, ["de", "en"])
        XCTAssertEqual([task.train.count, task.valid.count, task.test.count], [10, 4, 4])
        let trainSources = Set(task.train.map(\.source))
        XCTAssertTrue(trainSources.isDisjoint(with: task.test.map(\.source)))
        XCTAssertTrue(trainSources.isDisjoint(with: task.valid.map(\.source)))
    }
}
