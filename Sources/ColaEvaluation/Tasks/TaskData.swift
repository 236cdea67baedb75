import ColaCore

/// One labelled clip of a transfer task: a whole audio file, or a segment of one.
public struct LabeledClip: Hashable, Codable, Sendable {
    /// Absolute path of the audio file.
    public var path: String
    /// Class index into ``TaskData/classNames``.
    public var label: Int
    /// What the clip shares with others it must never be split from (speaker, video, recording, file).
    public var source: String
    /// Where the clip starts in the file, in seconds; `nil` for the whole file.
    public var startSeconds: Double?
    /// How long the clip lasts, in seconds; `nil` for the rest of the file.
    public var durationSeconds: Double?

    /// A clip of `path` labelled `label`, kept with every clip of the same `source`.
    public init(path: String, label: Int, source: String, startSeconds: Double? = nil, durationSeconds: Double? = nil) {
        self.path = path
        self.label = label
        self.source = source
        self.startSeconds = startSeconds
        self.durationSeconds = durationSeconds
    }

    /// A key that names the clip uniquely (file, and segment when there is one).
    public var key: String {
        guard startSeconds != nil || durationSeconds != nil else { return path }
        return "\(path)@\(startSeconds ?? 0)+\(durationSeconds ?? -1)"
    }
}

/// How a task is scored besides accuracy.
public enum TaskMetric: String, Codable, Sendable {
    /// Single-label classification: accuracy.
    case accuracy
    /// Binary detection (class 1 = present): accuracy and average precision of class 1.
    case detection
}

/// A transfer task read from disk: class names and the three splits.
public struct TaskData: Sendable {
    /// The task's name (a ``TransferTask`` raw value, or a generic task's folder name).
    public var name: String
    /// Class names, indexed by ``LabeledClip/label``.
    public var classNames: [String]
    /// Clips the probe is trained on.
    public var train: [LabeledClip]
    /// Clips that pick the probe's epoch; empty when the data set has none (then carved from train).
    public var valid: [LabeledClip]
    /// Clips the score is measured on.
    public var test: [LabeledClip]
    /// How the task is scored.
    public var metric: TaskMetric

    /// A task named `name` with the given classes and splits.
    public init(name: String, classNames: [String], train: [LabeledClip], valid: [LabeledClip], test: [LabeledClip], metric: TaskMetric = .accuracy) {
        self.name = name
        self.classNames = classNames
        self.train = train
        self.valid = valid
        self.test = test
        self.metric = metric
    }

    /// The task with a validation split: its own, or 10% of the train sources per class when it has none.
    public func withValidationSplit() -> TaskData {
        guard valid.isEmpty else { return self }
        let carved = SourceSplit.carve(train, fraction: 0.1)
        var copy = self
        copy.train = carved.kept
        copy.valid = carved.carved
        return copy
    }

    /// Keeps at most `limit` train clips, chosen deterministically (by a stable hash of each clip's key).
    public func limitingTrainClips(to limit: Int?) -> TaskData {
        var copy = self
        copy.train = Self.stableSubset(train, limit: limit)
        return copy
    }

    /// Keeps at most `limit` test clips, chosen deterministically (by a stable hash of each clip's key).
    public func limitingTestClips(to limit: Int?) -> TaskData {
        var copy = self
        copy.test = Self.stableSubset(test, limit: limit)
        return copy
    }

    /// `clips` unchanged when within `limit`, else the `limit` clips whose keys hash lowest.
    private static func stableSubset(_ clips: [LabeledClip], limit: Int?) -> [LabeledClip] {
        guard let limit, clips.count > limit else { return clips }
        return Array(clips.sorted { StableHash.of($0.key) < StableHash.of($1.key) }.prefix(limit))
    }
}
