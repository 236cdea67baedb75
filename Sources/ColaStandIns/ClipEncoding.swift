import ColaAudio
import ColaEvaluation
import Foundation

/// How a stand-in clip is stored: container, sample rate and channels, as its real data set ships.
public struct ClipEncoding: Sendable, Hashable, CustomStringConvertible {
    /// File container; both are 16-bit PCM.
    public enum Container: String, Sendable, Hashable {
        case wav
        case flac
    }

    public let container: Container
    public let sampleRate: Int
    public let channels: Int

    public init(_ container: Container = .wav, sampleRate: Int = Waveform.rate, channels: Int = 1) {
        self.container = container
        self.sampleRate = sampleRate
        self.channels = channels
    }

    /// 16-bit mono WAV at 16 kHz, the common case.
    public static let wav16k = ClipEncoding()

    /// The file name extension.
    public var fileExtension: String { container.rawValue }

    public var description: String {
        "16-bit \(container.rawValue.uppercased()) \(sampleRate) Hz \(channels == 1 ? "mono" : "\(channels) ch")"
    }
}

/// Reads packaged recordings and writes stand-in clips, converting rates with sox (`-R`, so
/// dither and resampling are repeatable).
struct ClipCodec: Sendable {
    let sox: ExternalTool
    /// Folder for intermediate files.
    let scratch: URL

    /// Writes `waveform` to `path` in `encoding`. Stereo clips get a slightly delayed, quieter right
    /// channel so the two channels differ like a real recording.
    func write(_ waveform: Waveform, to path: URL, encoding: ClipEncoding) throws {
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        let mono = waveform.limited()
        let interleaved = ClipCodec.interleave(mono, channels: encoding.channels)
        if encoding.sampleRate == Waveform.rate {
            try SoundFileWriter.write(
                interleaved, channels: encoding.channels, sampleRate: Waveform.rate,
                format: encoding.container == .wav ? .wav16 : .flac16, to: path.path)
            return
        }
        let temporary = scratch.appendingPathComponent("\(UUID().uuidString).wav")
        defer { try? FileManager.default.removeItem(at: temporary) }
        try SoundFileWriter.write(interleaved, channels: encoding.channels, sampleRate: Waveform.rate, format: .wavFloat, to: temporary.path)
        try sox.run(["-R", "-V1", temporary.path, "-r", "\(encoding.sampleRate)", "-b", "16", "-e", "signed-integer", path.path])
    }

    /// Decodes any file sox or libsndfile reads to a mono 16 kHz waveform.
    func read(_ path: URL) throws -> Waveform {
        let file = try SoundFile(path: path.path)
        if file.sampleRate == Waveform.rate {
            return ClipCodec.downmix(try file.readInterleaved(), channels: file.channelCount)
        }
        let temporary = scratch.appendingPathComponent("\(UUID().uuidString).wav")
        defer { try? FileManager.default.removeItem(at: temporary) }
        try sox.run(["-R", "-V1", path.path, "-r", "\(Waveform.rate)", "-c", "1", "-e", "floating-point", "-b", "32", temporary.path])
        let converted = try SoundFile(path: temporary.path)
        return ClipCodec.downmix(try converted.readInterleaved(), channels: converted.channelCount)
    }

    static func downmix(_ interleaved: [Float], channels: Int) -> Waveform {
        guard channels > 1 else { return Waveform(samples: interleaved) }
        let frames = interleaved.count / channels
        var out = [Float](repeating: 0, count: frames)
        for frame in 0..<frames {
            var sum: Float = 0
            for channel in 0..<channels { sum += interleaved[frame * channels + channel] }
            out[frame] = sum / Float(channels)
        }
        return Waveform(samples: out)
    }

    static func interleave(_ waveform: Waveform, channels: Int) -> [Float] {
        guard channels > 1 else { return waveform.samples }
        let delay = 7
        let count = waveform.samples.count
        var out = [Float](repeating: 0, count: count * channels)
        for frame in 0..<count {
            out[frame * channels] = waveform.samples[frame]
            let delayed = frame >= delay ? waveform.samples[frame - delay] : 0
            for channel in 1..<channels { out[frame * channels + channel] = 0.85 * delayed + 0.1 * waveform.samples[frame] }
        }
        return out
    }
}
