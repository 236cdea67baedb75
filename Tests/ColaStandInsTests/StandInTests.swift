import ColaAudio
@testable import ColaStandIns
import ColaEvaluation
import Foundation
import XCTest

/// Builds the `tiny` stand-ins once and checks them against the importers of the real layouts.
final class StandInTests: XCTestCase {
    /// The shared tiny build (built on first use, removed after the last test).
    private static let build: Result<(root: String, seconds: Double), Error> = {
        let root = NSTemporaryDirectory() + "cola-standins-\(UUID().uuidString)"
        let started = Date()
        return Result {
            try StandInBuilder(root: URL(fileURLWithPath: root), size: .tiny, seed: 7, print: { _ in }).build()
            return (root, Date().timeIntervalSince(started))
        }
    }()

    private static let announce: Void = {
        if let built = try? build.get() { print("tiny build: \(Int(built.seconds.rounded())) s in \(built.root)") }
    }()

    override class func tearDown() {
        if let built = try? build.get() { try? FileManager.default.removeItem(atPath: built.root) }
        super.tearDown()
    }

    /// The tiny build's folder; the test is skipped, naming what to install, when a synthesis
    /// program or packaged recording is missing.
    private func root() throws -> String {
        _ = Self.announce
        do {
            return try Self.build.get().root
        } catch let error as StandInError {
            switch error {
            case .toolMissing, .sourceMissing: throw XCTSkip("stand-ins cannot be synthesized here: \(error)")
            default: throw error
            }
        }
    }

    private func load(_ task: TransferTask) throws -> TaskData {
        try task.importer.load(from: try root() + "/" + task.folderName, name: task.rawValue)
    }

    func testEveryImporterReadsTheTinyBuildWithTheExpectedCounts() throws {
        // (task, classes, train, valid, test) from the tiny plan and the importers' split rules.
        let expected: [(TransferTask, Int, Int, Int, Int)] = [
            (.spcv1, 12, 24, 12, 12), (.spcv2, 35, 70, 35, 35), (.librispeech, 4, 32, 4, 4),
            (.voxceleb, 4, 8, 0, 8), (.voxforge, 6, 12, 12, 12), (.musan, 3, 6, 3, 3),
            (.nsynth, 11, 44, 0, 22), (.birds, 2, 16, 2, 2),
        ]
        for (task, classes, train, valid, test) in expected {
            let data = try load(task)
            print("\(task.rawValue): \(data.classNames.count) classes, train \(data.train.count), valid \(data.valid.count), test \(data.test.count)")
            XCTAssertEqual(data.classNames.count, classes, task.rawValue)
            XCTAssertEqual(data.train.count, train, task.rawValue)
            XCTAssertEqual(data.valid.count, valid, task.rawValue)
            XCTAssertEqual(data.test.count, test, task.rawValue)
        }
        let scenes = try load(.tut2018)
        XCTAssertEqual(scenes.classNames, ["desert", "forest_day", "night", "rain"])
        XCTAssertEqual(scenes.train.count + scenes.valid.count, 8)
        XCTAssertEqual(scenes.test.count, 4)
    }

