import Foundation

/// The transfer suite's scores for one encoder, as `cola eval --out DIR` writes them to
/// `DIR/results.json` (docs/eval.md): `{"tasks": {"<task>": {"accuracy": …, "floors": {…}, …}
/// | {"skipped": …} | {"failed": …}}, "mean_accuracy": …}`. Fields not read here are ignored.
public struct TransferResults: Codable, Equatable, Sendable {
    /// One task's outcome: a score, or why there is none.
    public struct TaskScore: Codable, Equatable, Sendable {
        /// Clip-level test accuracy in [0, 1]; `nil` when the task was skipped or failed.
        public var accuracy: Double?
        public var trainClips: Int?
        public var testClips: Int?
        public var classes: Int?
        /// Reference encoders scored beside this one on the same task (log-mel statistics,
        /// random encoder), by display name.
        public var floors: [String: FloorScore]?
        /// Why the task has no score: its data was not found …
        public var skipped: String?
        /// … or could not be read.
        public var failed: String?

        public init(accuracy: Double?, trainClips: Int? = nil, testClips: Int? = nil, classes: Int? = nil,
                    floors: [String: FloorScore]? = nil) {
            self.accuracy = accuracy
            self.trainClips = trainClips
            self.testClips = testClips
            self.classes = classes
            self.floors = floors
        }

        enum CodingKeys: String, CodingKey {
            case accuracy, trainClips = "train_clips", testClips = "test_clips", classes, floors, skipped, failed
        }
    }

    /// A floor encoder's accuracy on one task.
    public struct FloorScore: Codable, Equatable, Sendable {
        public var accuracy: Double
    }

    public var tasks: [String: TaskScore]
    /// Mean over the scored tasks; `nil` when none was scored.
    public var meanAccuracy: Double?

    public init(tasks: [String: TaskScore], meanAccuracy: Double?) {
        self.tasks = tasks
        self.meanAccuracy = meanAccuracy
    }

    enum CodingKeys: String, CodingKey {
        case tasks, meanAccuracy = "mean_accuracy"
    }

    /// Accuracy of every scored task.
    public var accuracies: [String: Double] { tasks.compactMapValues(\.accuracy) }

    /// Names of the scored tasks, alphabetically.
    public var taskNames: [String] { accuracies.keys.sorted() }

    /// Accuracy per task of each floor encoder, by floor name.
    public var floorAccuracies: [String: [String: Double]] {
        var floors: [String: [String: Double]] = [:]
        for (task, score) in tasks {
            for (floor, floorScore) in score.floors ?? [:] { floors[floor, default: [:]][task] = floorScore.accuracy }
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
