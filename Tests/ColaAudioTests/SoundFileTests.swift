import Foundation
import XCTest
@testable import ColaAudio

final class SoundFileTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cola-soundfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// A stereo ramp: left rises, right falls, in steps that 16-bit PCM stores exactly.
    private func stereoRamp(frames: Int) -> [Float] {
        (0..<frames).flatMap { i -> [Float] in
            let v = Float(i % 200 - 100) / 128
            return [v, -v]
        }
    }

    private func roundTrip(_ format: SoundFileFormat, name: String, sampleRate: Int) throws {
        let samples = stereoRamp(frames: 4410)
        let path = folder.appendingPathComponent(name).path
        try SoundFileWriter.write(samples, channels: 2, sampleRate: sampleRate, format: format, to: path)
        let file = try SoundFile(path: path)
        XCTAssertEqual(file.channelCount, 2)
        XCTAssertEqual(file.sampleRate, sampleRate)
        XCTAssertEqual(file.frameCount, 4410)
        let read = try file.readInterleaved()
        XCTAssertEqual(read.count, samples.count)
        let maxDiff = zip(read, samples).map { abs($0 - $1) }.max()!
        print("\(name): \(file.formatName), max abs diff \(maxDiff)")
        XCTAssertLessThanOrEqual(maxDiff, 1.0 / 32768)
    }

    func testWAVRoundTrip() throws {
        try roundTrip(.wav16, name: "ramp.wav", sampleRate: 44100)
    }

    func testFLACRoundTrip() throws {
        try roundTrip(.flac16, name: "ramp.flac", sampleRate: 22050)
    }

    func testSeekReadsFromTheRequestedFrame() throws {
        let path = folder.appendingPathComponent("seek.wav").path
        try SoundFileWriter.write(stereoRamp(frames: 1000), channels: 2, sampleRate: 8000, format: .wav16, to: path)
        let file = try SoundFile(path: path)
        try file.seek(toFrame: 300)
        let read = try file.readInterleaved(frames: 10)
        XCTAssertEqual(read.count, 20)
        XCTAssertEqual(read[0], Float(300 % 200 - 100) / 128)
        XCTAssertEqual(try file.readInterleaved(frames: 5000).count, (1000 - 310) * 2, "reads stop at the end")
    }

    func testMissingAndCorruptFilesThrowNamingThePath() throws {
        let missing = folder.appendingPathComponent("missing.wav").path
        XCTAssertThrowsError(try SoundFile(path: missing)) { error in
            XCTAssertTrue("\(error)".contains(missing), "\(error)")
        }
        let corrupt = folder.appendingPathComponent("corrupt.wav").path
        try Data("RIFF....WAVEnot really audio".utf8).write(to: URL(fileURLWithPath: corrupt))
        XCTAssertThrowsError(try SoundFile(path: corrupt)) { error in
            XCTAssertTrue("\(error)".contains(corrupt), "\(error)")
        }
    }
}
