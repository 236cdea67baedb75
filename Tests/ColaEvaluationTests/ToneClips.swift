import ColaAudio
import ColaCore
import ColaEvaluation
import Foundation

/// Tone clips a probe on log-mel statistics separates: class k is a sine at `frequencies[k]` Hz
/// with seeded phase, level and length (0.8–1.6 s) plus a little noise; a multilabel clip mixes
/// the sines of its classes.
struct ToneClips {
    static let frequencies: [Double] = [300, 700, 1500, 3200]
    private var generator: SeededGenerator

    init(seed: UInt64) { generator = SeededGenerator(state: seed) }

    private mutating func uniform() -> Double { Double(generator.next() >> 11) / Double(1 << 53) }

    /// Writes one 16 kHz mono WAV of class `label` to `path` (folders created).
    mutating func write(label: Int, to path: String) throws {
        try write(labels: [label], to: path)
    }

    /// Writes one 16 kHz mono WAV holding the tones of all `labels` (a multilabel clip).
    mutating func write(labels: [Int], to path: String, sampleRate: Int = 16_000) throws {
        let count = Int((0.8 + 0.8 * uniform()) * Double(sampleRate))
        let tones = labels.map { (frequency: Self.frequencies[$0], phase: 2 * Double.pi * uniform(), level: 0.05 + 0.4 * uniform()) }
        var samples = [Float](repeating: 0, count: count)
        for t in 0..<count {
            var value = 0.01 * (uniform() - 0.5)
            for tone in tones { value += tone.level * sin(2 * .pi * tone.frequency * Double(t) / Double(sampleRate) + tone.phase) }
            samples[t] = Float(value / Double(max(1, tones.count)))
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try SoundFileWriter.write(samples, channels: 1, sampleRate: sampleRate, format: .wav16, to: path)
    }
}

extension MiniatureLayout {
    /// Files that exist but that libsndfile cannot decode: text, random bytes, a RIFF header cut
    /// after 12 bytes. Returns their paths relative to the root.
    @discardableResult
    func undecodableFiles(in folder: String) throws -> [String] {
        var generator = SeededGenerator(state: 3)
        let contents: [(String, Data)] = [
            ("text.wav", Data("not audio\n".utf8)),
            ("noise.wav", Data((0..<4000).map { _ in UInt8(truncatingIfNeeded: generator.next()) })),
            ("cut.wav", Data("RIFF".utf8) + Data([0x24, 0, 0, 0]) + Data("WAVE".utf8)),
        ]
        try FileManager.default.createDirectory(atPath: path(folder), withIntermediateDirectories: true)
        return try contents.map { name, data in
            try data.write(to: URL(fileURLWithPath: path("\(folder)/\(name)")))
            return "\(folder)/\(name)"
        }
    }
}
