import ColaModel
import ColaTraining
import Foundation

/// A batch-size sweep, read from a YAML file whose only top-level key is `sweep:`
/// (see `configs/sweep.yaml`).
///
/// Each member is the base run config with `training.batch_size`, `training.steps`,
/// `model.similarity`, `training.negatives` (and, with `seeds`, the root `seed`) set for that
/// member; everything else comes from the base config and the sweep's `set` list. Keys are
/// checked as strictly as ``RunConfig``'s.
public struct SweepConfig: Equatable, Sendable {
    /// How long each member pretrains.
    public enum Budget: Equatable, Sendable {
        /// The same number of clips for every batch size: `ceil(clips / batch)` steps.
        case examples(Int)
        /// The same number of optimizer steps for every batch size.
        case steps(Int)

        /// Steps for a member with `batchSize` clips per step.
        public func steps(batchSize: Int) -> Int {
            switch self {
            case .examples(let clips): return max(1, (clips + batchSize - 1) / batchSize)
            case .steps(let steps): return steps
            }
        }

        /// `65536 examples` or `200 steps`.
        public var description: String {
            switch self {
            case .examples(let clips): return "\(clips) examples"
            case .steps(let steps): return "\(steps) steps"
            }
        }
    }

    /// A similarity and negatives choice; the sweep runs every batch size for every variant,
    /// unless ``variantBatchSizes`` restricts it.
    public struct Variant: Codable, Equatable, Hashable, Sendable {
        public var similarity: Similarity
        public var negatives: TrainingConfig.Negatives

        public init(similarity: Similarity, negatives: TrainingConfig.Negatives) {
            self.similarity = similarity
            self.negatives = negatives
        }

        /// `bilinear-global`, `cosine-local`, …
        public var name: String { "\(similarity.rawValue)-\(negatives.rawValue)" }

        /// Parses a name such as `cosine-global`.
        public init?(name: String) {
            let parts = name.split(separator: "-").map(String.init)
            guard parts.count == 2, let similarity = Similarity(rawValue: parts[0]),
                  let negatives = TrainingConfig.Negatives(rawValue: parts[1]) else { return nil }
            self.init(similarity: similarity, negatives: negatives)
        }
    }

    /// How member pretraining processes are started.
    public enum Launcher: String, Codable, Sendable {
        /// `mpirun -np <ranks> --bind-to none …` (with this machine's root and oversubscribe flags).
        case mpirun
        /// `srun --ntasks <ranks> --cpu-bind=none …`, inside a Slurm allocation.
        case srun
        /// The `cola` binary directly: a single rank.
        case none
    }

    /// The sweep's name; its directory is `runs/<name>/` unless `run_dir` says otherwise.
    public var name: String
    /// The run config every member starts from (a path as given, resolved against the sweep file's folder).
    public var baseConfig: String
    public var batchSizes: [Int]
    public var budget: Budget
    public var variants: [Variant]
    /// The batch sizes a variant runs at when it runs at only some of ``batchSizes`` (a variant's
    /// `batch_sizes:` in the file), e.g. the cosine ablation at one batch size.
    public var variantBatchSizes: [Variant: [Int]] = [:]
    /// Root seeds: every batch size and variant is pretrained once per seed (its own member and
    /// folder), and reports give mean ± standard deviation over them; nil runs each once with the
    /// base config's seed.
    public var seeds: [UInt64]?
    /// MPI ranks per member.
    public var ranks: Int = 1
    public var launcher: Launcher = .mpirun
    /// Extra launcher arguments, e.g. `["--hostfile", "cluster/hostfile"]`.
    public var launcherArguments: [String] = []
    /// `--data-root` for pretraining (the folder holding the manifest).
    public var dataRoot: String?
    /// `--data-root` for the transfer suite; defaults to the base config's `evaluation.data_root`, then `data_root`.
    public var evaluationDataRoot: String?
    /// Transfer tasks; defaults to the base config's `evaluation.tasks`, else every task the eval command finds.
    public var tasks: [String]?
    /// Extra `cola eval` options for every member, e.g. `["--max-train-clips", "2000"]`.
    public var evaluationArguments: [String] = []
    /// `key=value` overrides applied to every member before the member's own.
    public var overrides: [String] = []
    /// The sweep directory; defaults to `runs/<name>`.
    public var runDir: String?

