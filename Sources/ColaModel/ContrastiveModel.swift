import ColaTensor

/// The COLA model: encoder f, projection head g, and the similarity's parameters, over one flat
/// parameter buffer and one flat gradient buffer.
///
/// Usage per training step (anchors and positives as ONE batch of 2b, as the reference does, so
/// batch-norm statistics cover both):
/// ```
/// model.zeroGradients()
/// let e = try model.embed(input, count: 2 * b, mode: .training(dropConnectSeed: seed))
/// let r = model.loss.compute(anchors: e, ..., weight: model.similarityWeight, weightGradient: model.similarityGradient, ...)
/// try model.backward(embeddingGradient: dE) { range in /* gradients in range are final */ }
/// ```
public final class ContrastiveModel {
    /// What the model is (encoder, head, similarity, …), as a run config names it.
    public let configuration: ModelConfiguration
    /// How the small CNN's convolutions compute on this CPU.
    public let convolutionPlan: ConvolutionPlan
    /// Trainable parameters (PyTorch `state_dict` names and shapes of the reference).
    public let parameters: ParameterTable
    /// Batch-norm running statistics (`…running_mean|running_var`), not trained.
    public let buffers: ParameterTable
    /// Parameter values, laid out by ``parameters``.
    public let parameterValues: FloatBuffer
    /// Gradients, laid out by ``parameters``; ``backward(embeddingGradient:onGradientsFinal:)`` adds into it.
    public let gradients: FloatBuffer
    /// Running statistics, laid out by ``buffers``.
    public let bufferValues: FloatBuffer
    /// The contrastive loss for this model's similarity.
    public let loss: ContrastiveLoss

    let encoder: Encoder
    let head: ProjectionHead
    private let similarityEntry: ParameterEntry?
    private let workspace = Workspace()
    private var context: RunContext?
    private var embeddedRows = 0
    private var features: FeatureMap?

    /// Builds the model and initializes it from `seed` (see ``Initialization``), its convolutions
    /// computed as `plan` says: by default as ``ModelConfiguration/convolution`` asks where this CPU
    /// runs it, else the fastest plan it runs (``ConvolutionPlan/forEvaluation(_:on:)``). A plan is
    /// only how, never what: every plan computes the same function, to rounding.
    public init(_ configuration: ModelConfiguration, plan: ConvolutionPlan? = nil, seed: UInt64) {
        let plan = plan ?? .forEvaluation(configuration.convolution)
        self.configuration = configuration
        convolutionPlan = plan
        var table = ParameterTable()
        var buffers = ParameterTable()
        encoder = Encoder.make(configuration.encoder, convolution: plan, table: &table, buffers: &buffers)
        head = ProjectionHead(inputs: encoder.featureCount, outputs: configuration.embeddingDim,
                              normalized: configuration.similarity == .bilinear, table: &table)
        similarityEntry = configuration.similarity == .bilinear
            ? table.register("similarity.weight", shape: [configuration.embeddingDim, configuration.embeddingDim]) : nil
        parameters = table
        self.buffers = buffers
        parameterValues = FloatBuffer(count: table.count)
        gradients = FloatBuffer(count: table.count)
        bufferValues = FloatBuffer(count: buffers.count)
        loss = ContrastiveLoss(similarity: configuration.similarity, temperature: configuration.temperature,
                              dimension: configuration.embeddingDim)
        Initialization.initialize(table, encoder: configuration.encoder, values: parameterValues.pointer, seed: seed)
        Initialization.initialize(buffers, encoder: configuration.encoder, values: bufferValues.pointer, seed: seed)
    }

    /// Features per clip the encoder produces (1280 for EfficientNet-B0, 512 for the small CNN).
    public var featureCount: Int { encoder.featureCount }
    /// Embedding size (512).
    public var embeddingSize: Int { configuration.embeddingDim }
    /// W of the bilinear similarity (nil for cosine).
    public var similarityWeight: UnsafeMutablePointer<Float>? { similarityEntry.map { parameterValues.pointer + $0.offset } }
    /// Gradient of W (nil for cosine).
    public var similarityGradient: UnsafeMutablePointer<Float>? { similarityEntry.map { gradients.pointer + $0.offset } }
    /// Floats held by the activation arenas (grows to the largest batch seen, then stays).
    public var activationMemoryFloats: Int { workspace.capacity }

