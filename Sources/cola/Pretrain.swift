import ArgumentParser
import ColaDistributed
import ColaPipeline
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
        var request = PretrainRequest(configPath: config)
        request.overrides = overrides
        request.runDir = runDir
        request.steps = steps
        request.batch = batch
        request.checkpointEvery = checkpointEvery
        request.dataRoot = dataRoot
        request.checkSync = checkSync
        request.logItems = logItems
        if resume {
            request.resume = resumePath.map { $0 == "latest" ? .latest : .path($0) } ?? .latest
        }
        do {
            try EvaluatedPretraining(request: request).run(communicator: communicator) { print($0) }
        } catch {
            FileHandle.standardError.write(Data("cola pretrain: rank \(communicator.rank): \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
