#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be turned into samples. Each case names the file; the loader counts
/// skipped items by ``reason``.
public enum AudioDecodeError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No file at the path.
    case missing(path: String)
    /// libsndfile cannot open or decode it (corrupt, unknown format, no permission).
    case unreadable(path: String, reason: String)
    /// The file or the requested region holds no samples.
    case empty(path: String)
    /// The file ends (or fails) before the frames its header or the region promised.
    case truncated(path: String, expectedFrames: Int, readFrames: Int)
    /// Decoded samples contain NaN or infinity.
    case nonFinite(path: String)

    public var description: String {
        switch self {
        case .missing(let path): return "\(path): no such file"
        case .unreadable(let path, let reason): return "\(path): unreadable: \(reason)"
        case .empty(let path): return "\(path): no samples (empty file or region outside the file)"
        case .truncated(let path, let expected, let read):
            return "\(path): truncated: expected \(expected) frames, read \(read)"
        case .nonFinite(let path): return "\(path): samples contain NaN or infinity"
        }
    }

    /// The counter this failure belongs to.
    public var reason: SkipReason {
        switch self {
        case .missing: return .missing
        case .unreadable: return .unreadable
        case .empty: return .empty
        case .truncated: return .truncated
        case .nonFinite: return .nonFinite
        }
    }
}

/// Reasons an item is skipped by the loader (each has its own counter).
public enum SkipReason: String, CaseIterable, Sendable, Codable {
    case missing, unreadable, truncated, empty, nonFinite
}

/// Decodes any file libsndfile reads to mono at 16 kHz (or `outputRate`): reads only the
/// requested region, averages the channels, and resamples with a band-limited ``Resampler``
/// (one per input rate, designed once and reused).
///
/// One decoder per thread; it reuses its read buffers.
public final class AudioDecoder {
    /// Output sample rate.
    public let outputRate: Int

    private var resamplers: [Int: Resampler] = [:]
    private var interleaved: [Float] = []
    private static let blockFrames = 16384

    /// A decoder producing `outputRate` Hz mono.
    public init(outputRate: Int = 16000) {
        self.outputRate = outputRate
    }

    /// Decodes `path` to mono at ``outputRate``.
    ///
    /// - Parameters:
    ///   - start: Region start in seconds (nil: beginning). Only the region is read.
    ///   - end: Region end in seconds, exclusive (nil: end of file; clamped to the file).
    public func decode(path: String, start: Double? = nil, end: Double? = nil) throws(AudioDecodeError) -> [Float] {
        var status = stat()
        guard stat(path, &status) == 0 else { throw .missing(path: path) }
        guard status.st_size > 0 else { throw .empty(path: path) }
        let file: SoundFile
        do {
            file = try SoundFile(path: path)
        } catch {
            throw .unreadable(path: path, reason: error.reason)
        }
        let rate = file.sampleRate
        let firstFrame = max(0, Int(((start ?? 0) * Double(rate)).rounded()))
        let endFrame = min(file.frameCount, end.map { Int(($0 * Double(rate)).rounded()) } ?? file.frameCount)
        guard endFrame > firstFrame else { throw .empty(path: path) }
        let mono = try readMono(file, from: firstFrame, to: endFrame)
        guard Self.allFinite(mono) else { throw .nonFinite(path: path) }
        guard rate != outputRate else { return mono }
        do {
            return try resampler(from: rate).resample(mono)
        } catch {
            throw .unreadable(path: path, reason: error.description)
        }
    }

    /// Reads frames `[from, to)` and averages the channels.
    private func readMono(_ file: SoundFile, from firstFrame: Int, to endFrame: Int) throws(AudioDecodeError) -> [Float] {
        let channels = file.channelCount
        let expected = endFrame - firstFrame
        var mono = [Float](repeating: 0, count: expected)
        if interleaved.count < Self.blockFrames * channels {
            interleaved = [Float](repeating: 0, count: Self.blockFrames * channels)
        }
        var done = 0
        do {
            if firstFrame > 0 { try file.seek(toFrame: firstFrame) }
            while done < expected {
                let want = min(Self.blockFrames, expected - done)
                let read = try interleaved.withUnsafeMutableBufferPointer { try file.readFrames(into: $0, frames: want) }
                if read == 0 { break }
                interleaved.withUnsafeBufferPointer { block in
                    mono.withUnsafeMutableBufferPointer { out in
                        Self.downmix(block, channels: channels, frames: read, into: out.baseAddress! + done)
                    }
                }
                done += read
            }
        } catch {
            if done == 0 && firstFrame == 0 { throw .unreadable(path: file.path, reason: error.reason) }
            throw .truncated(path: file.path, expectedFrames: expected, readFrames: done)
        }
        guard done == expected else {
            if done == 0 && expected > 0 && firstFrame == 0 && file.frameCount == 0 { throw .empty(path: file.path) }
            throw .truncated(path: file.path, expectedFrames: expected, readFrames: done)
        }
        return mono
    }

    /// True when no sample is NaN or infinite (x · 0 is 0 for finite x and NaN otherwise).
    private static func allFinite(_ samples: [Float]) -> Bool {
        samples.withUnsafeBufferPointer { buffer in
            var lanes = SIMD16<Float>()
            var i = 0
            let raw = UnsafeRawPointer(buffer.baseAddress)
            while i + 16 <= buffer.count, let raw {
                lanes += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * 0
                i += 16
            }
            var rest: Float = lanes.sum()
            while i < buffer.count {
                rest += buffer[i] * 0
                i += 1
            }
            return rest == 0
        }
    }

    private static func downmix(_ block: UnsafeBufferPointer<Float>, channels: Int, frames: Int, into out: UnsafeMutablePointer<Float>) {
        let source = block.baseAddress!
        switch channels {
        case 1:
            out.update(from: source, count: frames)
        case 2:
            for frame in 0..<frames {
                out[frame] = (source[2 * frame] + source[2 * frame + 1]) * 0.5
            }
        default:
            let scale = 1 / Float(channels)
            for frame in 0..<frames {
                var sum: Float = 0
                for channel in 0..<channels { sum += source[frame * channels + channel] }
                out[frame] = sum * scale
            }
        }
    }

    private func resampler(from rate: Int) throws(ResamplerError) -> Resampler {
        if let cached = resamplers[rate] { return cached }
        let made = try Resampler(inputRate: rate, outputRate: outputRate)
        resamplers[rate] = made
        return made
    }
}

extension Error {
    /// The explanation without the path prefix when it is a ``SoundFileError``.
    fileprivate var reason: String { (self as? SoundFileError)?.reason ?? "\(self)" }
}
