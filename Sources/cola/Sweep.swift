import ArgumentParser
import ColaPipeline
import ColaTraining
import Foundation

/// `cola sweep`: pretrain and evaluate at several batch sizes (and similarity/negatives variants).
struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Pretrain and evaluate at several batch sizes, then tabulate and plot transfer accuracy against negatives.",
        discussion: """
            Each member runs `cola pretrain` (under mpirun for several ranks) into <run-dir>/b<N>/ (<run-dir>/b<N>/s<seed>/ with seeds), then `cola eval` on its latest checkpoint into its eval/. Rerunning the same command skips finished members and resumes unfinished ones from their checkpoints. Results: <run-dir>/summary.md, summary.json, plots/accuracy_vs_negatives.svg and plots/loss_curves.svg.

            Example: cola sweep --config configs/sweep.yaml --batch 32,64,128,256
            """
    )

    @Option(help: "Sweep file (a YAML file with a top-level `sweep:` section; see configs/sweep.yaml).")
    var config: String

    @Option(help: "Batch sizes, comma-separated (replaces the file's batch_sizes).")
    var batch: String?

    @Option(help: "Sweep directory (default: runs/<sweep name>).")
    var runDir: String?

    @Option(help: "Pretraining data root, passed to cola pretrain --data-root (and to cola eval unless --eval-data-root).")
    var dataRoot: String?

    @Option(help: "Transfer-suite data root, passed to cola eval --data-root.")
    var evalDataRoot: String?

    @Option(help: "MPI ranks per member.")
    var ranks: Int?

    @Option(help: "Budget: clips per member (steps = ceil(clips / batch)); replaces the file's budget.")
    var examples: Int?

    @Option(help: "Budget: steps per member; replaces the file's budget.")
    var steps: Int?

    @Option(help: "Variants, comma-separated, e.g. bilinear-global,cosine-global,bilinear-local.")
    var variants: String?

    @Option(help: "Root seeds, comma-separated, e.g. 0,1,2: every member once per seed (replaces the file's seeds).")
    var seeds: String?

    @Option(help: "Transfer tasks, comma-separated (replaces the file's list).")
    var tasks: String?

    @Option(name: .customLong("set"), help: "A key=value override for every member's run config, after the file's `set` list (repeatable).")
    var overrides: [String] = []

    @Option(help: "How members' ranks start: mpirun, srun or none (one process).")
    var launcher: SweepConfig.Launcher?

    @Option(help: "Run only this member (0-based, in --list order): one Slurm array task per member.")
    var memberIndex: Int?

    @Option(help: "The cola binary members run (default: this one).")
    var cola: String?

    @Flag(help: "Print the members, their directories and status, and exit.")
    var list = false

    func run() throws {
        let sweep = try effectiveConfig()
        let orchestrator = SweepOrchestrator(
            config: sweep, cola: cola ?? Self.ownExecutable,
            launch: LaunchCommand(launcher: sweep.launcher, ranks: sweep.ranks, extraArguments: sweep.launcherArguments,
                                  isRoot: getuid() == 0, cores: ProcessInfo.processInfo.activeProcessorCount),
            runner: ProcessMemberRunner(),
            log: { line in print("==> \(line)"); fflush(nil) })
        if list {
            for (index, member) in SweepPlan(config: sweep).members.enumerated() {
                let status = SweepMemberFiles(sweepDirectory: orchestrator.directory, memberID: member.id).status
                let seed = member.seed.map { "\tseed \($0)" } ?? ""
                print("\(index)\t\(member.id)\tbatch \(member.batchSize)\t\(member.negatives) negatives\t\(member.steps) steps\(seed)\t\(status.rawValue)")
            }
            return
        }
        try orchestrator.run(memberIndex: memberIndex)
        print(try String(contentsOfFile: "\(orchestrator.directory)/summary.md", encoding: .utf8))
    }

    private func effectiveConfig() throws -> SweepConfig {
        var sweep = try SweepConfig.load(path: config)
        if let batch {
            let sizes = batch.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !sizes.isEmpty, sizes.allSatisfy({ $0 != nil }) else { throw ValidationError("--batch expects integers separated by commas, got \(batch)") }
            sweep.batchSizes = sizes.map { $0! }
        }
        if let runDir { sweep.runDir = runDir }
        if let dataRoot { sweep.dataRoot = dataRoot }
        if let evalDataRoot { sweep.evaluationDataRoot = evalDataRoot }
        if let ranks { sweep.ranks = ranks }
        switch (examples, steps) {
        case (let clips?, nil): sweep.budget = .examples(clips)
        case (nil, let steps?): sweep.budget = .steps(steps)
        case (nil, nil): break
        default: throw ValidationError("give --examples or --steps, not both")
        }
        if let variants {
            sweep.variants = try variants.split(separator: ",").map { name in
                guard let variant = SweepConfig.Variant(name: String(name)) else {
                    throw ValidationError("unknown variant \(name): expected similarity-negatives, e.g. bilinear-global or cosine-local")
                }
                return variant
            }
        }
        if let seeds {
            let values = seeds.split(separator: ",").map { UInt64($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--seeds expects non-negative integers separated by commas, got \(seeds)")
            }
            sweep.seeds = values.map { $0! }
        }
        if let tasks { sweep.tasks = tasks.split(separator: ",").map(String.init) }
        if let launcher { sweep.launcher = launcher }
        sweep.overrides += overrides
        _ = try sweep.loadBase()
        try sweep.validate(file: config)
        return sweep
    }

    /// This executable's absolute path, so members run the same build.
    static var ownExecutable: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
    }
}

extension SweepConfig.Launcher: ExpressibleByArgument {}
