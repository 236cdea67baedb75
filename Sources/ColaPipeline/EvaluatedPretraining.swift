import ColaDistributed
import ColaTraining
import Foundation

/// `cola pretrain`'s whole job: pretraining on every rank, then on rank 0 the transfer suite on
/// every K-th checkpoint (`evaluation.every_checkpoints`, into `runs/<name>/eval/step-NNNNNN/`) and
/// on the final one (`evaluation.tasks`, into `runs/<name>/eval/`).
///
/// ```
/// let job = try EvaluatedPretraining(request: PretrainRequest(configPath: "configs/demo.yaml"))
/// try job.run(communicator: MPICommunicator()) { print($0) }
/// ```
public struct EvaluatedPretraining {
    /// The pretraining run.
    public let request: PretrainRequest
    /// The effective config (file, `--set` and flags applied), read once.
    public let config: RunConfig

    /// Reads the request's config; fails on a malformed one before any rank starts training.
    ///
    /// - Throws: ``ConfigError``, or ``EvaluatedPretrainingError`` when the suite has tasks but no
    ///   folder to read them from.
    public init(request: PretrainRequest) throws {
        self.request = request
        config = try request.effectiveConfig()
        if !config.evaluation.tasks.isEmpty, taskRoot == nil { throw EvaluatedPretrainingError.noTaskFolder }
    }

    /// Trains; returns what training reached (a preempted run skips the final evaluation).
    @discardableResult
    public func run(communicator: Communicator, log: @escaping (String) -> Void) throws -> TrainingSummary {
        var request = request
        let every = config.evaluation.everyCheckpoints
        if every > 0, !config.evaluation.tasks.isEmpty {
            var written = 0
            request.afterCheckpoint = { path, step in
                written += 1
                guard written % every == 0, step < config.training.steps else { return }
                try evaluate(checkpoint: path, into: "\(config.resolvedRunDir)/eval/\(URL(fileURLWithPath: path).lastPathComponent)", log: log)
            }
        }
        let summary = try PretrainJob.prepare(request, communicator: communicator).run()
        if !summary.preempted, communicator.isRoot, !config.evaluation.tasks.isEmpty, let checkpoint = summary.lastCheckpoint {
            try evaluate(checkpoint: checkpoint, into: "\(config.resolvedRunDir)/eval", log: log)
        }
        return summary
    }

    /// The task folders: `evaluation.data_root`, else the request's data root.
    private var taskRoot: String? { config.evaluation.dataRoot ?? request.dataRoot }

    /// Rank 0: the transfer suite on one checkpoint, into `output`.
    private func evaluate(checkpoint path: String, into output: String, log: (String) -> Void) throws {
        guard let root = taskRoot else { throw EvaluatedPretrainingError.noTaskFolder }
        let report = try CheckpointEncoder(path: path).score(
            dataRoot: root, tasks: config.evaluation.tasks, outputDirectory: output, log: log)
        if let mean = report.meanAccuracy {
            log(String(format: "transfer suite: mean accuracy %.1f%% ", mean * 100) + "(\(output)/results.md)")
        }
    }
}

/// Why the transfer suite cannot run after pretraining.
public enum EvaluatedPretrainingError: Error, CustomStringConvertible {
    /// `evaluation.tasks` is set but no folder holds the tasks.
    case noTaskFolder

    public var description: String {
        switch self {
        case .noTaskFolder:
            return "evaluation.tasks is set but neither evaluation.data_root nor --data-root names the task folders"
        }
    }
}
