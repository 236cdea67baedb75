import ColaDistributed
import ColaModel
import ColaTensor

/// ``PairModel`` over the model core's ``ContrastiveModel`` (EfficientNet-B0 or small CNN,
/// projection head, bilinear or cosine similarity).
public final class ColaPairModel: PairModel {
    public let model: ContrastiveModel
    /// Normalize with running statistics and never update them (`model.batch_norm: frozen`).
    public let freezeBatchNorm: Bool
    /// Batch statistics summed over the ranks (`model.batch_norm: sync`); nil: each rank's own.
    public let statisticsReduction: CommunicatorStatisticsReduction?
    public let segmentLength: Int
    private let frames: Int
    private let bands: Int

    /// Builds the model a config describes, initialized from `seed` (rank 0's copy is broadcast), its
    /// convolutions planned for `capabilities` (what every rank's CPU runs); with `batch_norm: sync`
    /// its batch statistics are summed over `communicator`'s ranks.
    ///
    /// - Throws: ``ConvolutionPlanError`` when the config asks for Winograd and a CPU has none.
    public init(config: RunConfig, capabilities: ConvolutionCapabilities = .host, communicator: Communicator = LocalCommunicator()) throws {
        model = ContrastiveModel(config.model, plan: try .resolve(config.model.convolution, on: capabilities), seed: config.seed)
        freezeBatchNorm = config.model.batchNorm == .frozen
        statisticsReduction = config.model.batchNorm == .sync ? CommunicatorStatisticsReduction(communicator: communicator) : nil
        frames = config.data.cropFrames
        bands = 64
        segmentLength = frames * bands
    }

    public var computeSummary: String {
        let maps = model.configuration.encoder == .smallCNN ? model.convolutionPlan.description
            : "direct convolutions on channels_last maps"
        return "\(maps); oneDNN \(OneDNN.version), ISA \(OneDNN.instructionSet)"
    }

    public var referenceKernels: [String] { model.kernelImplementations.filter(\.isReference).map(\.description) }

    public func takeCommunicationSeconds() -> Double { statisticsReduction?.takeSeconds() ?? 0 }

    public var parameterTable: ParameterTable { model.parameters }
    public var bufferTable: ParameterTable { model.buffers }
    public var parameters: UnsafeMutableBufferPointer<Float> { model.parameterValues.buffer }
    public var gradients: UnsafeMutableBufferPointer<Float> { model.gradients.buffer }
    public var buffers: UnsafeMutableBufferPointer<Float> { model.bufferValues.buffer }
    public var embeddingDimension: Int { model.embeddingSize }

    public var similarityParameters: Range<Int> {
        model.parameters["similarity.weight"]?.range ?? model.parameters.count..<model.parameters.count
    }

    public func embed(_ input: UnsafeBufferPointer<Float>, count: Int, pass: EncoderPass, seed: UInt64) throws -> [Float] {
        let mode: ForwardMode
        switch (pass, freezeBatchNorm) {
        case (.withActivations, false): mode = .training(dropConnectSeed: seed)
        case (.withActivations, true): mode = .frozenStatistics
        case (.embedOnly, false): mode = .forwardOnly(dropConnectSeed: seed)
        case (.embedOnly, true): mode = .inference
        }
        return Array(try model.embed(input.baseAddress!, count: count, mode: mode, frames: frames, bands: bands,
                                     statisticsReduction: statisticsReduction))
    }

    public func backward(embeddingGradient: UnsafeBufferPointer<Float>, onGradientsFinal: (Range<Int>) throws -> Void) throws {
        // The similarity's range was final after the loss (the trainer reported it then).
        let encoderAndHead = 0..<similarityParameters.lowerBound
        var failure: Error?
        try model.backward(embeddingGradient: embeddingGradient.baseAddress!) { range in
            let clamped = range.clamped(to: encoderAndHead)
            guard failure == nil, !clamped.isEmpty else { return }
            do { try onGradientsFinal(clamped) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    public func pairLoss(anchors: [Float], positives: [Float], positiveOffset: Int, divisor: Float) throws -> PairLoss {
        let d = embeddingDimension
        let b = anchors.count / d
        let n = positives.count / d
        var dA = [Float](repeating: 0, count: anchors.count)
        var dP = [Float](repeating: 0, count: positives.count)
        let result = anchors.withUnsafeBufferPointer { a in
            positives.withUnsafeBufferPointer { p in
                dA.withUnsafeMutableBufferPointer { ga in
                    dP.withUnsafeMutableBufferPointer { gp in
                        model.loss.compute(
                            anchors: a.baseAddress!, anchorCount: b, positives: p.baseAddress!, positiveCount: n,
                            positiveOffset: positiveOffset, divisor: divisor,
                            weight: model.similarityWeight.map { UnsafePointer($0) }, weightGradient: model.similarityGradient,
                            anchorGradient: ga.baseAddress!, positiveGradient: gp.baseAddress!)
                    }
                }
            }
        }
        return PairLoss(loss: result.loss, correct: result.correct, anchorGradient: dA, positiveGradient: dP)
    }
}

/// ``FlatOptimizer`` over the model core's Keras-style ``Adam``.
public final class AdamOptimizer: FlatOptimizer {
    public let adam: Adam

    public init(count: Int, learningRate: Float, weightDecay: Float) {
        adam = Adam(count: count, learningRate: learningRate, weightDecay: weightDecay)
    }

    public var stepCount: Int { adam.step }

    public func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>, learningRate: Float) {
        adam.learningRate = { _ in learningRate }
        adam.update(parameters: parameters.baseAddress!, gradients: gradients.baseAddress!)
    }

    public func snapshot() -> OptimizerSnapshot {
        OptimizerSnapshot(step: adam.step, firstMoment: adam.firstMoment.array(), secondMoment: adam.secondMoment.array())
    }

    public func restore(_ snapshot: OptimizerSnapshot) throws {
        guard snapshot.firstMoment.count == adam.firstMoment.count else {
            throw TrainerError("optimizer state holds \(snapshot.firstMoment.count) moments, the model has \(adam.firstMoment.count) parameters")
        }
        snapshot.firstMoment.withUnsafeBufferPointer { adam.firstMoment.copy(from: $0) }
        snapshot.secondMoment.withUnsafeBufferPointer { adam.secondMoment.copy(from: $0) }
        adam.step = snapshot.step
    }
}