    /// The directory this sweep writes to.
    public var resolvedRunDir: String { runDir ?? "runs/\(name)" }

    /// The batch sizes `variant` runs at, ascending.
    public func batchSizes(for variant: Variant) -> [Int] {
        (variantBatchSizes[variant] ?? batchSizes).sorted()
    }

    /// The base run config with `overrides` applied.
    public func loadBase(extraOverrides: [String] = []) throws -> RunConfig {
        try RunConfig.load(path: baseConfig, overrides: overrides + extraOverrides)
    }

    public init(name: String, baseConfig: String, batchSizes: [Int], budget: Budget, variants: [Variant]) {
        self.name = name
        self.baseConfig = baseConfig
        self.batchSizes = batchSizes
        self.budget = budget
        self.variants = variants
    }
}

extension SweepConfig {
    /// Reads and validates a sweep file and the base config it names.
    public static func load(path: String) throws -> SweepConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, key: "", line: nil, problem: "cannot read the file (\(error.localizedDescription))")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(yaml: text, file: path, baseFolder: folder)
    }

    /// Parses sweep YAML; `file` names it in errors and `baseFolder` resolves a relative `base_config`.
    public static func parse(yaml text: String, file: String, baseFolder: String) throws -> SweepConfig {
        let root = try StrictYAML.compose(text, file: file)
        let document = try StrictYAML.decode(SweepDocument.self, from: root, file: file)
        guard let section = document.sweep else {
            throw ConfigError(file: file, key: "sweep", line: nil, problem: "missing: a sweep file has one top-level key, sweep")
        }
        let base = section.baseConfig.hasPrefix("/") ? section.baseConfig
            : URL(fileURLWithPath: baseFolder).appendingPathComponent(section.baseConfig).standardized.path
        let budget: Budget
        switch (section.examples, section.steps) {
        case (let clips?, nil): budget = .examples(clips)
        case (nil, let steps?): budget = .steps(steps)
        default:
            throw ConfigError(file: file, key: "sweep", line: nil, problem: "give exactly one budget: examples (clips per member) or steps (steps per member)")
        }
        var config = SweepConfig(name: section.name, baseConfig: base, batchSizes: section.batchSizes, budget: budget, variants: [])
        config.ranks = section.ranks ?? 1
        config.launcher = section.launcher ?? .mpirun
        config.launcherArguments = section.launcherArguments ?? []
        config.dataRoot = section.dataRoot
        config.evaluationDataRoot = section.evalDataRoot
        config.tasks = section.tasks
        config.overrides = section.set ?? []
        config.evaluationArguments = section.evalArguments ?? []
        config.runDir = section.runDir
        config.seeds = section.seeds
        let baseConfig = try config.loadBase()
        for entry in section.variants ?? [SweepDocument.VariantEntry()] {
            let variant = Variant(similarity: entry.similarity ?? baseConfig.model.similarity,
                                  negatives: entry.negatives ?? baseConfig.training.negatives)
            config.variants.append(variant)
            config.variantBatchSizes[variant] = entry.batchSizes
        }
        try config.validate(file: file)
        return config
    }

    /// Checks values that types alone cannot express.
    public func validate(file: String) throws {
        func fail(_ key: String, _ problem: String) -> ConfigError {
            ConfigError(file: file, key: "sweep.\(key)", line: nil, problem: problem)
        }
        guard !name.isEmpty, !name.contains("/") else { throw fail("name", "must be a non-empty name without '/'") }
        guard !batchSizes.isEmpty else { throw fail("batch_sizes", "needs at least one batch size") }
        guard Set(batchSizes).count == batchSizes.count else { throw fail("batch_sizes", "lists a batch size twice: \(batchSizes)") }
        guard ranks >= 1 else { throw fail("ranks", "must be at least 1, got \(ranks)") }
        guard launcher != .none || ranks == 1 else { throw fail("launcher", "none runs one process; use mpirun or srun for \(ranks) ranks") }
        for batch in batchSizes {
            guard batch >= 2 * ranks, batch % ranks == 0 else {
                throw fail("batch_sizes", "\(batch) must be a multiple of ranks (\(ranks)) with at least 2 clips per rank")
            }
        }
        switch budget {
        case .examples(let clips) where clips < 1: throw fail("examples", "must be at least 1, got \(clips)")
        case .steps(let steps) where steps < 1: throw fail("steps", "must be at least 1, got \(steps)")
        default: break
        }
        guard !variants.isEmpty else { throw fail("variants", "needs at least one variant") }
        guard Set(variants).count == variants.count else { throw fail("variants", "lists a variant twice") }
        for (variant, sizes) in variantBatchSizes {
            guard !sizes.isEmpty, Set(sizes).isSubset(of: batchSizes), Set(sizes).count == sizes.count else {
                throw fail("variants", "\(variant.name)'s batch_sizes \(sizes) must be distinct values from batch_sizes \(batchSizes)")
            }
        }
        if let seeds {
            guard !seeds.isEmpty else { throw fail("seeds", "needs at least one seed (or leave it out: the base config's seed)") }
            guard Set(seeds).count == seeds.count else { throw fail("seeds", "lists a seed twice: \(seeds)") }
        }
    }
}

