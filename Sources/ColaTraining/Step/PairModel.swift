import ColaModel

/// How the trainer runs the encoder in one pass.
public enum EncoderPass: Sendable, Equatable {
    /// GradCache pass 1: embeddings only, no activations kept, running statistics untouched.
    case embedOnly
    /// Forward that keeps activations for ``PairModel/backward(embeddingGradient:onGradientsFinal:)``.
    case withActivations
}

/// The contrastive loss of local anchors against (possibly gathered) positives.
public struct PairLoss: Sendable {
    /// This rank's share of the loss: summed cross-entropy of its rows divided by the divisor.
    public var loss: Float
    /// Rows whose largest similarity is at their positive column (contrastive top-1).
    public var correct: Int
    /// Gradient of `loss` with respect to the anchors (`b × D`).
    public var anchorGradient: [Float]
    /// Gradient of `loss` with respect to every positive it saw (`B × D`).
    public var positiveGradient: [Float]

    public init(loss: Float, correct: Int, anchorGradient: [Float], positiveGradient: [Float]) {
        self.loss = loss
        self.correct = correct
        self.anchorGradient = anchorGradient
        self.positiveGradient = positiveGradient
    }
}

/// What the trainer needs from a COLA model: flat parameter, gradient and buffer storage over
/// one ``ParameterTable``, an encoder (+ projection head) that embeds a batch of log-mel
/// segments, and the similarity + loss.
///
/// The encoder sees anchors and positives as one batch (`[anchors; positives]`, as the
/// reference), so batch-norm statistics cover both.
public protocol PairModel: AnyObject {
    /// Layout of ``parameters`` and ``gradients`` (registration = forward order).
    var parameterTable: ParameterTable { get }
    /// Layout of ``buffers``: batch-norm running statistics.
    var bufferTable: ParameterTable { get }
    var parameters: UnsafeMutableBufferPointer<Float> { get }
    var gradients: UnsafeMutableBufferPointer<Float> { get }
    var buffers: UnsafeMutableBufferPointer<Float> { get }
    /// Width of an embedding.
    var embeddingDimension: Int { get }
    /// Floats in one input segment (frames × bands).
    var segmentLength: Int { get }

    /// Embeds `count` segments (`count × segmentLength` floats) into `count × D` floats.
    ///
    /// - Parameter seed: Seeds stochastic layers (drop-connect) so pass 1 and pass 3 of
    ///   GradCache draw the same masks.
    func embed(_ input: UnsafeBufferPointer<Float>, count: Int, pass: EncoderPass, seed: UInt64) throws -> [Float]

    /// Backward through the last ``EncoderPass/withActivations`` forward from the gradient of its
    /// embeddings, accumulating (`+=`) into ``gradients``; reports each range of the flat buffer
    /// as soon as its gradient is final for this pass.
    func backward(embeddingGradient: UnsafeBufferPointer<Float>, onGradientsFinal: (Range<Int>) throws -> Void) throws

    /// Similarity of `anchors` (`b × D`) with `positives` (`B × D`) and softmax cross-entropy of
    /// row `i` against column `positiveOffset + i`, divided by `divisor`; accumulates the
    /// similarity's own parameter gradients (bilinear `W`) into ``gradients``.
    func pairLoss(anchors: [Float], positives: [Float], positiveOffset: Int, divisor: Float) throws -> PairLoss

    /// Elements of the flat buffer whose gradients ``pairLoss(anchors:positives:positiveOffset:divisor:)`` finalizes.
    var similarityParameters: Range<Int> { get }

    /// How the model computes on this CPU (layouts, algorithms, library), for the run log and checkpoints.
    var computeSummary: String { get }

    /// The computations that run a library's reference loops instead of its fast kernels (known after a step).
    var referenceKernels: [String] { get }

    /// Seconds the model itself spent communicating (synchronized batch norm) since the last call.
    func takeCommunicationSeconds() -> Double
}

extension PairModel {
    /// A model without a choice of kernels.
    public var computeSummary: String { "" }
    /// A model without library kernels runs no reference loops.
    public var referenceKernels: [String] { [] }
    /// A model that does not communicate.
    public func takeCommunicationSeconds() -> Double { 0 }
}
