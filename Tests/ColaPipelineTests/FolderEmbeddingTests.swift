import ColaAudio
import ColaDistributed
import ColaEvaluation
import ColaModel
import Foundation
import XCTest
@testable import ColaPipeline

final class FolderEmbeddingTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "cola-folder-embedding-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/in/speech", withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Writes `seconds` of two tones at `rate` Hz with `channels` channels to `in/relative`.
    private func writeTones(_ relative: String, seconds: Double, rate: Int, channels: Int, format: SoundFileFormat = .wav16) throws {
        let frames = Int(seconds * Double(rate))
        var samples: [Float] = []
        for t in 0..<frames {
            for channel in 0..<channels {
                let time = Double(t) / Double(rate)
                samples.append(Float(0.3 * sin(2 * .pi * 440 * time) + 0.1 * Double(channel + 1) * sin(2 * .pi * 1870 * time + 0.4)))
            }
        }
        try SoundFileWriter.write(samples, channels: channels, sampleRate: rate, format: format, to: "\(folder!)/in/\(relative)")
    }

    /// The NPY file's `<f4` values and shape.
    private func readNPY(_ path: String) throws -> (shape: String, values: [Float]) {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(Array(bytes[0..<8]), [0x93] + Array("NUMPY".utf8) + [1, 0])
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        XCTAssertEqual((10 + headerLength) % 64, 0, "the data starts at a multiple of 64 bytes")
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        XCTAssertTrue(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': ("), header)
        let shape = String(header[header.range(of: "(")!.upperBound..<header.range(of: ")")!.lowerBound])
        let data = bytes[(10 + headerLength)...]
        let values = stride(from: data.startIndex, to: data.endIndex, by: 4).map { at in
            Float(bitPattern: UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24)
        }
        return (shape, values)
    }

    func testClipEmbeddingIsTheMeanOfTheSuitesWindowsAndBadFilesAreListed() throws {
        try writeTones("speech/a.wav", seconds: 2.5, rate: 16000, channels: 1)
        try writeTones("stereo.flac", seconds: 1.7, rate: 44100, channels: 2, format: .flac16)
        try writeTones("short8k.wav", seconds: 0.6, rate: 8000, channels: 1)
        try writeTones("cut.flac", seconds: 2.0, rate: 22050, channels: 1, format: .flac16)
        let cut = try Data(contentsOf: URL(fileURLWithPath: "\(folder!)/in/cut.flac"))
        try cut.prefix(cut.count / 2).write(to: URL(fileURLWithPath: "\(folder!)/in/cut.flac"))
        try Data().write(to: URL(fileURLWithPath: "\(folder!)/in/empty.wav"))
        try Data("not audio\n".utf8).write(to: URL(fileURLWithPath: "\(folder!)/in/notes.txt"))
        try Data("hidden".utf8).write(to: URL(fileURLWithPath: "\(folder!)/in/.hidden"))

        let embedder = ModelEmbedder.random(.smallCNN, seed: 3)
        let inputs = try EmbeddingInputs.folder(folder + "/in")
        XCTAssertEqual(inputs.files.map(\.name), ["cut.flac", "empty.wav", "notes.txt", "short8k.wav", "speech/a.wav", "stereo.flac"])
        var lines: [String] = []
        let summary = try FolderEmbedding(inputs: inputs, outputFolder: folder + "/out", hopSamples: 8000)
            .run(embedder: embedder, communicator: LocalCommunicator()) { lines.append($0) }
        XCTAssertEqual(summary.files, 6)
        XCTAssertEqual(summary.embedded, 3)
        XCTAssertEqual(summary.skipped.map(\.reason), [.truncated, .empty, .unreadable])
        XCTAssertEqual(summary.line, "embedded 3 of 6 files; skipped 3 (unreadable 1, truncated 1, empty 1)")
        let skippedTSV = try String(contentsOfFile: folder + "/out/skipped.tsv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(skippedTSV.count, 4)
        XCTAssertEqual(skippedTSV[0], "path\treason\tdetail")
        XCTAssertTrue(skippedTSV[1].hasPrefix("\(folder!)/in/cut.flac\ttruncated\texpected 44100 frames, read "), String(skippedTSV[1]))
        XCTAssertTrue(skippedTSV[2].hasPrefix("\(folder!)/in/empty.wav\tempty\t"), String(skippedTSV[2]))
        XCTAssertTrue(skippedTSV[3].hasPrefix("\(folder!)/in/notes.txt\tunreadable\t"), String(skippedTSV[3]))
        XCTAssertTrue(lines.contains { $0.hasPrefix("skipped \(folder!)/in/empty.wav (empty") }, "\(lines)")

        let decoder = AudioDecoder(outputRate: 16000)
        let logMel = LogMelExtractor()
        for (name, expectedWindows) in [("speech/a.wav", 2), ("stereo.flac", 1), ("short8k.wav", 1)] {
            let waveform = try decoder.decode(path: "\(folder!)/in/\(name)")
            let offsets = ClipCrops.evaluationOffsets(sampleCount: waveform.count)
            XCTAssertEqual(offsets.count, expectedWindows, name)
            var mean = [Float](repeating: 0, count: 512)
            for offset in offsets {
                let features = try embedder.embed(logMel.extract(ClipCrops.window(waveform, offset: offset)), count: 1)
                for i in 0..<512 { mean[i] += features[i] / Float(offsets.count) }
            }
            let written = try readNPY("\(folder!)/out/\(name).npy")
            XCTAssertEqual(written.shape, "512,")
            let difference = zip(written.values, mean).map { abs($0 - $1) }.max() ?? .infinity
            let scale = mean.map(abs).max() ?? 0
            print("\(name): \(offsets.count) windows, clip embedding vs mean of ModelEmbedder windows: max abs diff \(difference) (max |value| \(scale))")
            XCTAssertGreaterThan(scale, 0)
            XCTAssertLessThanOrEqual(difference, 1e-5 * scale, name)

            let hopOffsets = AudioFileEmbedder.hopOffsets(sampleCount: waveform.count, hop: 8000)
            let windows = try readNPY("\(folder!)/out/\(name).windows.npy")
            let times = try readNPY("\(folder!)/out/\(name).times.npy")
            XCTAssertEqual(windows.shape, "\(hopOffsets.count), 512")
            XCTAssertEqual(times.values, hopOffsets.map { Float(Double($0) / 16000 + 15600.0 / 32000) })
        }
        XCTAssertEqual(AudioFileEmbedder.hopOffsets(sampleCount: 40000, hop: 8000), [0, 8000, 16000, 24000])
        XCTAssertEqual(try readNPY("\(folder!)/out/speech/a.wav.times.npy").values, [0.4875, 0.9875, 1.4875, 1.9875, 2.4875].prefix(4).map { Float($0) })
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(folder!)/out/cut.flac.npy"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(folder!)/out/.hidden.npy"))
    }

    func testRanksShareTheFilesWithoutOverlap() throws {
        let inputs = EmbeddingInputs(files: (0..<7).map { EmbeddingInputs.File(path: "/x/\($0).wav", name: "\($0).wav") })
        let shards = (0..<3).map { inputs.shard(rank: $0, size: 3).map(\.name) }
        XCTAssertEqual(shards, [["0.wav", "3.wav", "6.wav"], ["1.wav", "4.wav"], ["2.wav", "5.wav"]])
    }

    func testAManifestNamesOutputsByTheListedPathAndKeepsMissingFiles() throws {
        try writeTones("speech/a.wav", seconds: 1.2, rate: 16000, channels: 1)
        try "path\tlabel\nspeech/a.wav\tx\n../outside/gone.wav\ty\n".write(toFile: folder + "/in/list.tsv", atomically: true, encoding: .utf8)
        let inputs = try EmbeddingInputs.manifest(folder + "/in/list.tsv")
        XCTAssertEqual(inputs.files.map(\.name), ["speech/a.wav", "__/outside/gone.wav"])
        let summary = try FolderEmbedding(inputs: inputs, outputFolder: folder + "/out", format: .csv)
            .run(embedder: ModelEmbedder.random(.smallCNN, seed: 1), communicator: LocalCommunicator()) { _ in }
        XCTAssertEqual(summary.skipped.map(\.reason), [.missing])
        let csv = try String(contentsOfFile: folder + "/out/speech/a.wav.csv", encoding: .utf8)
        XCTAssertEqual(csv.split(separator: ",").count, 512)
    }
}
