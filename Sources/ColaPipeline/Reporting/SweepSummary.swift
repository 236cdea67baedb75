import ColaEvaluation
import ColaModel
import ColaTraining
import Foundation

/// Everything a sweep produced, as written to `summary.json`: per member its settings, how far
/// it got, its learning-rate rule, its training figures and its transfer accuracies; per group of
/// members that differ only in their seed, the mean and standard deviation over the seeds.
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
        /// The run's root seed, when the sweep lists seeds.
        public var seed: UInt64?
        /// The members sharing everything but the seed share this (``SweepMember/groupID``).
        public var groupID: String
        public var status: SweepMemberFiles.Status
        /// The learning-rate rule the run used (``LearningRateSchedule/rule``), once it started.
        public var learningRateRule: String?
        /// The same rule for any batch size (``LearningRateSchedule/ruleForAnyBatch``).
        public var learningRateRuleForAnyBatch: String?
        /// The rate after warm-up.
        public var peakLearningRate: Double?
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
            case seed, groupID = "group", status, learningRateRule = "lr_rule", learningRateRuleForAnyBatch = "lr_rule_any_batch"
            case peakLearningRate = "peak_learning_rate"
            case finalLoss = "final_loss", finalContrastiveAccuracy = "final_contrastive_accuracy"
            case clipsPerSecond = "clips_per_second", meanAccuracy = "mean_accuracy", tasks
        }
    }

    /// Mean and sample standard deviation of one figure over the seeds that have it.
    public struct Spread: Codable, Equatable, Sendable {
        public var mean: Double
        /// Sample standard deviation (n − 1); nil with fewer than two values.
        public var standardDeviation: Double?
        /// How many seeds the figure is over.
        public var count: Int

        /// The spread of `values`; nil when there are none.
        public init?(_ values: [Double]) {
            guard !values.isEmpty else { return nil }
            count = values.count
            mean = values.reduce(0, +) / Double(values.count)
            let mean = mean
            standardDeviation = values.count < 2 ? nil
                : (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
        }

        enum CodingKeys: String, CodingKey {
            case mean, standardDeviation = "std", count
        }
    }

    /// The members that differ only in their seed, summarized over the finished ones.
    public struct Group: Codable, Equatable, Sendable {
        public var id: String
        public var batchSize: Int
        public var similarity: Similarity
        public var negativesMode: TrainingConfig.Negatives
        public var negatives: Int
        public var steps: Int
        public var examples: Int
        /// Seeds planned.
        public var seeds: [UInt64]
        /// Seeds with valid transfer results.
        public var finished: Int
        public var learningRateRule: String?
        public var finalLoss: Spread?
        public var meanAccuracy: Spread?
        /// Transfer accuracy per task, in [0, 1].
        public var tasks: [String: Spread]

        public var variant: SweepConfig.Variant { SweepConfig.Variant(similarity: similarity, negatives: negativesMode) }

        enum CodingKeys: String, CodingKey {
            case id, batchSize = "batch_size", similarity, negativesMode = "negatives_mode", negatives, steps, examples
            case seeds, finished, learningRateRule = "lr_rule", finalLoss = "final_loss", meanAccuracy = "mean_accuracy", tasks
        }

        /// The group of `members` (one id, several seeds).
        init(members: [Entry]) {
            let first = members[0]
            let scored = members.filter { $0.meanAccuracy != nil }
            id = first.groupID
            batchSize = first.batchSize
            similarity = first.similarity
            negativesMode = first.negativesMode
            negatives = first.negatives
            steps = first.steps
            examples = first.examples
            seeds = members.compactMap(\.seed)
            finished = scored.count
            learningRateRule = members.compactMap(\.learningRateRule).first
            finalLoss = Spread(scored.compactMap(\.finalLoss))
            meanAccuracy = Spread(scored.compactMap(\.meanAccuracy))
            let taskNames = Set(scored.flatMap(\.tasks.keys))
            tasks = Dictionary(uniqueKeysWithValues: taskNames.compactMap { task in
                Spread(scored.compactMap { $0.tasks[task] }).map { (task, $0) }
            })
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
    /// Members grouped over seeds, in plan order (one group per member when the sweep has no seeds).
    public var groups: [Group]
    /// The floors, from the first finished member whose results carry them.
    public var baselines: [Baseline]

    /// Whether members repeat over seeds.
    public var hasSeeds: Bool { members.contains { $0.seed != nil } }

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
            let schedule = RecordedLearningRate.schedule(runDirectory: files.directory)
            return Entry(
                id: member.id, batchSize: member.batchSize, similarity: member.similarity,
                negativesMode: member.negativesMode, negatives: member.negatives, steps: member.steps,
                examples: member.examples, seed: member.seed, groupID: member.groupID, status: files.status,
                learningRateRule: schedule?.rule, learningRateRuleForAnyBatch: schedule?.ruleForAnyBatch,
                peakLearningRate: schedule?.peakRate, finalLoss: log.finalLoss,
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

    /// A summary of `members`, grouped over seeds.
    public init(name: String, ranks: Int, members: [Entry], baselines: [Baseline]) {
        self.name = name
        self.ranks = ranks
        self.members = members
        self.baselines = baselines
        var order: [String] = []
        var byGroup: [String: [Entry]] = [:]
        for member in members {
            if byGroup[member.groupID] == nil { order.append(member.groupID) }
            byGroup[member.groupID, default: []].append(member)
        }
        groups = order.map { Group(members: byGroup[$0]!) }
    }
}
