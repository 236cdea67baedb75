/// The outcome of one task in a suite run.
public struct TaskResult: Sendable {
    /// Whether the task produced a number.
    public enum Status: String, Sendable {
        /// Scored: ``score`` is set.
        case scored
        /// Its data is not under the data root: ``lookedFor`` says where it was looked for.
        case skipped
        /// Its data is there but could not be used (malformed metadata, unreadable, too small).
        case failed
    }

    /// Task name.
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
    /// Clips used per split (readable ones).
    public var trainClips = 0
    /// See ``trainClips``.
    public var validClips = 0
    /// See ``trainClips``.
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
}
