import Foundation

/// What `cola inspect` says about a checkpoint: each file's checksum status, the training
/// position, the model's size and the effective config.
public struct CheckpointInspection: Sendable {
    /// The checkpoint directory inspected (symlinks and run folders resolved).
    public let directory: String
    /// One line per file: `model.bin: ok (CRC-32 verified)` or the reason it is refused.
    public let fileStatus: [String]
    /// Whether every file verified.
    public let isValid: Bool
    public let state: TrainingState?
    public let model: ModelSnapshot?

    /// Finds the checkpoint `path` names (a `step-…` directory, a `latest` link, a `checkpoints`
    /// folder or a run directory) and verifies each of its files.
    public init(path: String) {
        directory = Self.resolve(path)
        var status: [String] = []
        var valid = true
        var model: ModelSnapshot?
        var state: TrainingState?
        do {
            model = try ModelFile.read(path: "\(directory)/\(Checkpoint.modelFile)")
            status.append("\(Checkpoint.modelFile): ok (CRC-32 verified)")
        } catch {
            valid = false
            status.append("\(Checkpoint.modelFile): REFUSED: \(error)")
        }
        do {
            let optimizer = try OptimizerFile.read(path: "\(directory)/\(Checkpoint.optimizerFile)")
            status.append("\(Checkpoint.optimizerFile): ok (CRC-32 verified, Adam step \(optimizer.step), \(optimizer.firstMoment.count) moments each)")
        } catch {
            valid = false
            status.append("\(Checkpoint.optimizerFile): REFUSED: \(error)")
        }
        do {
            let path = "\(directory)/\(Checkpoint.stateFile)"
            state = try TrainingState.decode(try Checksummed.readFile(path), path: path)
            status.append("\(Checkpoint.stateFile): ok")
        } catch {
            valid = false
            status.append("\(Checkpoint.stateFile): REFUSED: \(error)")
        }
        fileStatus = status
        isValid = valid
        self.state = state
        self.model = model
    }

    /// The report as lines.
    public var lines: [String] {
        var lines = ["checkpoint: \(directory)"]
        if let state {
            lines.append("step: \(state.step)")
            lines.append("data position: \(state.dataPosition) (epoch \(state.epoch))")
            lines.append("written by: \(state.worldSize) rank(s), global batch \(state.globalBatch), at \(state.writtenAt)")
            lines.append("git revision: \(state.gitRevision ?? "unknown")")
        }
        if let model {
            lines.append("parameters: \(model.parameters.count) in \(model.parameterTable.entries.count) tensors; "
                + "buffers: \(model.buffers.count) in \(model.bufferTable.entries.count) tensors")
        }
        lines += fileStatus.map { "  \($0)" }
        lines.append("checksum status: \(isValid ? "ok" : "FAILED")")
        if let state {
            lines.append("config:")
            lines += state.config.split(separator: "\n", omittingEmptySubsequences: false).map { "  \($0)" }
        }
        return lines
    }

    static func resolve(_ path: String) -> String {
        let manager = FileManager.default
        for candidate in ["\(path)/checkpoints/latest", "\(path)/latest"] where manager.fileExists(atPath: candidate) {
            return URL(fileURLWithPath: candidate).resolvingSymlinksInPath().path
        }
        return URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }
}
