/// The outcome of one task in a suite run, and its entry in `results.json`'s `tasks` object:
/// the embedder's ``ProbeScore`` fields at the top level of the entry, the floors' under
/// `floors`, or `skipped`/`failed` with the reason.
public struct TaskResult: Sendable, Equatable, Codable {
    /// Whether the task produced a number.
    public enum Status: String, Sendable, Codable {
        /// Scored: ``score`` is set.
        case scored
        /// Its data is not under the data root: ``lookedFor`` says where it was looked for.
        case skipped
        /// Its data is there but could not be used (malformed metadata, unreadable, too small).
        case failed
    }

    /// Task name (the key of the entry in `results.json`).
    public var name: String
    /// Human title.
    public var title: String
    /// Outcome.
    public var status: Status = .failed
    /// Why it was skipped or failed.
    public var reason: String?
    /// The path looked for, when skipped.
    public var lookedFor: String?
    /// Classes.
    public var classes = 0
    /// How it is scored.
    public var metric: TaskMetric = .accuracy
    /// Clips the probe was trained on (readable ones; per draw, in few-shot runs).
    public var trainClips = 0
    /// Validation clips (readable ones).
    public var validClips = 0
    /// Test clips (readable ones).
    public var testClips = 0
    /// 1 s windows scored over the test clips.
    public var testWindows = 0
    /// Listed clips left out because their files are missing, empty or undecodable, each with
    /// its split and reason (all of them; also for a task that failed because of them).
    public var skippedClips: [SkippedClip] = []
    /// The score of the embedder under test.
    public var score: ProbeScore?
    /// Scores of the floor embedders, by display name.
    public var floors: [String: ProbeScore] = [:]
    /// Wall-clock seconds for the task (all embedders).
    public var seconds: Double = 0

    /// An unscored result for `name`.
    public init(name: String, title: String) {
        self.name = name
        self.title = title
    }

    enum CodingKeys: String, CodingKey {
        case title, status, classes, metric, trainClips = "train_clips", validClips = "valid_clips", testClips = "test_clips"
        case testWindows = "test_windows", skippedClips = "skipped_clips", skippedClipCounts = "skipped_clip_counts"
        case floors, seconds, skipped, failed, lookedFor = "looked_for", accuracy
    }

    /// Reads an entry; `name` is left empty (``TransferResults`` sets it from the entry's key).
    /// Entries without `status` (older files) are scored when they have an accuracy.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = ""
        title = try c.decodeIfPresent(String.self, forKey: .title) ?? ""
        let skipped = try c.decodeIfPresent(String.self, forKey: .skipped)
        let failed = try c.decodeIfPresent(String.self, forKey: .failed)
        let hasScore = c.contains(.accuracy)
        status = try c.decodeIfPresent(Status.self, forKey: .status) ?? (hasScore ? .scored : skipped != nil ? .skipped : .failed)
        reason = skipped ?? failed
        lookedFor = try c.decodeIfPresent(String.self, forKey: .lookedFor)
        classes = try c.decodeIfPresent(Int.self, forKey: .classes) ?? 0
        score = hasScore ? try ProbeScore(from: decoder) : nil
        metric = try c.decodeIfPresent(TaskMetric.self, forKey: .metric) ?? (score?.averagePrecision != nil ? .detection : .accuracy)
        trainClips = try c.decodeIfPresent(Int.self, forKey: .trainClips) ?? 0
        validClips = try c.decodeIfPresent(Int.self, forKey: .validClips) ?? 0
        testClips = try c.decodeIfPresent(Int.self, forKey: .testClips) ?? 0
        testWindows = try c.decodeIfPresent(Int.self, forKey: .testWindows) ?? 0
        skippedClips = try c.decodeIfPresent([SkippedClip].self, forKey: .skippedClips) ?? []
        floors = try c.decodeIfPresent([String: ProbeScore].self, forKey: .floors) ?? [:]
        seconds = try c.decodeIfPresent(Double.self, forKey: .seconds) ?? 0
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(title, forKey: .title)
        try c.encode(status, forKey: .status)
        switch status {
        case .scored:
            try score?.encode(to: encoder)
            try c.encode(metric, forKey: .metric)
            try c.encode(classes, forKey: .classes)
            try c.encode(trainClips, forKey: .trainClips)
            try c.encode(validClips, forKey: .validClips)
            try c.encode(testClips, forKey: .testClips)
            try c.encode(testWindows, forKey: .testWindows)
            try c.encode(seconds, forKey: .seconds)
            try encodeSkippedClips(into: &c)
            if !floors.isEmpty { try c.encode(floors, forKey: .floors) }
        case .skipped:
            try c.encode(reason ?? "no data", forKey: .skipped)
            try c.encodeIfPresent(lookedFor, forKey: .lookedFor)
        case .failed:
            try c.encode(reason ?? "unknown", forKey: .failed)
            if classes > 0 { try c.encode(classes, forKey: .classes) }
            try encodeSkippedClips(into: &c)
        }
    }

    /// `skipped_clips` (each clip with split, reason, detail) and `skipped_clip_counts` (per reason).
    private func encodeSkippedClips(into c: inout KeyedEncodingContainer<CodingKeys>) throws {
        try c.encode(skippedClips, forKey: .skippedClips)
        try c.encode(Dictionary(uniqueKeysWithValues: skippedClips.countsByReason.map { ($0.key.rawValue, $0.value) }), forKey: .skippedClipCounts)
    }
}
