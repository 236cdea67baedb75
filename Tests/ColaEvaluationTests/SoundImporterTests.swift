import ColaEvaluation
import XCTest

final class SoundImporterTests: XCTestCase {
    func testMusanSplitsFilesPerClass() throws {
        let layout = try MiniatureLayout("musan")
        for (kind, collection) in [("music", "fma"), ("speech", "librivox"), ("noise", "free-sound")] {
            for index in 0..<10 { try layout.wav("musan/\(kind)/\(collection)/\(kind)-\(collection)-\(String(format: "%04d", index)).wav") }
        }
        try layout.text("musan/README", ["MUSAN"])
        let task = try MusanImporter().load(from: layout.path("musan"), name: "musan")
        XCTAssertEqual(task.classNames, ["music", "speech", "noise"])
        XCTAssertEqual([task.train.count, task.valid.count, task.test.count], [24, 3, 3])
        XCTAssertEqual(task.test.map(\.label).sorted(), [0, 1, 2])

        try FileManager.default.removeItem(atPath: layout.path("musan/noise"))
        XCTAssertThrowsError(try MusanImporter().load(from: layout.path("musan"), name: "musan")) { error in
            XCTAssertEqual((error as? TaskImportError)?.missingPath, layout.path("musan/noise"))
        }
    }

    func testNSynthReadsExamplesJSON() throws {
        let layout = try MiniatureLayout("nsynth")
        func notes(_ split: String, _ entries: [(String, Int, String)]) throws {
            var json: [String] = ["{"]
            for (index, (note, family, familyName)) in entries.enumerated() {
                try layout.wav("nsynth/nsynth-\(split)/audio/\(note).wav")
                json.append("  \"\(note)\": {")
                json.append("    \"note_str\": \"\(note)\", \"instrument_family\": \(family),")
                json.append("    \"instrument_family_str\": \"\(familyName)\", \"instrument_str\": \"\(note.split(separator: "-").first!)\"")
                json.append(index == entries.count - 1 ? "  }" : "  },")
            }
            json.append("}")
            try layout.text("nsynth/nsynth-\(split)/examples.json", json)
        }
        try notes("train", [("bass_synthetic_033-022-050", 0, "bass"), ("guitar_acoustic_010-066-100", 3, "guitar"), ("vocal_synthetic_003-045-127", 10, "vocal")])
        try notes("test", [("bass_synthetic_068-049-025", 0, "bass"), ("keyboard_electronic_001-021-127", 4, "keyboard")])
        let task = try NSynthImporter().load(from: layout.path("nsynth"), name: "nsynth")
        XCTAssertEqual(task.classNames.count, 11)
        XCTAssertEqual(task.train.map(\.label), [0, 3, 10])
        XCTAssertEqual(task.test.map(\.label), [0, 4])
        XCTAssertEqual(task.valid.count, 0)
        XCTAssertEqual(task.train[1].source, "guitar_acoustic_010")

        try notes("test", [("bass_synthetic_068-049-025", 0, "bass"), ("keyboard_electronic_001-021-127", 12, "keyboard")])
        XCTAssertThrowsError(try NSynthImporter().load(from: layout.path("nsynth"), name: "nsynth")) { error in
            guard case let .malformed(file, line, _)? = error as? TaskImportError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, layout.path("nsynth/nsynth-test/examples.json"))
            XCTAssertEqual(line, 6)
        }
    }

    func testBirdDetectionReadsBothCSVs() throws {
        let layout = try MiniatureLayout("birds")
        for (stem, dataset) in [("ff1010bird", "ff1010bird"), ("warblrb10k_public", "warblrb10k")] {
            var rows = ["itemid,datasetid,hasbird"]
            for item in 0..<10 {
                let id = "\(dataset)-\(1000 + item)"
                try layout.wav("birds/\(stem)_wav/wav/\(id).wav")
                rows.append("\(id),\(dataset),\(item % 2)")
            }
            try layout.text("birds/\(stem)_metadata.csv", rows)
        }
        let task = try BirdDetectionImporter().load(from: layout.path("birds"), name: "birds")
        XCTAssertEqual(task.classNames, ["nobird", "bird"])
        XCTAssertEqual(task.metric, .detection)
        XCTAssertEqual([task.train.count, task.valid.count, task.test.count], [16, 2, 2])
        XCTAssertEqual(task.test.map(\.label).sorted(), [0, 1])

        try layout.text("birds/ff1010bird_metadata.csv", ["itemid,datasetid,hasbird", "ff1010bird-1000,ff1010bird,0", "ff1010bird-1001,ff1010bird,yes"])
        XCTAssertThrowsError(try BirdDetectionImporter().load(from: layout.path("birds"), name: "birds")) { error in
            guard case let .malformed(file, line, _)? = error as? TaskImportError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, layout.path("birds/ff1010bird_metadata.csv"))
            XCTAssertEqual(line, 3)
        }
    }

    func testUrbanScenesUsesFoldOneAndCarvesValidationByLocation() throws {
        let layout = try MiniatureLayout("tut")
        let base = "tut/TUT-urban-acoustic-scenes-2018-development"
        var meta = ["filename\tscene_label\tidentifier\tsource_label"]
        var train = ["filename\tscene_label"]
        var evaluate = ["filename\tscene_label"]
        for scene in ["airport", "bus", "park"] {
            for location in 0..<4 {
                for segment in 0..<2 {
                    let file = "audio/\(scene)-barcelona-\(location)-\(segment)-a.wav"
                    try layout.wav("\(base)/\(file)")
                    meta.append("\(file)\t\(scene)\tbarcelona-\(location)\ta")
                    if location == 3 { evaluate.append("\(file)\t\(scene)") } else { train.append("\(file)\t\(scene)") }
                }
            }
        }
        try layout.text("\(base)/meta.csv", meta)
        try layout.text("\(base)/evaluation_setup/fold1_train.csv", train)
        try layout.text("\(base)/evaluation_setup/fold1_evaluate.csv", evaluate)
        let task = try UrbanScenesImporter().load(from: layout.path("tut"), name: "tut2018")
        XCTAssertEqual(task.classNames, ["airport", "bus", "park"])
        XCTAssertEqual([task.train.count, task.valid.count, task.test.count], [18, 0, 6])
        let carved = task.withValidationSplit()
        XCTAssertEqual([carved.train.count, carved.valid.count], [12, 6])
        XCTAssertTrue(Set(carved.train.map(\.source)).isDisjoint(with: carved.valid.map(\.source)))

        try layout.text("\(base)/evaluation_setup/fold1_evaluate.csv", evaluate + ["audio/missing.wav"])
        XCTAssertThrowsError(try UrbanScenesImporter().load(from: layout.path("tut"), name: "tut2018")) { error in
            guard case let .malformed(file, line, _)? = error as? TaskImportError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, layout.path("\(base)/evaluation_setup/fold1_evaluate.csv"))
            XCTAssertEqual(line, 8)
        }
    }
}
