import ColaCore
import ColaModel
import ColaTensor

/// A COLA encoder as a ``ClipEmbedder``: the encoder's pooled features (1280 for EfficientNet-B0,
/// 512 for the small CNN, before the projection head, as the reference's `supervised.py` probes
/// `embedding_model.get_layer("encoder")`), computed in inference mode (batch-norm running
/// statistics, no drop-connect).
public final class ModelEmbedder: ClipEmbedder {
    public let identity: String
    public let displayName: String
    public var width: Int { model.featureCount }
    /// How the encoder's convolutions compute on this CPU.
    public var convolutionPlan: ConvolutionPlan { model.convolutionPlan }
    private let model: ContrastiveModel

    /// Wraps `model`; `identity` must name its weights (see ``contentIdentity(parameters:buffers:)``).
    public init(model: ContrastiveModel, identity: String, displayName: String) {
        self.model = model
        self.identity = identity
        self.displayName = displayName
    }

    /// A randomly initialized encoder of `kind` (the "random encoder" floor): weights from
    /// ColaModel's initialization with `seed`, batch-norm running statistics at their initial
    /// mean 0 / variance 1.
    public static func random(_ kind: EncoderKind, seed: UInt64 = 0) -> ModelEmbedder {
        let model = ContrastiveModel(ModelConfiguration(encoder: kind), seed: seed)
        return ModelEmbedder(model: model, identity: "random-\(kind.rawValue)-seed\(seed)-v1", displayName: "random-\(kind.rawValue)")
    }

    /// An encoder of `configuration` with trained values, matched by name: every parameter and
    /// batch-norm buffer the model declares must be in the tables with the same shape. Its
    /// convolutions compute as trained where this CPU can (``ConvolutionPlan/forEvaluation(_:on:)``).
    ///
    /// - Parameters:
    ///   - parameters: A parameter table (PyTorch `state_dict` names) and its flat values.
    ///   - buffers: The batch-norm running statistics' table and values.
    public static func trained(
        _ configuration: ModelConfiguration,
        parameters: (table: ParameterTable, values: [Float]),
        buffers: (table: ParameterTable, values: [Float]),
        displayName: String
    ) throws -> ModelEmbedder {
        let model = ContrastiveModel(configuration, seed: 0)
        try copy(into: model.parameterValues, layout: model.parameters, from: parameters, kind: "parameter")
        try copy(into: model.bufferValues, layout: model.buffers, from: buffers, kind: "buffer")
        let identity = "checkpoint-\(configuration.encoder.rawValue)-" + contentIdentity(parameters: parameters.values, buffers: buffers.values)
        return ModelEmbedder(model: model, identity: identity, displayName: displayName)
    }

    /// A hash of the weights' bits: the cache key part that changes whenever the checkpoint does.
    public static func contentIdentity(parameters: [Float], buffers: [Float]) -> String {
        var hash = StableHash()
        for values in [parameters, buffers] {
            hash.combine(word: UInt64(values.count))
            for value in values { hash.combine(word: UInt64(value.bitPattern)) }
        }
        return hash.hex
    }

    public func embed(_ crops: [Float], count: Int) throws -> [Float] {
        precondition(crops.count >= count * CropGeometry.floats, "ModelEmbedder: \(crops.count) floats for \(count) crops")
        return try crops.withUnsafeBufferPointer { input in
            let features = try model.encode(input.baseAddress!, count: count, mode: .inference,
                                            frames: CropGeometry.frames, bands: CropGeometry.bands)
            return Array(features)
        }
    }

    private static func copy(into target: FloatBuffer, layout: ParameterTable, from source: (table: ParameterTable, values: [Float]), kind: String) throws {
        for entry in layout.entries {
            guard let stored = source.table[entry.name] else {
                throw ModelEmbedderError(problem: "the checkpoint has no \(kind) \(entry.name) (shape \(entry.shape))")
            }
            guard stored.shape == entry.shape, stored.offset + stored.count <= source.values.count else {
                throw ModelEmbedderError(problem: "\(kind) \(entry.name) has shape \(stored.shape) in the checkpoint, the model expects \(entry.shape)")
            }
            source.values.withUnsafeBufferPointer { values in
                target.copy(from: UnsafeBufferPointer(rebasing: values[stored.range]), offset: entry.offset)
            }
        }
    }
}

/// A checkpoint whose tensors do not fit the encoder it claims.
public struct ModelEmbedderError: Error, CustomStringConvertible {
    /// What does not fit.
    public let problem: String

    public var description: String { problem }
}
