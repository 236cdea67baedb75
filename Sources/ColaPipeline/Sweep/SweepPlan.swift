import ColaModel
import ColaTraining
import Foundation

/// One pretrain-then-evaluate run of a sweep: a batch size under one variant (and one seed).
public struct SweepMember: Codable, Equatable, Sendable {
    /// `b64` when the sweep has one variant, else `cosine-local/b64`, then `/s1` for seed 1 when the
    /// sweep lists seeds; also its folder under the sweep directory.
    public var id: String
    public var batchSize: Int
    public var similarity: Similarity
    public var negativesMode: TrainingConfig.Negatives
    public var steps: Int
    /// Clips each anchor is contrasted against: the global batch minus one with global
    /// negatives, the per-rank batch minus one with local negatives.
    public var negatives: Int
    /// The run's root seed, when the sweep lists seeds (nil: the base config's).
    public var seed: UInt64?

    /// The members that differ only in their seed share this id: `b64`, `cosine-local/b64`.
    public var groupID: String {
        guard seed != nil, let slash = id.lastIndex(of: "/") else { return id }
        return String(id[..<slash])
    }

    /// Clips seen over the whole run.
    public var examples: Int { steps * batchSize }

    public var variant: SweepConfig.Variant { SweepConfig.Variant(similarity: similarity, negatives: negativesMode) }

    /// The `--set` overrides that make the base config this member. The last one keeps
    /// `cola pretrain` from running the transfer suite itself: the sweep runs it as its own step,
    /// so that an interrupted suite is retried without retraining.
    public var overrides: [String] {
        ["training.batch_size=\(batchSize)", "training.steps=\(steps)",
         "model.similarity=\(similarity.rawValue)", "training.negatives=\(negativesMode.rawValue)",
         "evaluation.tasks=[]"] + (seed.map { ["seed=\($0)"] } ?? [])
    }

    enum CodingKeys: String, CodingKey {
        case id, batchSize = "batch_size", similarity, negativesMode = "negatives_mode", steps, negatives, seed
    }
}

/// The members of a sweep, in the order they run: seeds in file order, within a seed batch sizes
/// ascending, within a batch size the variants that run at it in file order (so the first results
/// compare variants at a small cost, and a sweep stopped part-way has whole curves for its first
/// seeds).
public struct SweepPlan: Codable, Equatable, Sendable {
    public var name: String
    public var ranks: Int
    public var members: [SweepMember]

    public init(name: String, ranks: Int, members: [SweepMember]) {
        self.name = name
        self.ranks = ranks
        self.members = members
    }

    /// The plan for `config`.
    public init(config: SweepConfig) {
        name = config.name
        ranks = config.ranks
        let seeds: [UInt64?] = config.seeds ?? [nil]
        members = seeds.flatMap { seed in
            config.batchSizes.sorted().flatMap { batch in
                config.variants.filter { config.batchSizes(for: $0).contains(batch) }.map { variant in
                    let perRank = batch / config.ranks
                    let group = config.variants.count == 1 ? "b\(batch)" : "\(variant.name)/b\(batch)"
                    return SweepMember(
                        id: seed.map { "\(group)/s\($0)" } ?? group,
                        batchSize: batch, similarity: variant.similarity, negativesMode: variant.negatives,
                        steps: config.budget.steps(batchSize: batch),
                        negatives: variant.negatives == .global ? batch - 1 : perRank - 1, seed: seed)
                }
            }
        }
    }

    /// This plan's members plus those of `recorded` (an earlier invocation over the same
    /// directory, e.g. with other batch sizes) that this plan does not list.
    ///
    /// - Throws: ``SweepError/conflictingMember`` when a member id means different settings.
    public func merged(with recorded: SweepPlan) throws -> SweepPlan {
        var members = self.members
        for old in recorded.members {
            if let new = members.first(where: { $0.id == old.id }) {
                guard new == old else { throw SweepError.conflictingMember(id: old.id, recorded: old, planned: new) }
            } else {
                members.append(old)
            }
        }
        let seedOrder = members.reduce(into: [UInt64?]()) { order, member in
            if !order.contains(member.seed) { order.append(member.seed) }
        }
        func key(_ member: SweepMember) -> (Int, Int, String) {
            (seedOrder.firstIndex(of: member.seed)!, member.batchSize, member.variant.name)
        }
        members.sort { key($0) < key($1) }
        return SweepPlan(name: name, ranks: ranks, members: members)
    }
}
