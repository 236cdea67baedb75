import ColaCore
import ColaDistributed
import ColaModel
import Foundation

/// Which checkpoint a run continues from.
public enum ResumeRequest: Sendable, Equatable {
    /// The run directory's `latest` (falling back to older ones); a fresh start when there is none.
    case latest
    /// This checkpoint directory (falling back to older ones beside it).
    case path(String)
}

/// Switches of one training run that are not part of its config.
public struct TrainerOptions {
    /// Compare a parameter checksum across ranks after every step; fail on mismatch.
    public var checkSync = false
    /// Record each step's global item ids in `metrics.jsonl`.
    public var logItems = false
    public var resume: ResumeRequest?
    /// Source revision recorded in checkpoints.
    public var gitRevision: String?
    /// Where rank 0's progress and event lines go (also appended to `train.log`).
    public var echo: @Sendable (String) -> Void = { print($0) }
    /// Called on rank 0 after each checkpoint is written, with its directory and step (the
    /// other ranks wait at their next collective), e.g. to evaluate every K-th checkpoint.
    public var afterCheckpoint: ((String, Int) throws -> Void)?

    public init() {}
}

/// What a finished (or preempted) run reached.
public struct TrainingSummary: Sendable {
    /// Steps completed.
    public var step: Int
    /// Stopped early by a termination signal (after writing a checkpoint).
    public var preempted: Bool
    /// The last checkpoint written (rank 0; nil on other ranks).
    public var lastCheckpoint: String?
    /// The last step's global metrics.
    public var lastMetrics: StepMetrics?
}

/// A training run that cannot start, said before any step.
public struct TrainerError: Error, CustomStringConvertible {
    public let problem: String
    public init(_ problem: String) { self.problem = problem }
    public var description: String { problem }
}

/// The pretraining loop of one rank: resume or broadcast the initial model, then per step the
/// data-parallel ``ContrastiveStep``, an identical optimizer step on every rank, global metrics,
/// checkpoints on rank 0, and a clean stop on SIGTERM.
public final class Trainer {
    public let config: RunConfig
    public let model: PairModel
    public let optimizer: FlatOptimizer
    public let data: StepBatchSource
    public let communicator: Communicator
    public let options: TrainerOptions
    public let run: RunDirectory
    /// Clips per epoch (the manifest's resolved items).
    public let itemsPerEpoch: Int
    /// Clips per rank per step.
    public let localBatch: Int
    /// The learning rate of every step.
    public let schedule: LearningRateSchedule
    private let step: ContrastiveStep
    private let store: CheckpointStore
    private var log: LineWriter?
    private var metricsLog: LineWriter?
    private var skipped: [String: Int] = [:]

    /// Checks that the global batch splits over the ranks (and into `local_groups`); nothing runs yet.
    public init(config: RunConfig, model: PairModel, optimizer: FlatOptimizer, data: StepBatchSource,
                itemsPerEpoch: Int, communicator: Communicator, options: TrainerOptions) throws {
        let global = config.training.batchSize
        guard global % communicator.size == 0 else {
            throw TrainerError("training.batch_size \(global) is not divisible by the \(communicator.size) ranks: use a multiple of \(communicator.size)")
        }
        guard global / communicator.size >= 1, itemsPerEpoch >= 1 else {
            throw TrainerError("nothing to train on: \(itemsPerEpoch) clips, \(global / communicator.size) per rank")
        }
        let groups = config.training.localGroups
        guard groups == 0 || (groups % communicator.size == 0 && (global / communicator.size) % (groups / communicator.size) == 0) else {
            throw TrainerError("training.local_groups \(groups) must be a multiple of the \(communicator.size) ranks that splits each rank's \(global / communicator.size) clips evenly")
        }
        self.config = config
        self.model = model
        self.optimizer = optimizer
        self.data = data
        self.itemsPerEpoch = itemsPerEpoch
        self.communicator = communicator
        self.options = options
        localBatch = global / communicator.size
        schedule = LearningRateSchedule(config.training)
        run = RunDirectory(path: config.resolvedRunDir)
        store = CheckpointStore(directory: run.checkpoints, keep: config.training.keepCheckpoints)
        let chunk = config.training.chunkSize
        step = ContrastiveStep(model: model, communicator: communicator, negatives: config.training.negatives,
                               chunkSize: chunk > 0 ? chunk : nil, bucketMegabytes: config.training.bucketMegabytes,
                               localGroups: max(1, config.training.localGroups / communicator.size))
    }

