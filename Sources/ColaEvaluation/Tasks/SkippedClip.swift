import ColaAudio

/// The three splits of a task.
public enum TaskSplit: String, Codable, Sendable, CaseIterable {
    case train, valid, test
}

/// A clip a task lists that evaluation cannot use: its file is missing, empty or cannot be
/// decoded. It is left out of scoring, counted and named in the log and the results, as
/// pretraining skips and counts bad files (``SkipReason``).
public struct SkippedClip: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The clip: its file, with `@start+duration` for a segment (``LabeledClip/key``).
    public var clip: String
    /// The split that listed it.
    public var split: TaskSplit
    /// Why it was skipped: `missing`, `empty`, `unreadable` (libsndfile cannot decode it),
    /// `truncated` or `nonFinite`.
    public var reason: SkipReason
    /// The decoder's explanation, e.g. `no such file`, `Format not recognised.` (libsndfile's
    /// words for an undecodable file), `expected 16000 frames, read 812`.
    public var detail: String

    /// A clip of `split` skipped for `reason`.
    public init(clip: String, split: TaskSplit, reason: SkipReason, detail: String) {
        self.clip = clip
        self.split = split
        self.reason = reason
        self.detail = detail
    }

    /// The clip `key` of `split` that failed to decode with `error`.
    public init(clip key: String, split: TaskSplit, error: AudioDecodeError) {
        var detail = Substring(error.description)
        for prefix in [(error.path ?? "") + ": ", error.reason.rawValue + ": "] where detail.hasPrefix(prefix) {
            detail = detail.dropFirst(prefix.count)
        }
        self.init(clip: key, split: split, reason: error.reason, detail: String(detail))
    }

    /// `path (unreadable: Format not recognised.)`, for logs and error messages.
    public var description: String { "\(clip) (\(reason == .missing ? detail : "\(reason.rawValue): \(detail)"))" }
}

extension AudioDecodeError {
    /// The file the error is about.
    var path: String? {
        switch self {
        case let .missing(path), let .unreadable(path, _), let .empty(path), let .truncated(path, _, _), let .nonFinite(path):
            return path
        }
    }
}

extension Sequence where Element == SkippedClip {
    /// How many clips were skipped for each reason.
    public var countsByReason: [SkipReason: Int] {
        var counts: [SkipReason: Int] = [:]
        for clip in self { counts[clip.reason, default: 0] += 1 }
        return counts
    }

    /// `missing 1, unreadable 3`: the non-zero counts in ``SkipReason`` order.
    public var reasonSummary: String {
        let counts = countsByReason
        return SkipReason.allCases.compactMap { reason in counts[reason].map { "\(reason.rawValue) \($0)" } }.joined(separator: ", ")
    }
}