/// The YAML layout of a sweep file.
struct SweepDocument: Decodable {
    var sweep: Section?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case sweep
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        sweep = try c.decodeIfPresent(Section.self, forKey: .sweep)
    }

    struct Section: Decodable {
        var name: String
        var baseConfig: String
        var batchSizes: [Int]
        var examples: Int?
        var steps: Int?
        var variants: [VariantEntry]?
        var seeds: [UInt64]?
        var ranks: Int?
        var launcher: SweepConfig.Launcher?
        var launcherArguments: [String]?
        var dataRoot: String?
        var evalDataRoot: String?
        var tasks: [String]?
        var set: [String]?
        var evalArguments: [String]?
        var runDir: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, baseConfig = "base_config", batchSizes = "batch_sizes", examples, steps, variants, seeds, ranks
            case launcher, launcherArguments = "launcher_arguments", dataRoot = "data_root"
            case evalDataRoot = "eval_data_root", tasks, evalArguments = "eval_arguments", set, runDir = "run_dir"
        }

        init(from decoder: Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            baseConfig = try c.decode(String.self, forKey: .baseConfig)
            batchSizes = try c.decode([Int].self, forKey: .batchSizes)
            examples = try c.decodeIfPresent(Int.self, forKey: .examples)
            steps = try c.decodeIfPresent(Int.self, forKey: .steps)
            variants = try c.decodeIfPresent([VariantEntry].self, forKey: .variants)
            seeds = try c.decodeIfPresent([UInt64].self, forKey: .seeds)
            ranks = try c.decodeIfPresent(Int.self, forKey: .ranks)
            launcher = try c.decodeIfPresent(SweepConfig.Launcher.self, forKey: .launcher)
            launcherArguments = try c.decodeIfPresent([String].self, forKey: .launcherArguments)
            dataRoot = try c.decodeIfPresent(String.self, forKey: .dataRoot)
            evalDataRoot = try c.decodeIfPresent(String.self, forKey: .evalDataRoot)
            tasks = try c.decodeIfPresent([String].self, forKey: .tasks)
            set = try c.decodeIfPresent([String].self, forKey: .set)
            evalArguments = try c.decodeIfPresent([String].self, forKey: .evalArguments)
            runDir = try c.decodeIfPresent(String.self, forKey: .runDir)
        }
    }

    struct VariantEntry: Decodable {
        var similarity: Similarity?
        var negatives: TrainingConfig.Negatives?
        var batchSizes: [Int]?

        init() {}

        enum CodingKeys: String, CodingKey, CaseIterable {
            case similarity, negatives, batchSizes = "batch_sizes"
        }

        init(from decoder: Decoder) throws {
            let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
            similarity = try c.decodeIfPresent(Similarity.self, forKey: .similarity)
            negatives = try c.decodeIfPresent(TrainingConfig.Negatives.self, forKey: .negatives)
            batchSizes = try c.decodeIfPresent([Int].self, forKey: .batchSizes)
        }
    }
}
