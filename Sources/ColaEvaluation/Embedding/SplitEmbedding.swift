import ColaAudio
import ColaCore

/// Decodes clips, cuts them into 1 s windows (``ClipCrops``), computes their log-mel and
/// embeds them in batches with a ``ClipEmbedder``.
public final class SplitEmbedding {
    /// Crops handed to the embedder per call.
    public let batchSize: Int
    private let embedder: any ClipEmbedder
    private let decoder = AudioDecoder(outputRate: CropGeometry.sampleRate)
    private let logMel = LogMelExtractor()

    /// Embeds with `embedder`, `batchSize` crops at a time.
    public init(embedder: any ClipEmbedder, batchSize: Int = 64) {
        self.embedder = embedder
        self.batchSize = batchSize
    }

    /// How a split is cut into windows.
    public enum Windows: Sendable, Equatable {
        /// `count` random windows per clip, positions seeded by `seed` and the clip's key below
        /// `root` (``TaskData/clipRoot``), so they do not depend on where the data lies.
        case random(count: Int, seed: UInt64, root: String)
        /// Consecutive non-overlapping windows covering the clip.
        case consecutive
    }

    /// Embeds every clip of `clips` cut into `windows`.
    public func embed(_ clips: [LabeledClip], windows: Windows) throws -> EmbeddedSplit {
        var split = EmbeddedSplit(width: embedder.width)
        split.labels = clips.map { Int32($0.label) }
        var pendingCrops: [Float] = []
        var pendingClips: [Int32] = []
        pendingCrops.reserveCapacity(batchSize * CropGeometry.floats)

        func flush() throws {
            guard !pendingClips.isEmpty else { return }
            let embedded = try embedder.embed(pendingCrops, count: pendingClips.count)
            precondition(embedded.count == pendingClips.count * embedder.width, "\(embedder.displayName) returned \(embedded.count) floats for \(pendingClips.count) crops")
            split.rows += embedded
            split.clipOfRow += pendingClips
            pendingCrops.removeAll(keepingCapacity: true)
            pendingClips.removeAll(keepingCapacity: true)
        }

        for (index, clip) in clips.enumerated() {
            let waveform: [Float]
            do {
                let end = clip.durationSeconds.map { (clip.startSeconds ?? 0) + $0 }
                waveform = try decoder.decode(path: clip.path, start: clip.startSeconds, end: end)
            } catch {
                split.unreadable.append(EmbeddedSplit.FailedClip(index: index, error: error))
                continue
            }
            let offsets: [Int]
            switch windows {
            case let .random(count, seed, root):
                offsets = ClipCrops.trainingOffsets(sampleCount: waveform.count, count: count, seed: seed ^ StableHash.of(clip.key(below: root)))
            case .consecutive:
                offsets = ClipCrops.evaluationOffsets(sampleCount: waveform.count)
            }
            for offset in offsets {
                let crop = ClipCrops.window(waveform, offset: offset)
                let features = logMel.extract(crop)
                precondition(features.count == CropGeometry.floats, "log-mel of a crop has \(features.count) values, expected \(CropGeometry.floats)")
                pendingCrops += features
                pendingClips.append(Int32(index))
                if pendingClips.count == batchSize { try flush() }
            }
        }
        try flush()
        return split
    }
}
