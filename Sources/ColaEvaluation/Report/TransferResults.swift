import Foundation

/// `results.json`: the transfer suite's scores for one encoder, as `cola eval --out DIR` and
/// `cola pretrain`'s transfer suite write it (``SuiteReport``) and as every reader (`cola report`,
/// `cola sweep`) reads it:
/// `{"tasks": {"<task>": {"accuracy", "accuracy_interval", …, "floors": {…}} | {"skipped", "looked_for"} | {"failed"}},
///   "mean_accuracy", "floor_mean_accuracy", "tasks_scored", "tasks_skipped", "tasks_failed",
///   "embedder", "embedder_identity", "config_hash", "shots", "draws"}` (docs/eval.md).
///
/// Files written before the L-BFGS probe read too: their probe fields (`best_epoch`, `epochs`,
/// `valid_accuracy`) are ignored and the new ones (intervals, `C`) are absent.
public struct TransferResults: Codable, Equatable, Sendable {
    /// Every task of the run, by name.
    public var tasks: [String: TaskResult]
    /// Mean accuracy over the scored tasks; `nil` (JSON `null`) when none was scored.
    public var meanAccuracy: Double?
    /// Each floor's mean accuracy over the tasks it scored, by display name.
    public var floorMeanAccuracy: [String: Double?]?
    /// Tasks scored.
    public var tasksScored: Int?
    /// Names of the tasks skipped (no data).
    public var tasksSkipped: [String]?
    /// Names of the tasks that failed.
    public var tasksFailed: [String]?
    /// Display name of the embedder under test.
    public var embedder: String?
    /// Its identity (for a checkpoint, includes a hash of its weights).
    public var embedderIdentity: String?
    /// Hash of the protocol settings and the pretraining configuration.
    public var configHash: String?
    /// Few-shot clips per class, when the run was few-shot.
    public var shots: Int?
    /// Few-shot draws averaged per score.
    public var draws: Int?

    /// Results of `tasks` with their mean; the other fields empty.
    public init(tasks: [String: TaskResult], meanAccuracy: Double?) {
        self.tasks = tasks
        self.meanAccuracy = meanAccuracy
    }

    enum CodingKeys: String, CodingKey {
        case tasks, meanAccuracy = "mean_accuracy", floorMeanAccuracy = "floor_mean_accuracy", tasksScored = "tasks_scored"
        case tasksSkipped = "tasks_skipped", tasksFailed = "tasks_failed", embedder, embedderIdentity = "embedder_identity"
        case configHash = "config_hash", shots, draws
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tasks = try c.decode([String: TaskResult].self, forKey: .tasks)
        for name in tasks.keys { tasks[name]!.name = name }
        meanAccuracy = try c.decodeIfPresent(Double.self, forKey: .meanAccuracy)
        floorMeanAccuracy = try c.decodeIfPresent([String: Double?].self, forKey: .floorMeanAccuracy)
        tasksScored = try c.decodeIfPresent(Int.self, forKey: .tasksScored)
        tasksSkipped = try c.decodeIfPresent([String].self, forKey: .tasksSkipped)
        tasksFailed = try c.decodeIfPresent([String].self, forKey: .tasksFailed)
        embedder = try c.decodeIfPresent(String.self, forKey: .embedder)
        embedderIdentity = try c.decodeIfPresent(String.self, forKey: .embedderIdentity)
        configHash = try c.decodeIfPresent(String.self, forKey: .configHash)
        shots = try c.decodeIfPresent(Int.self, forKey: .shots)
        draws = try c.decodeIfPresent(Int.self, forKey: .draws)
    }

    /// Writes every field; `mean_accuracy` as `null` when no task was scored.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tasks, forKey: .tasks)
        try c.encode(meanAccuracy, forKey: .meanAccuracy)
        try c.encodeIfPresent(floorMeanAccuracy, forKey: .floorMeanAccuracy)
        try c.encodeIfPresent(tasksScored, forKey: .tasksScored)
        try c.encodeIfPresent(tasksSkipped, forKey: .tasksSkipped)
        try c.encodeIfPresent(tasksFailed, forKey: .tasksFailed)
        try c.encodeIfPresent(embedder, forKey: .embedder)
        try c.encodeIfPresent(embedderIdentity, forKey: .embedderIdentity)
        try c.encodeIfPresent(configHash, forKey: .configHash)
        try c.encodeIfPresent(shots, forKey: .shots)
        try c.encodeIfPresent(draws, forKey: .draws)
    }

    /// The file's bytes: pretty-printed, keys sorted.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Accuracy of every scored task.
    public var accuracies: [String: Double] { tasks.compactMapValues { $0.score?.accuracy } }

    /// Names of the scored tasks, alphabetically.
    public var taskNames: [String] { accuracies.keys.sorted() }

    /// Accuracy per task of each floor encoder, by floor name.
    public var floorAccuracies: [String: [String: Double]] {
        var floors: [String: [String: Double]] = [:]
        for (task, result) in tasks {
            for (floor, score) in result.floors { floors[floor, default: [:]][task] = score.accuracy }
        }
        return floors
    }

    /// Reads `results.json`; `nil` when the file is missing, unreadable, or not a complete result
    /// (no scored task, or an accuracy that is not a number in [0, 1]) — e.g. cut short by an interruption.
    public static func readIfValid(at path: String) -> TransferResults? {
        guard let data = FileManager.default.contents(atPath: path),
              let results = try? JSONDecoder().decode(TransferResults.self, from: data),
              results.isComplete else { return nil }
        return results
    }

    /// At least one scored task and every accuracy a number in [0, 1].
    public var isComplete: Bool {
        func valid(_ value: Double) -> Bool { value.isFinite && value >= 0 && value <= 1 }
        guard let meanAccuracy, valid(meanAccuracy) else { return false }
        return !accuracies.isEmpty && accuracies.values.allSatisfy(valid)
    }
}
