import ArgumentParser
import ColaDistributed
import ColaTraining
import Foundation

/// `cola pretrain`: COLA pretraining, one process per rank.
struct Pretrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Pretrain an encoder with COLA (run under mpirun for several ranks).",
        discussion: """
            Example: mpirun -np 2 --bind-to none cola pretrain --config configs/demo.yaml

            Writes runs/<name>/ (config.yaml, metrics.jsonl, train.log, checkpoints/). \
            SIGTERM writes a checkpoint at the next step boundary and exits 0; --resume continues from it.
            """)

    @Option(help: "The run's YAML config.")
    var config: String

    @Option(help: "Folder the manifest and audio paths in the config are relative to.")
    var dataRoot: String?

    @Option(help: "Run directory (default runs/<name>).")
    var runDir: String?

    @Option(help: "Optimizer steps (training.steps).")
    var steps: Int?

    @Option(help: "Global batch over all ranks (training.batch_size).")
    var batch: Int?

    @Option(help: "Checkpoint every N steps (training.checkpoint_every).")
    var checkpointEvery: Int?

    @Flag(help: "Resume from the run's newest valid checkpoint, or from the checkpoint directory given after it (--resume PATH).")
    var resume = false

    @Argument(help: ArgumentHelp("Checkpoint directory to resume from (after --resume).", valueName: "PATH"))
    var resumePath: String?

    @Option(name: .customLong("set"), help: "Override a config key: --set training.batch_size=64 (repeatable).")
    var overrides: [String] = []

    @Flag(help: "Compare a parameter checksum across ranks after every step; fail on mismatch.")
    var checkSync = false

    @Flag(help: "Record each step's item ids in metrics.jsonl (resume tests).")
    var logItems = false

    func validate() throws {
        if resumePath != nil && !resume {
            throw ValidationError("a checkpoint path is only accepted after --resume (--resume PATH)")
        }
    }

    func run() throws {
        let communicator = try MPICommunicator()
        var request = pretrainRequest()
        request.dataRoot = dataRoot
        request.checkSync = checkSync
        request.logItems = logItems
        if resume {
            request.resume = resumePath.map { $0 == "latest" ? .latest : .path($0) } ?? .latest
        }
        let rank = communicator.rank
        if let every = try? everyCheckpoints(), every > 0 {
            var written = 0
            request.afterCheckpoint = { path, step in
                written += 1
                guard written % every == 0, let config = try? self.effectiveConfig(), step < config.training.steps else { return }
                try self.evaluate(checkpoint: path, config: config, into: "\(config.resolvedRunDir)/eval/\(URL(fileURLWithPath: path).lastPathComponent)")
            }
        }
        do {
            let job = try PretrainJob.prepare(request, communicator: communicator)
            let summary = try job.run()
            if summary.preempted { return }
            if communicator.isRoot, !job.config.evaluation.tasks.isEmpty, let checkpoint = summary.lastCheckpoint {
                try evaluate(checkpoint: checkpoint, config: job.config, into: "\(job.config.resolvedRunDir)/eval")
            }
        } catch {
            FileHandle.standardError.write(Data("cola pretrain: rank \(rank): \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// `evaluation.every_checkpoints` of the effective config.
    private func everyCheckpoints() throws -> Int {
        try effectiveConfig().evaluation.everyCheckpoints
    }

    private func effectiveConfig() throws -> RunConfig {
        try pretrainRequest().effectiveConfig()
    }

    /// The request the config file, `--set` and the flags that change the config describe.
    private func pretrainRequest() -> PretrainRequest {
        var request = PretrainRequest(configPath: config)
        request.overrides = overrides
        request.runDir = runDir
        request.steps = steps
        request.batch = batch
        request.checkpointEvery = checkpointEvery
        return request
    }

    /// Rank 0: the transfer suite on a checkpoint, into `output` (`runs/<name>/eval/` for the final one).
    private func evaluate(checkpoint path: String, config: RunConfig, into output: String) throws {
        guard let root = config.evaluation.dataRoot ?? dataRoot else {
            throw ValidationError("evaluation.tasks is set but neither evaluation.data_root nor --data-root names the task folders")
        }
        let report = try CheckpointEncoder(path: path).score(
            dataRoot: root, tasks: config.evaluation.tasks, outputDirectory: output) { print($0) }
        if let mean = report.meanAccuracy {
            print(String(format: "transfer suite: mean accuracy %.1f%% ", mean * 100) + "(\(output)/results.md)")
        }
    }
}
