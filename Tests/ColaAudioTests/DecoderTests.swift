import Foundation
import XCTest
@testable import ColaAudio

final class DecoderTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cola-decoder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func tone(_ hertz: Double, rate: Int, seconds: Double, amplitude: Float = 0.5, from start: Double = 0) -> [Float] {
        (0..<Int((seconds * Double(rate)).rounded())).map {
            amplitude * Float(sin(2 * Double.pi * hertz * (start + Double($0) / Double(rate))))
        }
    }

    private func rms(_ x: ArraySlice<Float>) -> Float {
        (x.reduce(0) { $0 + $1 * $1 } / Float(x.count)).squareRoot()
    }

    func testResamplerPassesOneKilohertzAndSuppressesAboveNewNyquist() throws {
        for rate in [22050, 44100, 48000] {
            let resampler = try Resampler(inputRate: rate, outputRate: 16000)
            let passed = try resampler.resample(tone(1000, rate: rate, seconds: 1))
            let blocked = try resampler.resample(tone(10000, rate: rate, seconds: 1))
            XCTAssertEqual(passed.count, 16000)
            let inner = 1000..<15000
            let passGain = 20 * log10(rms(passed[inner]) / (0.5 / Float(2).squareRoot()))
            let stopGain = 20 * log10(rms(blocked[inner]) / (0.5 / Float(2).squareRoot()))
            let expected = tone(1000, rate: 16000, seconds: 1)
            let maxError = inner.map { abs(passed[$0] - expected[$0]) }.max()!
            print("\(rate) → 16000: 1 kHz gain \(passGain) dB (max sample error \(maxError)), 10 kHz gain \(stopGain) dB")
            XCTAssertLessThan(abs(passGain), 0.1)
            XCTAssertLessThan(maxError, 1e-3, "linear phase, delay compensated")
            XCTAssertLessThan(stopGain, -60)
            let topMel = try resampler.resample(tone(7700, rate: rate, seconds: 1))
            let topGain = 20 * log10(rms(topMel[inner]) / (0.5 / Float(2).squareRoot()))
            print("\(rate) → 16000: 7.7 kHz (top mel band) gain \(topGain) dB")
            XCTAssertLessThan(abs(topGain), 0.1, "flat up to the top mel edge")
        }
    }

    func testDecodesEveryFormatRateAndChannelCountTo16kMono() throws {
        let decoder = AudioDecoder()
        for format in [SoundFileFormat.wav16, .flac16, .oggVorbis] {
            for rate in [8000, 22050, 44100, 48000] {
                for channels in [1, 2] {
                    let mono = tone(440, rate: rate, seconds: 0.5)
                    let samples = channels == 1 ? mono : mono.flatMap { [$0, $0] }
                    let path = folder.appendingPathComponent("tone-\(rate)-\(channels).\(format)").path
                    try SoundFileWriter.write(samples, channels: channels, sampleRate: rate, format: format, to: path)
                    let decoded = try decoder.decode(path: path)
                    XCTAssertEqual(decoded.count, 8000, "\(path)")
                    let expected = tone(440, rate: 16000, seconds: 0.5)
                    let inner = 400..<7600
                    let error = rms(ArraySlice(inner.map { decoded[$0] - expected[$0] }))
                    let limit: Float = format == .oggVorbis ? 0.02 : 1e-3
                    XCTAssertLessThan(error, limit, "\(format) \(rate) Hz \(channels) ch: rms error \(error)")
                }
            }
        }
    }

    func testRegionReadsOnlyTheRequestedSeconds() throws {
        let path = folder.appendingPathComponent("long.flac").path
        let left = tone(300, rate: 44100, seconds: 2), right = tone(300, rate: 44100, seconds: 2, amplitude: 0.25)
        try SoundFileWriter.write(zip(left, right).flatMap { [$0, $1] }, channels: 2, sampleRate: 44100, format: .flac16, to: path)
        let region = try AudioDecoder().decode(path: path, start: 0.5, end: 1.25)
        XCTAssertEqual(region.count, 12000)
        let expected = tone(300, rate: 16000, seconds: 0.75, amplitude: 0.375, from: 0.5)
        let error = (400..<11600).map { abs(region[$0] - expected[$0]) }.max()!
        print("region max error \(error)")
        XCTAssertLessThan(error, 1e-3)
        XCTAssertEqual(try AudioDecoder().decode(path: path, start: 1.5, end: 9).count, 8000, "end clamps to the file")
        XCTAssertThrowsError(try AudioDecoder().decode(path: path, start: 3, end: 4)) { error in
            XCTAssertEqual(error as? AudioDecodeError, .empty(path: path))
        }
    }

    func testBadFilesGiveTypedErrorsNamingTheFile() throws {
        let decoder = AudioDecoder()
        let missing = folder.appendingPathComponent("missing.wav").path
        let zeroBytes = folder.appendingPathComponent("zero.wav").path
        _ = FileManager.default.createFile(atPath: zeroBytes, contents: Data())
        let noFrames = folder.appendingPathComponent("noframes.wav").path
        try SoundFileWriter.write([], channels: 1, sampleRate: 16000, format: .wav16, to: noFrames)
        let corrupt = folder.appendingPathComponent("corrupt.flac").path
        _ = FileManager.default.createFile(atPath: corrupt, contents: Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }))
        let truncated = folder.appendingPathComponent("truncated.flac").path
        try SoundFileWriter.write(tone(440, rate: 16000, seconds: 3), channels: 1, sampleRate: 16000, format: .flac16, to: truncated)
        let whole = try Data(contentsOf: URL(fileURLWithPath: truncated))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: truncated))
        let nan = folder.appendingPathComponent("nan.wav").path
        try SoundFileWriter.write([0.1, .nan, 0.2, 0.3], channels: 1, sampleRate: 16000, format: .wavFloat, to: nan)
        let cases: [(String, SkipReason)] = [
            (missing, .missing), (zeroBytes, .empty), (noFrames, .empty), (corrupt, .unreadable),
            (truncated, .truncated), (nan, .nonFinite),
        ]
        for (path, reason) in cases {
            XCTAssertThrowsError(try decoder.decode(path: path), path) { error in
                let decodeError = error as? AudioDecodeError
                XCTAssertEqual(decodeError?.reason, reason, "\(error)")
                XCTAssertTrue("\(error)".contains(path), "\(error)")
            }
        }
    }
}
