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
    /// In a multilabel task (``TaskMetric/multilabel``), every class the clip carries, sorted
    /// (``label`` is the first, or 0 when the set is empty); `nil` in single-label tasks.
    public var labelSet: [Int]?

    /// A clip of `path` labelled `label`, kept with every clip of the same `source`.
    public init(path: String, label: Int, source: String, startSeconds: Double? = nil, durationSeconds: Double? = nil) {
        self.path = path
        self.label = label
        self.source = source
        self.startSeconds = startSeconds
        self.durationSeconds = durationSeconds
    }

    /// A clip of a multilabel task carrying the classes `labels`.
    public init(path: String, labels: [Int], source: String) {
        let sorted = Set(labels).sorted()
        self.init(path: path, label: sorted.first ?? 0, source: source)
        labelSet = sorted
    }

    /// The classes the clip carries: ``labelSet``, or just ``label``.
    public var labels: [Int] { labelSet ?? [label] }

    /// ``key`` relative to the folder `root` (ending in `/`), or whole when the clip is not under it.
    public func key(below root: String) -> String {
        key.hasPrefix(root) ? String(key.dropFirst(root.count)) : key
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
    /// Multilabel tagging (clips carry any number of classes, ``LabeledClip/labelSet``): the
    /// mean over classes of each class's average precision (macro mAP, HEAR's `mAP`), from one
    /// probe per class against the rest; the accuracy is the share of clips whose top-scored
    /// class is one of theirs.
    case multilabel
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
    /// Listed clips left out of the splits because their files are missing, empty or cannot be
    /// decoded (``ClipScreen``, and clips that fail while embedded).
    public var skipped: [SkippedClip]
    /// The deepest folder holding every clip the task was made with (ending in `/`): keys relative to
    /// it (``portableKey(_:)``) name a clip the same wherever the data set lies, so the seeds and
    /// subsets derived from them, and the scores, do not depend on where the data is.
    public let clipRoot: String

    /// A task named `name` with the given classes and splits.
    public init(name: String, classNames: [String], train: [LabeledClip], valid: [LabeledClip], test: [LabeledClip],
                metric: TaskMetric = .accuracy, skipped: [SkippedClip] = []) {
        self.name = name
        self.classNames = classNames
        self.train = train
        self.valid = valid
        self.test = test
        self.metric = metric
        self.skipped = skipped
        clipRoot = Self.commonFolder(of: (train + valid + test).map(\.path))
    }

    /// `clip`'s key relative to ``clipRoot``.
    public func portableKey(_ clip: LabeledClip) -> String {
        clip.key(below: clipRoot)
    }

    /// The longest folder prefix (ending in `/`) shared by `paths`; empty when there is none.
    static func commonFolder(of paths: [String]) -> String {
        guard var common = paths.first.map({ $0.split(separator: "/", omittingEmptySubsequences: false).dropLast() }) else { return "" }
        for path in paths.dropFirst() {
            let folders = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
            let shared = zip(common, folders).prefix { $0 == $1 }.count
            common = common.prefix(shared)
        }
        return common.isEmpty ? "" : common.joined(separator: "/") + "/"
    }

    /// Clips the task lists: those in the splits and the skipped ones.
    public var listedClipCount: Int { train.count + valid.count + test.count + skipped.count }

    /// Throws ``TaskImportError/tooManyUnusable(task:skipped:listed:maxFraction:)`` when more
    /// than `maxFraction` of the listed clips were skipped.
    public func requireUsableClips(maxFraction: Double) throws(TaskImportError) {
        let listed = listedClipCount
        guard Double(skipped.count) > maxFraction * Double(listed) else { return }
        throw .tooManyUnusable(task: name, skipped: skipped, listed: listed, maxFraction: maxFraction)
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

    /// Keeps at most `limit` train clips, chosen deterministically (by a stable hash of each clip's
    /// portable key).
    public func limitingTrainClips(to limit: Int?) -> TaskData {
        var copy = self
        copy.train = stableSubset(train, limit: limit)
        return copy
    }

    /// Keeps at most `limit` test clips, chosen deterministically (by a stable hash of each clip's
    /// portable key).
    public func limitingTestClips(to limit: Int?) -> TaskData {
        var copy = self
        copy.test = stableSubset(test, limit: limit)
        return copy
    }

    /// `clips` unchanged when within `limit`, else the `limit` clips whose portable keys hash lowest.
    private func stableSubset(_ clips: [LabeledClip], limit: Int?) -> [LabeledClip] {
        guard let limit, clips.count > limit else { return clips }
        let keyed = clips.map { (hash: StableHash.of(portableKey($0)), key: portableKey($0), clip: $0) }
        return keyed.sorted { ($0.hash, $0.key) < ($1.hash, $1.key) }.prefix(limit).map(\.clip)
    }
}
