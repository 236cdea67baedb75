import ColaAudio

/// The embeddings of one split: rows of ``width`` floats, each belonging to one clip.
///
/// Training clips have one row per random crop; validation and test clips one row per 1 s
/// window. A clip that could not be decoded has no rows and is listed in ``unreadable``.
public struct EmbeddedSplit: Sendable, Equatable {
    /// Floats per row.
    public var width: Int
    /// `rowCount × width` embeddings.
    public var rows: [Float]
    /// The clip (index into ``labels``) each row belongs to; rows of a clip are consecutive.
    public var clipOfRow: [Int32]
    /// The label of each clip.
    public var labels: [Int32]
    /// Clips that failed to decode. Never stored in the ``EmbeddingCache``.
    public var unreadable: [FailedClip]

    /// A split of `width`-wide rows.
    public init(width: Int, rows: [Float] = [], clipOfRow: [Int32] = [], labels: [Int32] = [], unreadable: [FailedClip] = []) {
        self.width = width
        self.rows = rows
        self.clipOfRow = clipOfRow
        self.labels = labels
        self.unreadable = unreadable
    }

    /// Rows held.
    public var rowCount: Int { clipOfRow.count }
    /// Clips listed (including unreadable ones, which have no rows).
    public var clipCount: Int { labels.count }
    /// Clips with at least one row.
    public var scoredClipCount: Int { Set(clipOfRow).count }

    /// For each clip, the range of its rows (empty for clips without rows).
    public var rowRanges: [Range<Int>] {
        var ranges = [Range<Int>](repeating: 0..<0, count: clipCount)
        var start = 0
        while start < rowCount {
            let clip = Int(clipOfRow[start])
            var end = start + 1
            while end < rowCount && clipOfRow[end] == clipOfRow[start] { end += 1 }
            ranges[clip] = start..<end
            start = end
        }
        return ranges
    }

    /// A clip of the split that failed to decode.
    public struct FailedClip: Sendable, Equatable {
        /// Its index among the split's clips.
        public var index: Int
        /// Why it failed.
        public var error: AudioDecodeError

        /// Clip `index` failed with `error`.
        public init(index: Int, error: AudioDecodeError) {
            self.index = index
            self.error = error
        }
    }
}
