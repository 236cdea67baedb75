import ColaEvaluation

/// The encoder `cola embed --checkpoint PATH` names: an exported `.safetensors` file
/// (``ExportedEncoder``) or a checkpoint (``CheckpointEncoder``).
public enum TrainedEncoder {
    /// A checkpoint directory or run folder.
    case checkpoint(CheckpointEncoder)
    /// A file `cola export` wrote.
    case exported(ExportedEncoder)

    /// Reads `path`: a `.safetensors` file, else a checkpoint or run directory.
    public init(path: String) throws {
        self = path.hasSuffix(".safetensors") ? .exported(try ExportedEncoder(path: path)) : .checkpoint(try CheckpointEncoder(path: path))
    }

    /// What was read, for the log: `step-000150 (cnn encoder)`.
    public var summary: String {
        switch self {
        case let .checkpoint(encoder): return "\(encoder.directory) (\(encoder.configuration.encoder.rawValue) encoder)"
        case let .exported(encoder): return "\(encoder.path) (\(encoder.configuration.encoder.rawValue) encoder, step \(encoder.step))"
        }
    }

    /// The encoder's features as an embedder.
    public func embedder() throws -> ColaEvaluation.ModelEmbedder {
        switch self {
        case let .checkpoint(encoder): return try encoder.embedder()
        case let .exported(encoder): return try encoder.embedder()
        }
    }
}
