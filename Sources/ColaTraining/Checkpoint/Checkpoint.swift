import Foundation

/// One checkpoint: model tensors, Adam state and training position, as stored in a directory
/// `step-000500/` holding `model.bin`, `optimizer.bin` and `state.json`.
public struct Checkpoint: Equatable, Sendable {
    public var model: ModelSnapshot
    public var optimizer: OptimizerSnapshot
    public var state: TrainingState

    public init(model: ModelSnapshot, optimizer: OptimizerSnapshot, state: TrainingState) {
        self.model = model
        self.optimizer = optimizer
        self.state = state
    }

    static let modelFile = "model.bin"
    static let optimizerFile = "optimizer.bin"
    static let stateFile = "state.json"

    /// Reads and verifies every file of the checkpoint directory `path`.
    ///
    /// Throws ``CheckpointError`` naming the bad file when a checksum, the format or the
    /// sizes do not match (parameters vs Adam moments, step in `state.json` vs `optimizer.bin`).
    public static func read(directory path: String) throws -> Checkpoint {
        let model = try ModelFile.read(path: "\(path)/\(modelFile)")
        let optimizer = try OptimizerFile.read(path: "\(path)/\(optimizerFile)")
        let state = try TrainingState.decode(try Checksummed.readFile("\(path)/\(stateFile)"), path: "\(path)/\(stateFile)")
        guard optimizer.firstMoment.count == model.parameters.count else {
            throw CheckpointError(path: path, problem: "optimizer moments hold \(optimizer.firstMoment.count) elements, the model \(model.parameters.count)")
        }
        return Checkpoint(model: model, optimizer: optimizer, state: state)
    }

    /// The files of the checkpoint and their bytes.
    func files() throws -> [(name: String, bytes: [UInt8])] {
        [(Self.modelFile, ModelFile.encode(model)),
         (Self.optimizerFile, OptimizerFile.encode(optimizer)),
         (Self.stateFile, try state.encoded())]
    }
}
