import Foundation

/// `state.json`: where training stands, enough to continue exactly (or on another rank count).
public struct TrainingState: Codable, Equatable, Sendable {
    /// Optimizer steps completed.
    public var step: Int
    /// Clips consumed since the start of training, over all ranks and epochs: the global data
    /// position. The next step starts at this index of the epoch-concatenated sample order.
    public var dataPosition: Int
    /// The epoch the next clip belongs to.
    public var epoch: Int
    /// Every random choice derives from this seed and (epoch, step, global index), so these two
    /// values are the whole generator state.
    public var rngSeed: UInt64
    /// The step counter mixed into per-step random streams (dropout masks, noise).
    public var rngStep: Int
    /// Ranks and global batch of the run that wrote the checkpoint (informational; resume may differ).
    public var worldSize: Int
    public var globalBatch: Int
    /// The effective config as YAML.
    public var config: String
    /// `git rev-parse HEAD` of the source tree when known.
    public var gitRevision: String?
    /// ISO-8601 time the checkpoint was written.
    public var writtenAt: String
    /// How the model computed when the checkpoint was written (layouts, algorithms, oneDNN and its
    /// ISA); absent in checkpoints from before it was recorded.
    public var compute: String?

    public init(step: Int, dataPosition: Int, epoch: Int, rngSeed: UInt64, rngStep: Int,
                worldSize: Int, globalBatch: Int, config: String, gitRevision: String?, writtenAt: String) {
        self.step = step
        self.dataPosition = dataPosition
        self.epoch = epoch
        self.rngSeed = rngSeed
        self.rngStep = rngStep
        self.worldSize = worldSize
        self.globalBatch = globalBatch
        self.config = config
        self.gitRevision = gitRevision
        self.writtenAt = writtenAt
    }

    enum CodingKeys: String, CodingKey {
        case step, dataPosition = "data_position", epoch, rngSeed = "rng_seed", rngStep = "rng_step"
        case worldSize = "world_size", globalBatch = "global_batch", config
        case gitRevision = "git_revision", writtenAt = "written_at", compute
    }

    /// Pretty JSON with sorted keys.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return [UInt8](try encoder.encode(self)) + [UInt8(ascii: "\n")]
    }

    /// Parses `state.json`; `path` names it in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws -> TrainingState {
        do {
            return try JSONDecoder().decode(TrainingState.self, from: Data(bytes))
        } catch {
            throw CheckpointError(path: path, problem: "state.json is not valid: \(error)")
        }
    }
}