    /// Per-layer-type timing of every following pass (nil: off, the default).
    public var profile: LayerProfile?

    /// Every oneDNN computation the encoder has created so far (forward ones after a forward pass,
    /// backward ones after a backward pass), with the implementation oneDNN picked for each.
    public var kernelImplementations: [KernelImplementation] {
        encoder.stages.enumerated().flatMap { stage, layers in
            layers.flatMap(\.primitives).map {
                KernelImplementation(stage: stage, operation: $0.label, implementation: $0.implementation, isReference: $0.isReference)
            }
        }
    }

    /// Sets every gradient to zero.
    public func zeroGradients() { gradients.zero() }

    /// Embeds `count` log-mel inputs (NCHW `[count, 1, 96, 64]`, row-major `[frames][bands]` each)
    /// into `count × 512` embeddings; the result stays valid until the next forward.
    ///
    /// Training modes keep what ``backward(embeddingGradient:onGradientsFinal:)`` needs.
    ///
    /// - Parameter statisticsReduction: With batch statistics, batch norm normalizes with the
    ///   statistics of the batches of every process this sums over (in this forward and the
    ///   backward that follows); nil: with this batch's alone.
    public func embed(_ input: UnsafePointer<Float>, count: Int, mode: ForwardMode, frames: Int = 96, bands: Int = 64,
                      statisticsReduction: BatchStatisticsReduction? = nil) throws -> UnsafeMutableBufferPointer<Float> {
        let run = try forwardEncoder(input, count: count, mode: mode, frames: frames, bands: bands, statisticsReduction: statisticsReduction)
        let features = features!
        let y = profile?.measure("head forward") { head.forward(features.pointer, rows: count, run) }
            ?? head.forward(features.pointer, rows: count, run)
        embeddedRows = count
        return UnsafeMutableBufferPointer(start: y, count: count * embeddingSize)
    }

    /// Encoder features (`count × featureCount`, before the head) for transfer evaluation.
    public func encode(_ input: UnsafePointer<Float>, count: Int, mode: ForwardMode = .inference,
                       frames: Int = 96, bands: Int = 64) throws -> UnsafeMutableBufferPointer<Float> {
        _ = try forwardEncoder(input, count: count, mode: mode, frames: frames, bands: bands)
        embeddedRows = 0
        return UnsafeMutableBufferPointer(start: features!.pointer, count: count * featureCount)
    }

    /// Backward from `embeddingGradient` (`count × 512` of the last ``embed(_:count:mode:frames:bands:)``),
    /// adding into ``gradients``. `onGradientsFinal(range)` reports, in reverse layer order, ranges of
    /// the gradient buffer that no later part of this backward touches; the ranges tile
    /// `0..<parameters.count` (the similarity's W, updated by the loss before, is reported first).
    public func backward(embeddingGradient: UnsafePointer<Float>, onGradientsFinal: (Range<Int>) -> Void = { _ in }) throws {
        guard let run = context, let features, embeddedRows > 0, run.mode.keepsActivations else {
            preconditionFailure("backward needs a preceding embed() in a mode that keeps activations")
        }
        run.beginBackward()
        var end = parameters.count
        func report(_ start: Int) {
            if start < end { onGradientsFinal(start..<end) }
            end = min(end, start)
        }
        report(similarityEntry?.offset ?? parameters.count)
        let dFeatures = profile?.measure("head backward") { head.backward(embeddingGradient, run) }
            ?? head.backward(embeddingGradient, run)
        report(head.weight.offset)
        let dy = FeatureMap(dFeatures, batch: features.batch, channels: features.channels, height: 1, width: 1)
        try encoder.backward(dy, run, onStageFinished: report)
    }

    private func forwardEncoder(_ input: UnsafePointer<Float>, count: Int, mode: ForwardMode, frames: Int, bands: Int,
                                statisticsReduction: BatchStatisticsReduction? = nil) throws -> RunContext {
        let run = RunContext(parameters: parameterValues.pointer, gradients: gradients.pointer, buffers: bufferValues.pointer,
                             mode: mode, workspace: workspace, statisticsReduction: statisticsReduction)
        run.profile = profile
        run.beginForward()
        features = try encoder.forward(input, batch: count, height: frames, width: bands, run)
        context = run
        return run
    }
}
