import ColaAudio
import ColaDistributed
import ColaTensor
import Foundation

/// What `cola pretrain` was asked to do.
public struct PretrainRequest {
    public var configPath: String
    /// Folder the manifest (and `audio_root`) are relative to.
    public var dataRoot: String?
    /// `--set key=value` overrides, then the dedicated flags (which win).
    public var overrides: [String] = []
    public var runDir: String?
    public var steps: Int?
    public var batch: Int?
    public var checkpointEvery: Int?
    public var resume: ResumeRequest?
    public var checkSync = false
    public var logItems = false
    /// Rank 0, after each checkpoint (see ``TrainerOptions/afterCheckpoint``).
    public var afterCheckpoint: ((String, Int) throws -> Void)?

    public init(configPath: String) {
        self.configPath = configPath
    }

    /// The config file with every override applied (what the run will use).
    public func effectiveConfig() throws -> RunConfig {
        try RunConfig.load(path: configPath, overrides: allOverrides)
    }

    /// Overrides in the order they apply.
    var allOverrides: [String] {
        overrides
            + (runDir.map { ["run_dir=\($0)"] } ?? [])
            + (steps.map { ["training.steps=\($0)"] } ?? [])
            + (batch.map { ["training.batch_size=\($0)"] } ?? [])
            + (checkpointEvery.map { ["training.checkpoint_every=\($0)"] } ?? [])
    }
}

/// A configured pretraining run on one rank: config, threads, data, model, trainer.
///
/// Everything that can be wrong with the config or the manifest is found in ``prepare(_:communicator:)``
/// on every rank, and the ranks agree (one allreduce) before any step, so a bad setting stops
/// the whole job with its message instead of leaving ranks waiting in a collective.
public final class PretrainJob {
    public let config: RunConfig
    public let communicator: Communicator
    public let trainer: Trainer
    public let threads: ThreadPlan

    private init(config: RunConfig, communicator: Communicator, trainer: Trainer, threads: ThreadPlan) {
        self.config = config
        self.communicator = communicator
        self.trainer = trainer
        self.threads = threads
    }

    /// Loads the config and manifest and builds the model on every rank.
    ///
    /// - Throws: This rank's error, or ``TrainerError`` when another rank failed (its message
    ///   is printed by that rank).
    public static func prepare(_ request: PretrainRequest, communicator: Communicator,
                               echo: @escaping @Sendable (String) -> Void = { print($0) }) throws -> PretrainJob {
        var job: PretrainJob?
        var failure: Error?
        do {
            let capabilities = try ConvolutionCapabilities.host.common(across: communicator)
            job = try build(request, capabilities: capabilities, communicator: communicator, echo: echo)
        } catch {
            failure = error
        }
        var failed = [Int64(failure == nil ? 0 : 1)]
        try communicator.allreduce(&failed, operator: .sum)
        if let failure { throw failure }
        guard failed[0] == 0, let job else {
            throw TrainerError("rank \(communicator.rank): stopping because \(failed[0]) other rank(s) failed to start (see their messages)")
        }
        return job
    }

    private static func build(_ request: PretrainRequest, capabilities: ConvolutionCapabilities, communicator: Communicator,
                              echo: @escaping @Sendable (String) -> Void) throws -> PretrainJob {
        let config = try request.effectiveConfig()
        let threads = ThreadPlan(configured: config.training.threadsPerRank)
        threads.apply()
        let data = try PretrainData(config: config.data, dataRoot: request.dataRoot)
        let model = try ColaPairModel(config: config, capabilities: capabilities, communicator: communicator)
        let optimizer = AdamOptimizer(count: model.parameterTable.count, learningRate: config.training.learningRate,
                                      weightDecay: config.training.weightDecay)
        let rank = communicator.rank
        let size = communicator.size
        let source = DeferredBatchSource { position in
            try LoaderBatchSource(items: data.items, config: config, rank: rank, worldSize: size, position: position,
                                  warn: { echo("warning: rank \(rank): \($0)") })
        }
        var options = TrainerOptions()
        options.checkSync = request.checkSync
        options.logItems = request.logItems
        options.resume = request.resume
        options.gitRevision = GitRevision.current()
        options.echo = echo
        options.afterCheckpoint = request.afterCheckpoint
        let trainer = try Trainer(config: config, model: model, optimizer: optimizer, data: source,
                                  itemsPerEpoch: data.items.count, communicator: communicator, options: options)
        if communicator.isRoot {
            echo(data.summary)
            echo("threads per rank: \(threads.threads) (\(threads.reason))")
        }
        return PretrainJob(config: config, communicator: communicator, trainer: trainer, threads: threads)
    }

    /// Trains (SIGTERM → checkpoint and return with `preempted`).
    public func run() throws -> TrainingSummary {
        PreemptionSignal.install()
        return try trainer.train()
    }
}

/// A batch source created on the first request, at the position the trainer resumes from.
final class DeferredBatchSource: StepBatchSource {
    private let make: (Int) throws -> StepBatchSource
    private var source: StepBatchSource?

    init(_ make: @escaping (Int) throws -> StepBatchSource) {
        self.make = make
    }

    func batch(position: Int) throws -> StepBatch {
        if source == nil { source = try make(position) }
        return try source!.batch(position: position)
    }
}

/// The source revision, when the working directory is a git checkout.
public enum GitRevision {
    /// `git rev-parse HEAD`, or nil.
    public static func current() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "rev-parse", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            return nil
        }
        guard process.terminationStatus == 0 else { return nil }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
