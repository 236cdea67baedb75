import ColaAudio
import Foundation

/// A temporary folder in which a test builds a miniature copy of a data set's layout.
final class MiniatureLayout {
    let root: String

    init(_ name: String) throws {
        root = NSTemporaryDirectory() + "cola-eval-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func path(_ relative: String) -> String { root + "/" + relative }

    /// Writes a 16 kHz mono WAV of `seconds` of a quiet tone at `relative`.
    @discardableResult
    func wav(_ relative: String, seconds: Double = 0.05, sampleRate: Int = 16000) throws -> String {
        let target = path(relative)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let samples = (0..<Int(seconds * Double(sampleRate))).map { Float(0.1 * sin(Double($0) * 0.05)) }
        try SoundFileWriter.write(samples, channels: 1, sampleRate: sampleRate, format: relative.hasSuffix(".flac") ? .flac16 : .wav16, to: target)
        return target
    }

    /// Writes `lines` joined by newlines (with a final newline) to `relative`.
    func text(_ relative: String, _ lines: [String]) throws {
        let target = path(relative)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try (lines.joined(separator: "\n") + "\n").write(toFile: target, atomically: true, encoding: .utf8)
    }
}
