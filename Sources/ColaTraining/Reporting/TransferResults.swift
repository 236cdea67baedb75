import Foundation

/// The transfer suite's scores for one encoder, as `cola eval --out DIR` writes them to
/// `DIR/results.json`: `{"tasks": {"<task>": {"accuracy": …, …}}, "mean_accuracy": …}`.
public struct TransferResults: Codable, Equatable, Sendable {
    /// One task's score and sizes.
    public struct TaskScore: Codable, Equatable, Sendable {
        /// Clip-level test accuracy in [0, 1].
        public var accuracy: Double
        public var trainClips: Int?
        public var testClips: Int?
        public var classes: Int?

        public init(accuracy: Double, trainClips: Int? = nil, testClips: Int? = nil, classes: Int? = nil) {
            self.accuracy = accuracy
            self.trainClips = trainClips
            self.testClips = testClips
            self.classes = classes
        }

        enum CodingKeys: String, CodingKey {
            case accuracy, trainClips = "train_clips", testClips = "test_clips", classes
        }
    }

    public var tasks: [String: TaskScore]
    public var meanAccuracy: Double

    public init(tasks: [String: TaskScore], meanAccuracy: Double) {
        self.tasks = tasks
        self.meanAccuracy = meanAccuracy
    }

    enum CodingKeys: String, CodingKey {
        case tasks, meanAccuracy = "mean_accuracy"
    }

    /// Task names in alphabetical order.
    public var taskNames: [String] { tasks.keys.sorted() }

    /// Reads `results.json`; `nil` when the file is missing, unreadable, or not a complete result
    /// (no task, or an accuracy that is not a number in [0, 1]) — e.g. cut short by an interruption.
    public static func readIfValid(at path: String) -> TransferResults? {
        guard let data = FileManager.default.contents(atPath: path),
              let results = try? JSONDecoder().decode(TransferResults.self, from: data),
              results.isComplete else { return nil }
        return results
    }

    /// At least one task and every accuracy a number in [0, 1].
    public var isComplete: Bool {
        func valid(_ value: Double) -> Bool { value.isFinite && value >= 0 && value <= 1 }
        return !tasks.isEmpty && valid(meanAccuracy) && tasks.values.allSatisfy { valid($0.accuracy) }
    }
}
