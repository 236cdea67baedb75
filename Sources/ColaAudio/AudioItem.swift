/// One clip the loader can read: a resolved file, an optional region of it, and its labels.
public struct AudioItem: Sendable, Equatable {
    /// Position in the manifest's list of resolved items (0-based); sharding and crop
    /// randomness are keyed on it.
    public let index: Int
    /// Absolute or working-directory-relative path of the audio file.
    public let path: String
    /// Region start in seconds, or nil for the whole file.
    public let start: Double?
    /// Region end in seconds (exclusive), or nil for the end of the file.
    public let end: Double?
    /// Label indices (AudioSet class indices, or indices into a TSV's sorted label names).
    public let labels: [Int]

    /// Creates an item.
    public init(index: Int, path: String, start: Double? = nil, end: Double? = nil, labels: [Int] = []) {
        self.index = index
        self.path = path
        self.start = start
        self.end = end
        self.labels = labels
    }
}

/// A malformed or unusable manifest: names the file, the line (1-based, 0 when not about a
/// line) and what was expected.
public struct ManifestError: Error, CustomStringConvertible, Equatable {
    /// The manifest file.
    public let path: String
    /// 1-based line number, or 0 for the file as a whole.
    public let line: Int
    /// What was wrong and what was expected.
    public let message: String

    public var description: String {
        line > 0 ? "\(path):\(line): \(message)" : "\(path): \(message)"
    }
}
