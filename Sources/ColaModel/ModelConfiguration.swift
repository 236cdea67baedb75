import ColaCore

/// The model a run trains: the `model:` section of a run config, as written in the file, stored in
/// every checkpoint's config, taken by the command line and by the evaluator. One type, one set
/// of names, from YAML to the built model.
///
/// ```yaml
/// model:
///   encoder: cnn            # efficientnet_b0 | cnn
///   embedding_dim: 512
///   similarity: bilinear    # bilinear | cosine
///   temperature: 0.2        # cosine only
///   convolution: auto       # auto | winograd | direct
///   batch_norm: local       # local | sync | frozen
/// ```
/// Keys not given keep the reference's values (Saeed et al. 2021, google-research `cola/`);
/// unknown keys are errors.
public struct ModelConfiguration: Codable, Sendable, Equatable {
    /// The encoder f.
    public var encoder: EncoderKind = .efficientNetB0
    /// Width of the projection head g (Dense + LayerNorm + tanh).
    public var embeddingDim = 512
    /// How anchors and positives are compared.
    public var similarity: Similarity = .bilinear
    /// Temperature of the cosine similarity (reference: 0.2).
    public var temperature: Float = 0.2
    /// How the small CNN's 3×3 convolutions compute (EfficientNet-B0's are always direct); the
    /// plan that runs on a CPU is ``ConvolutionPlan/resolve(_:on:)`` of this.
    public var convolution: ConvolutionChoice = .auto
    /// What batch normalization normalizes with while training.
    public var batchNorm: BatchNormMode = .local

    /// The reference's model with the given changes.
    public init(encoder: EncoderKind = .efficientNetB0, embeddingDim: Int = 512, similarity: Similarity = .bilinear,
                temperature: Float = 0.2, convolution: ConvolutionChoice = .auto, batchNorm: BatchNormMode = .local) {
        self.encoder = encoder
        self.embeddingDim = embeddingDim
        self.similarity = similarity
        self.temperature = temperature
        self.convolution = convolution
        self.batchNorm = batchNorm
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case encoder, embeddingDim = "embedding_dim", similarity, temperature, convolution, batchNorm = "batch_norm"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        let d = ModelConfiguration()
        encoder = try c.decodeIfPresent(EncoderKind.self, forKey: .encoder) ?? d.encoder
        embeddingDim = try c.decodeIfPresent(Int.self, forKey: .embeddingDim) ?? d.embeddingDim
        similarity = try c.decodeIfPresent(Similarity.self, forKey: .similarity) ?? d.similarity
        temperature = try c.decodeIfPresent(Float.self, forKey: .temperature) ?? d.temperature
        convolution = try c.decodeIfPresent(ConvolutionChoice.self, forKey: .convolution) ?? d.convolution
        batchNorm = try c.decodeIfPresent(BatchNormMode.self, forKey: .batchNorm) ?? d.batchNorm
    }
}

/// How anchors and positives are compared (`model.similarity`).
public enum Similarity: String, Codable, Sendable, CaseIterable {
    /// `S = A·W·Pᵀ` with a learned W `[D, D]` (`similarity.weight`), the reference's default.
    case bilinear
    /// `S = normalize(A)·normalize(P)ᵀ / temperature`.
    case cosine
}

/// What batch normalization normalizes with while training (`model.batch_norm`).
public enum BatchNormMode: String, Codable, Sendable, CaseIterable {
    /// The statistics of each rank's batch (of each chunk under GradCache), as the reference per replica.
    case local
    /// The statistics of the global batch: sums reduced over the ranks in every batch-norm layer,
    /// forward (mean, variance) and backward (Σg, Σg·x̂), so N ranks compute what one rank holding
    /// the global batch computes (to float rounding). Under GradCache, chunk k's statistics cover
    /// chunk k of every rank. Needs a ``BatchStatisticsReduction`` for the step.
    case sync
    /// The running statistics, never updated: every rank and chunk computes the same function,
    /// so runs on different rank counts or chunk sizes are exactly comparable (equivalence tests).
    case frozen
}