    /// Runs until `training.steps` or a termination signal; returns where it stopped.
    public func train() throws -> TrainingSummary {
        var state = try start()
        let total = config.training.steps
        var summary = TrainingSummary(step: state.step, preempted: false, lastCheckpoint: nil, lastMetrics: nil)
        var smoothedStepSeconds: Double?
        var kernelsChecked = false
        while state.step < total {
            let began = DispatchTime.now()
            let batch = try data.batch(position: state.dataPosition)
            guard batch.clips == localBatch else {
                throw TrainerError("the data source returned \(batch.clips) clips, expected \(localBatch) per rank")
            }
            batch.skipped.forEach { skipped[$0.key, default: 0] += $0.value }
            let seed = SeededGenerator.combine(config.seed, UInt64(state.step), UInt64(communicator.rank))
            let outcome = try step.run(batch, seed: seed)
            if !kernelsChecked {
                warnAboutReferenceKernels()
                kernelsChecked = true
            }
            let learningRate = schedule.rate(step: state.step + 1)
            optimizer.step(parameters: model.parameters, gradients: UnsafeBufferPointer(model.gradients),
                           learningRate: learningRate)
            state.step += 1
            state.rngStep = state.step
            state.dataPosition += config.training.batchSize
            state.epoch = state.dataPosition / itemsPerEpoch

            var totals = [Double(outcome.loss), Double(outcome.correct), batch.waitSeconds,
                          outcome.communicationSeconds, outcome.exposedCommunicationSeconds,
                          PreemptionSignal.isPending ? 1 : 0]
            try communicator.allreduce(&totals)
            let items = options.logItems ? try communicator.allgather(batch.itemIDs.map(Int64.init)).map(Int.init) : nil
            if options.checkSync {
                try ParameterSync.verify(UnsafeBufferPointer(model.parameters), step: state.step, communicator: communicator)
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - began.uptimeNanoseconds) / 1e9
            smoothedStepSeconds = smoothedStepSeconds.map { 0.9 * $0 + 0.1 * seconds } ?? seconds
            let ranks = Double(communicator.size)
            let metrics = StepMetrics(
                step: state.step, loss: totals[0], top1: totals[1] / Double(config.training.batchSize),
                lr: Double(learningRate), clipsPerSecond: Double(config.training.batchSize) / seconds,
                dataWaitMs: totals[2] / ranks * 1000, commMs: totals[3] / ranks * 1000,
                exposedCommMs: totals[4] / ranks * 1000, stepMs: seconds * 1000,
                dataPosition: state.dataPosition, epoch: state.epoch, items: items)
            summary.lastMetrics = metrics
            metricsLog?.write(metrics.jsonLine())
            if state.step % config.training.logEvery == 0 || state.step == total {
                say(progressLine(metrics, totalSteps: total, secondsPerStep: smoothedStepSeconds ?? seconds))
            }
            let preempted = totals[5] > 0
            let every = config.training.checkpointEvery
            if preempted || state.step == total || (every > 0 && state.step % every == 0) {
                summary.lastCheckpoint = try checkpoint(state)
            }
            summary.step = state.step
            if preempted {
                say("termination signal: checkpoint written at step \(state.step), exiting")
                summary.preempted = true
                break
            }
        }
        try reportSkipped()
        return summary
    }

    /// After the first step, when every primitive exists: a loud warning naming each computation
    /// that runs oneDNN's reference loops (a layout or algorithm this CPU has no fast kernel for).
    private func warnAboutReferenceKernels() {
        let slow = model.referenceKernels
        guard !slow.isEmpty else { return }
        say("WARNING: \(slow.count) computation(s) run oneDNN's reference loops, tens to hundreds of times slower than its "
            + "JIT kernels (\(model.computeSummary)): " + slow.joined(separator: "; ")
            + ". Try model.convolution: auto, and run `cola doctor` to see what this CPU supports.")
    }

    private func say(_ line: String) {
        guard communicator.isRoot else { return }
        options.echo(line)
        log?.write(line)
    }

    /// Prepares the run directory and the starting state on every rank.
    private func start() throws -> TrainingState {
        if communicator.isRoot {
            try run.create()
            try config.yaml().write(toFile: run.configFile, atomically: true, encoding: .utf8)
            log = try LineWriter(path: run.logFile)
        }
        var state = TrainingState(
            step: 0, dataPosition: 0, epoch: 0, rngSeed: config.seed, rngStep: 0,
            worldSize: communicator.size, globalBatch: config.training.batchSize,
            config: (try? config.yaml()) ?? "", gitRevision: options.gitRevision, writtenAt: "")
        state.compute = model.computeSummary.isEmpty ? nil : model.computeSummary
        if let resume = options.resume, let resumed = try resumeCheckpoint(resume) {
            state = resumed
        } else {
            try communicator.broadcast(model.parameters, root: 0)
            try communicator.broadcast(model.buffers, root: 0)
        }
        if communicator.isRoot {
            try truncateMetrics(after: state.step)
            metricsLog = try LineWriter(path: run.metricsFile)
        }
        let setup = "training \(config.name): \(communicator.size) rank(s) × \(localBatch) clips = batch \(config.training.batchSize), "
            + "\(config.training.negatives.rawValue) negatives, chunk \(config.training.chunkSize), "
            + "\(model.parameterTable.count) parameters, \(step.bucketCount) gradient bucket(s), \(itemsPerEpoch) clips per epoch, "
        let recipe = "batch norm \(config.model.batchNorm.rawValue), learning rate \(schedule.rule), from step \(state.step)"
        say(setup + recipe + (model.computeSummary.isEmpty ? "" : "; compute: \(model.computeSummary)"))
        return state
    }