    func testNoSplitSharesASourceWithAnother() throws {
        for task in TransferTask.allCases {
            let data = try load(task)
            let train = Set(data.train.map(\.source))
            let held = Set((data.valid + data.test).map(\.source))
            XCTAssertTrue(train.isDisjoint(with: held), "\(task.rawValue): \(train.intersection(held).sorted().prefix(3))")
            XCTAssertTrue(Set(data.valid.map(\.source)).isDisjoint(with: Set(data.test.map(\.source))), task.rawValue)
        }
        // Birds: the clips the importer holds out are exactly the ones built from the held-out pool.
        let birds = try load(.birds)
        let planned = BirdsStandIn.heldOutSources((birds.train + birds.valid + birds.test).map { ($0.source, $0.label) })
        XCTAssertEqual(planned, Set((birds.valid + birds.test).map(\.source)))
        // LibriSpeech: no sentence is said twice; VoxForge: every submission is its own synthetic speaker.
        let transcripts = try FileManager.default.subpathsOfDirectory(atPath: try root() + "/librispeech").filter { $0.hasSuffix(".trans.txt") }
        let sentences = try transcripts.flatMap { try String(contentsOfFile: try root() + "/librispeech/" + $0, encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ", maxSplits: 1)[1] } }
        XCTAssertEqual(Set(sentences).count, sentences.count)
        let readmes = try FileManager.default.subpathsOfDirectory(atPath: try root() + "/voxforge").filter { $0.hasSuffix("etc/README") }
        let voices = try readmes.map { try String(contentsOfFile: try root() + "/voxforge/" + $0, encoding: .utf8).split(separator: "\n").last! }
        XCTAssertEqual(readmes.count, 18)
        XCTAssertEqual(Set(voices).count, voices.count)
    }

    func testClipsHaveTheRealSetsRatesChannelsAndLengths() throws {
        let base = try root()
        func check(_ relativeFolder: String, rate: Set<Int>, channels: Int, seconds: Double?) throws {
            let folder = base + "/" + relativeFolder
            let files = try FileManager.default.subpathsOfDirectory(atPath: folder).filter { $0.hasSuffix(".wav") || $0.hasSuffix(".flac") }
            XCTAssertFalse(files.isEmpty, relativeFolder)
            for file in files {
                let sound = try SoundFile(path: folder + "/" + file)
                XCTAssertTrue(rate.contains(sound.sampleRate), "\(file): \(sound.sampleRate) Hz")
                XCTAssertEqual(sound.channelCount, channels, file)
                if let seconds { XCTAssertEqual(Double(sound.frameCount) / Double(sound.sampleRate), seconds, accuracy: 0.001, file) }
                if file.hasSuffix(".wav") { XCTAssertEqual(try Self.wavBitsPerSample(folder + "/" + file), 16, file) }
            }
        }
        try check("spcv1/yes", rate: [16000], channels: 1, seconds: 1)
        try check("spcv2/visual", rate: [16000], channels: 1, seconds: 1)
        try check("nsynth/nsynth-train/audio", rate: [16000], channels: 1, seconds: 4)
        try check("birds/ff1010bird_wav/wav", rate: [44100], channels: 1, seconds: 10)
        try check("tut2018/TUT-urban-acoustic-scenes-2018-development/audio", rate: [48000, 44100], channels: 2, seconds: 10)
        try check("librispeech/LibriSpeech/train-clean-100", rate: [16000], channels: 1, seconds: nil)
        try check("voxforge/de", rate: [16000, 22050, 48000], channels: 1, seconds: nil)
    }

    func testPretrainingCorpusReadsAsAnAudioSetManifest() throws {
        let folder = try root() + "/pretrain"
        let classes = try AudioSetClassList(path: folder + "/class_labels_indices.csv")
        let manifest = try AudioSetManifest(segmentsPath: folder + "/segments.csv", classes: classes, audioRoot: folder + "/audio")
        XCTAssertEqual(manifest.segments.count, 12)
        XCTAssertEqual(manifest.foundCount, 12)
        XCTAssertTrue(manifest.items.allSatisfy { !$0.labels.isEmpty })
        XCTAssertEqual(classes.mids[classes.index(of: "/m/09x0r")!], "/m/09x0r")
        let header = try String(contentsOfFile: folder + "/segments.csv", encoding: .utf8).split(separator: "\n").prefix(3)
        XCTAssertTrue(header.allSatisfy { $0.hasPrefix("#") })
        let formats = Set(try FileManager.default.contentsOfDirectory(atPath: folder + "/audio").map { URL(fileURLWithPath: $0).pathExtension })
        XCTAssertEqual(formats, ["wav", "flac"])
    }

    func testRerunSkipsBuiltTargetsAndRebuildsAChangedOne() throws {
        let base = try root()
        let builder = StandInBuilder(root: URL(fileURLWithPath: base), size: .tiny, seed: 7, print: { _ in })
        XCTAssertTrue(try builder.build([.musan, .pretrain]).allSatisfy(\.skipped))
        try FileManager.default.removeItem(atPath: base + "/musan/README")
        let outcomes = try builder.build([.musan])
        XCTAssertFalse(outcomes[0].skipped)
    }

    func testSameSeedGivesTheSameFiles() throws {
        let built = try root()
        let other = NSTemporaryDirectory() + "cola-standins-again-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: other) }
        try StandInBuilder(root: URL(fileURLWithPath: other), size: .tiny, seed: 7, print: { _ in }).build([.pretrain])
        let first = BuildMarker.inventory(URL(fileURLWithPath: built + "/pretrain"))
        let second = BuildMarker.inventory(URL(fileURLWithPath: other + "/pretrain"))
        XCTAssertEqual(first.2, second.2)
        for path in ["segments.csv", "class_labels_indices.csv"] + (try FileManager.default.contentsOfDirectory(atPath: other + "/pretrain/audio")).map({ "audio/" + $0 }) {
            XCTAssertEqual(FileManager.default.contents(atPath: built + "/pretrain/" + path), FileManager.default.contents(atPath: other + "/pretrain/" + path), path)
        }
    }

    /// The bits-per-sample field of a canonical WAV header.
    static func wavBitsPerSample(_ path: String) throws -> Int {
        let header = try XCTUnwrap(FileHandle(forReadingAtPath: path)?.readData(ofLength: 36))
        return Int(header[34]) | Int(header[35]) << 8
    }
}
