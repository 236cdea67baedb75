import CSndFile

/// A failure to open, read or write an audio file, naming the file.
public struct SoundFileError: Error, CustomStringConvertible, Equatable {
    /// The file involved.
    public let path: String
    /// libsndfile's explanation, or Cola's.
    public let reason: String

    public var description: String { "\(path): \(reason)" }
}

/// An audio file opened for reading with libsndfile (WAV, FLAC, Ogg/Vorbis, Opus, and MP3 where
/// the library supports it). The handle is closed when the value is released.
///
/// This is the only file that imports `CSndFile`.
public final class SoundFile {
    /// The path the file was opened from.
    public let path: String
    /// Frames per channel.
    public let frameCount: Int
    /// Interleaved channels per frame.
    public let channelCount: Int
    /// Frames per second.
    public let sampleRate: Int
    /// libsndfile's major format name, e.g. `WAV (Microsoft)` or `FLAC (Free Lossless Audio Codec)`.
    public let formatName: String

    private let handle: OpaquePointer

    /// Opens `path` for reading.
    public init(path: String) throws {
        var info = SF_INFO()
        guard let handle = sf_open(path, Int32(SFM_READ), &info) else {
            throw SoundFileError(path: path, reason: String(cString: sf_strerror(nil)))
        }
        self.path = path
        self.handle = handle
        self.frameCount = Int(info.frames)
        self.channelCount = Int(info.channels)
        self.sampleRate = Int(info.samplerate)
        var format = SF_FORMAT_INFO()
        format.format = info.format & Int32(SF_FORMAT_TYPEMASK)
        let found = sf_command(nil, Int32(SFC_GET_FORMAT_INFO), &format, Int32(MemoryLayout<SF_FORMAT_INFO>.size))
        self.formatName = found == 0 && format.name != nil ? String(cString: format.name) : "unknown"
        guard channelCount > 0, sampleRate > 0 else {
            sf_close(handle)
            throw SoundFileError(path: path, reason: "no channels or no sample rate in the header")
        }
    }

    deinit { sf_close(handle) }

    /// Moves the read position to `frame` (frames per channel from the start).
    public func seek(toFrame frame: Int) throws {
        guard sf_seek(handle, sf_count_t(frame), SEEK_SET) >= 0 else {
            throw SoundFileError(path: path, reason: "cannot seek to frame \(frame) of \(frameCount)")
        }
    }

    /// Reads up to `frames` frames into `buffer` as interleaved floats in [-1, 1].
    ///
    /// - Returns: The number of frames read; fewer than asked at the end of the file.
    public func readFrames(into buffer: UnsafeMutableBufferPointer<Float>, frames: Int) throws -> Int {
        precondition(buffer.count >= frames * channelCount, "SoundFile.readFrames: buffer too small")
        let read = sf_readf_float(handle, buffer.baseAddress, sf_count_t(frames))
        let status = sf_error(handle)
        if status != 0 {
            throw SoundFileError(path: path, reason: String(cString: sf_error_number(status)))
        }
        return Int(read)
    }

    /// Reads `frames` frames (or up to the end) from the current position as interleaved floats.
    public func readInterleaved(frames: Int? = nil) throws -> [Float] {
        let wanted = max(0, frames ?? frameCount)
        var samples = [Float](repeating: 0, count: wanted * channelCount)
        let read = try samples.withUnsafeMutableBufferPointer { try readFrames(into: $0, frames: wanted) }
        samples.removeLast((wanted - read) * channelCount)
        return samples
    }

    /// The version string of the linked libsndfile, e.g. `libsndfile-1.2.0`.
    public static var libraryVersion: String { String(cString: sf_version_string()) }
}

/// Encodings ``SoundFileWriter`` produces.
public enum SoundFileFormat: Sendable {
    /// 16-bit PCM WAV.
    case wav16
    /// 32-bit float WAV.
    case wavFloat
    /// 16-bit FLAC.
    case flac16
    /// Ogg Vorbis.
    case oggVorbis

    var libsndfileFormat: Int32 {
        switch self {
        case .wav16: return Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16)
        case .wavFloat: return Int32(SF_FORMAT_WAV | SF_FORMAT_FLOAT)
        case .flac16: return Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16)
        case .oggVorbis: return Int32(SF_FORMAT_OGG | SF_FORMAT_VORBIS)
        }
    }
}

/// Writes interleaved float samples to an audio file with libsndfile.
public enum SoundFileWriter {
    /// Writes `samples` (interleaved, `channels` per frame, in [-1, 1]) to `path`, replacing it.
    public static func write(
        _ samples: [Float], channels: Int, sampleRate: Int, format: SoundFileFormat, to path: String
    ) throws {
        precondition(channels > 0 && samples.count % channels == 0, "SoundFileWriter: ragged frames")
        var info = SF_INFO()
        info.channels = Int32(channels)
        info.samplerate = Int32(sampleRate)
        info.format = format.libsndfileFormat
        guard sf_format_check(&info) != 0 else {
            throw SoundFileError(path: path, reason: "format not supported by this libsndfile")
        }
        guard let handle = sf_open(path, Int32(SFM_WRITE), &info) else {
            throw SoundFileError(path: path, reason: String(cString: sf_strerror(nil)))
        }
        defer { sf_close(handle) }
        let frames = samples.count / channels
        let written = samples.withUnsafeBufferPointer { sf_writef_float(handle, $0.baseAddress, sf_count_t(frames)) }
        guard written == frames else {
            throw SoundFileError(path: path, reason: "wrote \(written) of \(frames) frames")
        }
    }
}