    /// Rank 0 picks the newest valid checkpoint and tells the others; every rank reads it.
    private func resumeCheckpoint(_ request: ResumeRequest) throws -> TrainingState? {
        var chosen = ""
        var failure = ""
        if communicator.isRoot {
            let start: String?
            switch request {
            case .latest: start = nil
            case .path(let path): start = path
            }
            if start == nil && store.list().isEmpty {
                say("--resume: no checkpoint in \(store.directory) yet, starting fresh")
            } else {
                do {
                    let found = try CheckpointStore.loadNewestValid(startingAt: start, in: store)
                    found.refused.forEach { say($0) }
                    chosen = found.path
                } catch {
                    failure = "\(error)"
                }
            }
        }
        let decided = try communicator.allgatherStrings(communicator.isRoot ? (failure.isEmpty ? "ok:" + chosen : "error:" + failure) : "")[0]
        if decided.hasPrefix("error:") { throw TrainerError(String(decided.dropFirst(6))) }
        let path = String(decided.dropFirst(3))
        guard !path.isEmpty else { return nil }
        let checkpoint = try Checkpoint.read(directory: path)
        guard checkpoint.model.parameterTable == model.parameterTable, checkpoint.model.bufferTable == model.bufferTable else {
            throw TrainerError("checkpoint \(path) holds a different model (\(checkpoint.model.parameterTable.entries.count) tensors, "
                + "\(checkpoint.model.parameterTable.count) parameters) than the config builds (\(model.parameterTable.entries.count) tensors, \(model.parameterTable.count))")
        }
        _ = checkpoint.model.parameters.withUnsafeBufferPointer { model.parameters.update(fromContentsOf: $0) }
        _ = checkpoint.model.buffers.withUnsafeBufferPointer { model.buffers.update(fromContentsOf: $0) }
        try optimizer.restore(checkpoint.optimizer)
        say("resumed from \(path): step \(checkpoint.state.step), data position \(checkpoint.state.dataPosition) "
            + "(written by \(checkpoint.state.worldSize) rank(s))")
        var state = checkpoint.state
        state.worldSize = communicator.size
        state.globalBatch = config.training.batchSize
        state.config = (try? config.yaml()) ?? state.config
        state.gitRevision = options.gitRevision ?? state.gitRevision
        if let trained = state.compute, trained != model.computeSummary {
            say("the checkpoint was trained with \(trained); this run computes with \(model.computeSummary) "
                + "(the weights are the same; rounding differs)")
        }
        state.compute = model.computeSummary.isEmpty ? nil : model.computeSummary
        return state
    }

    /// Averages batch-norm running statistics over ranks, then rank 0 writes the checkpoint.
    private func checkpoint(_ state: TrainingState) throws -> String? {
        if model.buffers.count > 0 && communicator.size > 1 {
            try communicator.allreduce(model.buffers, operator: .sum)
            let scale = 1 / Float(communicator.size)
            for i in model.buffers.indices { model.buffers[i] *= scale }
        }
        guard communicator.isRoot else { return nil }
        var written = state
        written.writtenAt = ISO8601DateFormatter().string(from: Date())
        let checkpoint = Checkpoint(
            model: ModelSnapshot(parameterTable: model.parameterTable, parameters: Array(model.parameters),
                                 bufferTable: model.bufferTable, buffers: Array(model.buffers)),
            optimizer: optimizer.snapshot(), state: written)
        let path = try store.write(checkpoint)
        say("checkpoint \(path)")
        try options.afterCheckpoint?(path, state.step)
        return path
    }

    private func truncateMetrics(after step: Int) throws {
        guard let text = try? String(contentsOfFile: run.metricsFile, encoding: .utf8) else { return }
        let kept = text.split(separator: "\n").filter { line in
            guard let data = line.data(using: .utf8),
                  let metrics = try? JSONDecoder().decode(StepMetrics.self, from: data) else { return false }
            return metrics.step <= step
        }
        try (kept.joined(separator: "\n") + (kept.isEmpty ? "" : "\n")).write(toFile: run.metricsFile, atomically: true, encoding: .utf8)
    }

    private func reportSkipped() throws {
        let encoded = skipped.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        let all = try communicator.allgatherStrings(encoded)
        var total: [String: Int] = [:]
        for line in all where !line.isEmpty {
            for pair in line.split(separator: ",") {
                let parts = pair.split(separator: "=")
                if parts.count == 2, let n = Int(parts[1]) { total[String(parts[0]), default: 0] += n }
            }
        }
        let text = total.isEmpty ? "none" : total.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        say("skipped inputs (all ranks): \(text)")
    }
}
