import ColaEvaluation
import ColaModel
import ColaTraining
import Foundation

/// The trained encoder a checkpoint holds, ready for the transfer suite: what `cola eval
/// --checkpoint` scores and what rank 0 of `cola pretrain` scores after training.
public struct CheckpointEncoder {
    /// The checkpoint's step directory (`step-NNNNNN`), links such as `latest` resolved.
    public let directory: String
    /// The checkpoint as read and verified.
    public let checkpoint: Checkpoint
    /// The model the checkpoint's effective config describes.
    public let configuration: ModelConfiguration

    /// Reads the checkpoint at `path`: a step directory, or a folder whose `latest` (or
    /// `checkpoints/latest`) points to one, such as a run directory.
    public init(path: String) throws {
        directory = Self.stepDirectory(path)
        checkpoint = try Checkpoint.read(directory: directory)
        configuration = try RunConfig.parse(yaml: checkpoint.state.config, file: "\(directory)/state.json").model
    }

    /// The name the encoder has in reports and `scores.csv`: its step directory.
    public var name: String { (directory as NSString).lastPathComponent }

    /// The effective config the checkpoint was trained with (YAML).
    public var configurationText: String { checkpoint.state.config }

    /// The trained encoder as a transfer-suite embedder.
    public func embedder() throws -> ModelEmbedder {
        try ModelEmbedder.trained(configuration, parameters: parameters, buffers: buffers, displayName: name)
    }

    /// Scores the encoder on `tasks` under `dataRoot` with the log-mel statistics and random-encoder
    /// floors beside it, writing `results.json`/`results.md` into `outputDirectory`, with the
    /// default protocol (the one `cola eval` uses).
    @discardableResult
    public func score(dataRoot: String, tasks: [String], outputDirectory: String, log: (String) -> Void) throws -> SuiteReport {
        try TransferSuite.scoreTrainedEncoder(
            configuration, parameters: parameters, buffers: buffers, name: name, dataRoot: dataRoot, tasks: tasks,
            outputDirectory: outputDirectory, configurationText: configurationText, log: log)
    }

    private var parameters: (table: ParameterTable, values: [Float]) {
        (checkpoint.model.parameterTable, checkpoint.model.parameters)
    }

    private var buffers: (table: ParameterTable, values: [Float]) {
        (checkpoint.model.bufferTable, checkpoint.model.buffers)
    }

    /// `path` itself (links resolved) when it holds `model.bin`, else the checkpoint its run's
    /// `latest` link names (`path/latest` or `path/checkpoints/latest`); unchanged when there is
    /// none (reading then fails with the path named).
    static func stepDirectory(_ path: String) -> String {
        if FileManager.default.fileExists(atPath: path + "/model.bin") {
            return URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        }
        for folder in [path, path + "/checkpoints"] {
            if let latest = CheckpointStore(directory: folder, keep: 1).latest { return latest }
        }
        return path
    }
}
