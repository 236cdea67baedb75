import ColaCore
import Foundation

/// CPU cost of Cola's audio front end on generated 10 s clips, one thread: log-mel alone, decode +
/// resample per file format, and the whole pipeline, in CPU seconds per hour of audio (the best
/// of `repeats` passes); plus the pair loader's sustained batches/s. What `cola bench logmel` runs.
public struct FrontEndBenchmark: Sendable {
    /// One test-clip format.
    public struct Format: Sendable {
        public let name: String
        let rate: Int
        let channels: Int
        let encoding: SoundFileFormat
        let fileExtension: String
    }

    /// One generated test file.
    public struct Clip: Sendable {
        public let path: String
        public let format: String
    }

    /// Front-end figures in CPU seconds per hour of audio.
    public struct Result: Sendable {
        public var logMel: Double
        public var decodeResampleByFormat: [String: Double]
        public var pipeline: Double
    }

    /// 16 kHz mono WAV (no resampling), 44.1 kHz stereo WAV, 48 kHz stereo FLAC.
    public static let formats = [
        Format(name: "wav16k-mono", rate: 16000, channels: 1, encoding: .wav16, fileExtension: "wav"),
        Format(name: "wav44k-stereo", rate: 44100, channels: 2, encoding: .wav16, fileExtension: "wav"),
        Format(name: "flac48k-stereo", rate: 48000, channels: 2, encoding: .flac16, fileExtension: "flac"),
    ]

    /// Seconds per clip.
    public static let clipSeconds = 10

    public let clips: [Clip]
    public let repeats: Int

    /// Writes `perFormat` deterministic clips (chirps with noise) of every format into `folder`.
    public init(folder: String, perFormat: Int, repeats: Int) throws {
        var clips: [Clip] = []
        var random = SeededGenerator.keyed(seed: 2026)
        for format in Self.formats {
            for index in 0..<perFormat {
                let frames = format.rate * Self.clipSeconds
                let base = 200 + 150 * Double(index)
                var samples = [Float](repeating: 0, count: frames * format.channels)
                for frame in 0..<frames {
                    let t = Double(frame) / Double(format.rate)
                    let tone = 0.3 * sin(2 * Double.pi * (base * t + 300 * t * t))
                    for channel in 0..<format.channels {
                        samples[frame * format.channels + channel] = Float(tone) + 0.05 * (random.unitInterval() - 0.5) * Float(channel + 1)
                    }
                }
                let path = "\(folder)/clip\(index)-\(format.name).\(format.fileExtension)"
                try SoundFileWriter.write(samples, channels: format.channels, sampleRate: format.rate, format: format.encoding, to: path)
                clips.append(Clip(path: path, format: format.name))
            }
        }
        self.clips = clips
        self.repeats = max(1, repeats)
    }

    /// Times the front end on the calling thread.
    public func measureFrontEnd() throws -> Result {
        let decoder = AudioDecoder()
        let extractor = LogMelExtractor()
        let decoded = try clips.map { try decoder.decode(path: $0.path) }
        var output = [Float](repeating: 0, count: LogMelExtractor.frameCount(forSamples: 16_000 * Self.clipSeconds) * LogMelExtractor.bandCount)
        func extract(_ samples: [Float]) {
            samples.withUnsafeBufferPointer { input in output.withUnsafeMutableBufferPointer { extractor.extract(input, into: $0) } }
        }
        let logMel = try fastest { decoded.forEach(extract) } / hours(clips.count)
        var decodeByFormat: [String: Double] = [:]
        for format in Self.formats {
            let subset = clips.filter { $0.format == format.name }
            decodeByFormat[format.name] = try fastest { for clip in subset { _ = try decoder.decode(path: clip.path) } } / hours(subset.count)
        }
        let pipeline = try fastest { for clip in clips { extract(try decoder.decode(path: clip.path)) } } / hours(clips.count)
        return Result(logMel: logMel, decodeResampleByFormat: decodeByFormat, pipeline: pipeline)
    }

    /// The pair loader's batches per second on `clips` (B = `batch`, `threads` decoder threads),
    /// over `batches` batches after two warm-up batches.
    public func loaderRate(clips: [Clip], batch: Int, threads: Int, batches: Int) throws -> Double {
        let items = (0..<(2 * batch)).map { AudioItem(index: $0, path: clips[$0 % clips.count].path) }
        let loader = try PairBatchLoader(items: items, configuration: PairBatchLoaderConfiguration(seed: 1, globalBatch: batch, threads: threads))
        defer { loader.stop() }
        for _ in 0..<2 { loader.recycle(loader.next()) }
        let began = Date()
        for _ in 0..<batches { loader.recycle(loader.next()) }
        return Double(batches) / Date().timeIntervalSince(began)
    }

    private func hours(_ clipCount: Int) -> Double { Double(clipCount * Self.clipSeconds) / 3600 }

    /// Thread CPU seconds of the fastest of `repeats` runs of `body`.
    private func fastest(_ body: () throws -> Void) throws -> Double {
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = Self.threadCPUSeconds()
            try body()
            best = min(best, Self.threadCPUSeconds() - start)
        }
        return best
    }

    private static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
