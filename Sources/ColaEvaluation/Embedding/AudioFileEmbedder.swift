import ColaAudio

/// One audio file's embeddings (see ``AudioFileEmbedder``).
public struct FileEmbedding: Sendable, Equatable {
    /// Values per embedding.
    public var width: Int
    /// The clip embedding: the mean of the embeddings of the clip's consecutive 1 s windows,
    /// the windows the transfer suite scores a test clip with (``ClipCrops/evaluationOffsets(sampleCount:)``).
    public var clip: [Float]
    /// How many windows ``clip`` averages.
    public var clipWindowCount: Int
    /// Centre time in seconds of each time-stamped window (empty without a hop).
    public var windowCentres: [Double]
    /// `windowCentres.count × width` embeddings of the time-stamped windows, row by row.
    public var windowRows: [Float]
}

/// Embeds whole audio files the way the transfer suite embeds a test clip: decode to 16 kHz mono
/// (``AudioDecoder``, the training front end), cut into consecutive 1 s windows (``ClipCrops``,
/// each L2-normalized), log-mel, encoder; the clip embedding is the windows' mean. With a hop it
/// also embeds 1 s windows every `hopSamples` samples with their centre times.
public final class AudioFileEmbedder {
    /// The encoder.
    public let embedder: any ClipEmbedder
    /// Samples between time-stamped windows; nil for clip embeddings only.
    public let hopSamples: Int?
    /// Crops handed to the embedder per call.
    public let batchSize: Int
    private let decoder = AudioDecoder(outputRate: CropGeometry.sampleRate)
    private let logMel = LogMelExtractor()

    /// Embeds with `embedder`; `hopSamples` (at 16 kHz) adds time-stamped windows.
    public init(embedder: any ClipEmbedder, hopSamples: Int? = nil, batchSize: Int = 32) {
        precondition(hopSamples.map { $0 > 0 } ?? true, "AudioFileEmbedder: hop must be positive")
        self.embedder = embedder
        self.hopSamples = hopSamples
        self.batchSize = batchSize
    }

    /// Start offsets of the time-stamped windows of a clip of `sampleCount` samples: every `hop`
    /// samples while the window lies inside the clip; a clip shorter than a window gives one
    /// window, centred and zero-padded (as ``ClipCrops/evaluationOffsets(sampleCount:)``).
    public static func hopOffsets(sampleCount: Int, hop: Int) -> [Int] {
        let length = CropGeometry.samples
        guard sampleCount > length else { return [(sampleCount - length) / 2] }
        return Array(stride(from: 0, through: sampleCount - length, by: hop))
    }

    /// Decodes and embeds the file at `path`.
    public func embed(path: String) throws -> FileEmbedding {
        let waveform = try decoder.decode(path: path)
        return try embed(waveform: waveform)
    }

    /// Embeds a 16 kHz mono waveform.
    public func embed(waveform: [Float]) throws -> FileEmbedding {
        let width = embedder.width
        let clipOffsets = ClipCrops.evaluationOffsets(sampleCount: waveform.count)
        let rows = try embedWindows(waveform, offsets: clipOffsets)
        var clip = [Float](repeating: 0, count: width)
        for window in 0..<clipOffsets.count {
            for column in 0..<width { clip[column] += rows[window * width + column] }
        }
        let scale = 1 / Float(clipOffsets.count)
        for column in 0..<width { clip[column] *= scale }
        var embedding = FileEmbedding(width: width, clip: clip, clipWindowCount: clipOffsets.count, windowCentres: [], windowRows: [])
        if let hopSamples {
            let offsets = Self.hopOffsets(sampleCount: waveform.count, hop: hopSamples)
            embedding.windowRows = try embedWindows(waveform, offsets: offsets)
            embedding.windowCentres = offsets.map { Double($0) / Double(CropGeometry.sampleRate) + Double(CropGeometry.samples) / Double(2 * CropGeometry.sampleRate) }
        }
        return embedding
    }

    /// The encoder's features of the windows of `waveform` starting at `offsets`, row by row.
    public func embedWindows(_ waveform: [Float], offsets: [Int]) throws -> [Float] {
        var rows: [Float] = []
        rows.reserveCapacity(offsets.count * embedder.width)
        var start = 0
        while start < offsets.count {
            let batch = offsets[start..<min(offsets.count, start + batchSize)]
            var crops: [Float] = []
            crops.reserveCapacity(batch.count * CropGeometry.floats)
            for offset in batch { crops += logMel.extract(ClipCrops.window(waveform, offset: offset)) }
            rows += try embedder.embed(crops, count: batch.count)
            start += batch.count
        }
        return rows
    }
}
