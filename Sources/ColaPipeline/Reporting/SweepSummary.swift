import ColaEvaluation
import ColaModel
import ColaTraining
import Foundation

/// Everything a sweep produced, as written to `summary.json`: per member its settings, how far
/// it got, its training figures and its transfer accuracies.
public struct SweepSummary: Codable, Equatable, Sendable {
    /// One member's line.
    public struct Entry: Codable, Equatable, Sendable {
        public var id: String
        public var batchSize: Int
        public var similarity: Similarity
        public var negativesMode: TrainingConfig.Negatives
        public var negatives: Int
        public var steps: Int
        public var examples: Int
        public var status: SweepMemberFiles.Status
        /// Loss at the last logged step.
        public var finalLoss: Double?
        /// Contrastive accuracy at the last logged step.
        public var finalContrastiveAccuracy: Double?
        /// Median clips per second over the logged steps.
        public var clipsPerSecond: Double?
        public var meanAccuracy: Double?
        /// Transfer accuracy per task, in [0, 1].
        public var tasks: [String: Double]

        public var variant: SweepConfig.Variant { SweepConfig.Variant(similarity: similarity, negatives: negativesMode) }

        enum CodingKeys: String, CodingKey {
            case id, batchSize = "batch_size", similarity, negativesMode = "negatives_mode", negatives, steps, examples
            case status, finalLoss = "final_loss", finalContrastiveAccuracy = "final_contrastive_accuracy"
            case clipsPerSecond = "clips_per_second", meanAccuracy = "mean_accuracy", tasks
        }
    }

    /// A reference encoder's transfer accuracies: a floor `cola eval` scores beside every
    /// checkpoint (log-mel statistics, a randomly initialised encoder of the same architecture).
    public struct Baseline: Codable, Equatable, Sendable {
        public var name: String
        public var meanAccuracy: Double
        public var tasks: [String: Double]

        enum CodingKeys: String, CodingKey {
            case name, meanAccuracy = "mean_accuracy", tasks
        }
    }

    public var name: String
    public var ranks: Int
    public var members: [Entry]
    /// The floors, from the first finished member whose results carry them.
    public var baselines: [Baseline]

    /// Every task scored in a member's results, alphabetically.
    public var taskNames: [String] {
        Set(members.flatMap(\.tasks.keys)).sorted()
    }

    /// Variants in the order the plan lists them.
    public var variants: [SweepConfig.Variant] {
        var seen: [SweepConfig.Variant] = []
        for member in members where !seen.contains(member.variant) { seen.append(member.variant) }
        return seen
    }

    /// Reads every member's files under `directory`.
    public static func collect(plan: SweepPlan, directory: String) -> SweepSummary {
        let entries = plan.members.map { member -> Entry in
            let files = SweepMemberFiles(sweepDirectory: directory, memberID: member.id)
            let log = MetricsLog.read(at: files.metrics)
            let results = TransferResults.readIfValid(at: files.results)
            return Entry(
                id: member.id, batchSize: member.batchSize, similarity: member.similarity,
                negativesMode: member.negativesMode, negatives: member.negatives, steps: member.steps,
                examples: member.examples, status: files.status, finalLoss: log.finalLoss,
                finalContrastiveAccuracy: log.finalAccuracy, clipsPerSecond: log.medianClipsPerSecond,
                meanAccuracy: results?.meanAccuracy, tasks: results?.accuracies ?? [:])
        }
        let floors = plan.members.lazy
            .compactMap { TransferResults.readIfValid(at: SweepMemberFiles(sweepDirectory: directory, memberID: $0.id).results)?.floorAccuracies }
            .first { !$0.isEmpty } ?? [:]
        let baselines = floors.keys.sorted().map { name in
            let tasks = floors[name]!
            return Baseline(name: name, meanAccuracy: tasks.values.reduce(0, +) / Double(tasks.count), tasks: tasks)
        }
        return SweepSummary(name: plan.name, ranks: plan.ranks, members: entries, baselines: baselines)
    }
}
