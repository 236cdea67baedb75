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
            lines.append("computed with: \(state.compute ?? "not recorded")")
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

/// How far apart two checkpoints' parameters are (`cola inspect A --compare B`).
public struct CheckpointComparison: Sendable {
    public let tensors: Int
    public let elements: Int
    /// Largest |a − b| over all parameters.
    public let maxAbsoluteDifference: Float
    /// Largest |a − b| / max(|a|, |b|, 1e-6).
    public let maxRelativeDifference: Float
    /// The tensor holding the largest absolute difference.
    public let worstTensor: String
    /// Whether every parameter and buffer has the same bits.
    public let bitIdentical: Bool

    /// Compares the model tensors of two checkpoints (any form ``CheckpointInspection`` accepts).
    public init(_ a: String, _ b: String) throws {
        let first = try ModelFile.read(path: "\(CheckpointInspection.resolve(a))/\(Checkpoint.modelFile)")
        let second = try ModelFile.read(path: "\(CheckpointInspection.resolve(b))/\(Checkpoint.modelFile)")
        guard first.parameterTable == second.parameterTable else {
            throw CheckpointError(path: b, problem: "holds a different parameter table than \(a)")
        }
        var worst: Float = 0
        var worstRelative: Float = 0
        var worstName = "-"
        for entry in first.parameterTable.entries {
            for i in entry.range {
                let x = first.parameters[i], y = second.parameters[i]
                let difference = abs(x - y)
                if difference > worst {
                    worst = difference
                    worstName = entry.name
                }
                worstRelative = max(worstRelative, difference / max(abs(x), abs(y), 1e-6))
            }
        }
        tensors = first.parameterTable.entries.count
        elements = first.parameters.count
        maxAbsoluteDifference = worst
        maxRelativeDifference = worstRelative
        worstTensor = worstName
        bitIdentical = first.parameters.map(\.bitPattern) == second.parameters.map(\.bitPattern)
            && first.buffers.map(\.bitPattern) == second.buffers.map(\.bitPattern)
    }

    /// One line: `compare: 16 tensors, 2076608 parameters, max |Δ| 1.2e-07 (…), bit-identical: no`.
    public var line: String {
        "compare: \(tensors) tensors, \(elements) parameters, max |Δ| \(maxAbsoluteDifference) (in \(worstTensor)), "
            + "max relative \(maxRelativeDifference), bit-identical: \(bitIdentical ? "yes" : "no")"
    }
}
