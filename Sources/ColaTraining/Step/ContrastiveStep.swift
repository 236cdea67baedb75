import ColaDistributed
import Foundation

/// One data-parallel COLA step: embeddings, (global) negatives, encoder backward with bucketed
/// gradient allreduce, and GradCache chunking.
///
/// Global negatives: every rank gathers all positives (`B × D`), scores its `b` anchors against
/// them (positive of local row `i` at column `rank·b + i`) and divides by the global batch `B`,
/// so the per-rank losses sum to the loss of one process holding the whole batch. Each rank's
/// `∂L_r/∂P_all` is summed over ranks and scattered back to the owners (reduce-scatter), so
/// every rank backpropagates the full gradient of its own positives; the parameter allreduce
/// then *sums* (the `1/B` already averages). Local negatives score against the rank's own `b`
/// positives with the same divisor, which is the reference's mean of per-replica losses.
///
/// GradCache (Gao et al. 2021) with chunks of `c` clips: pass 1 embeds chunk by chunk without
/// keeping activations; pass 2 computes the loss and the embedding gradients of the whole
/// batch; pass 3 recomputes each chunk with activations and backpropagates its slice of the
/// cached embedding gradients. Memory follows the chunk. Batch-norm statistics are per chunk
/// (and per rank, or over chunk k of every rank with `batch_norm: sync`), so results equal
/// unchunked ones exactly only with frozen statistics or a BN-free encoder.
public final class ContrastiveStep {
    /// What a step measured.
    public struct Outcome: Sendable {
        /// This rank's share of the loss (the sum over ranks is the global-batch loss).
        public var loss: Float
        public var correct: Int
        /// Seconds in communication (gradient buckets, gathers, scatter) and exposed wait.
        public var communicationSeconds: Double
        public var exposedCommunicationSeconds: Double
    }

    public let model: PairModel
    public let communicator: Communicator
    public let negatives: TrainingConfig.Negatives
    /// Clips per chunk; `nil` processes the local batch at once.
    public let chunkSize: Int?
    /// With local negatives: independent groups per rank (1 = the rank's batch is one replica).
    public let localGroups: Int
    private let buckets: GradientBuckets

    public init(model: PairModel, communicator: Communicator, negatives: TrainingConfig.Negatives,
                chunkSize: Int?, bucketMegabytes: Double, localGroups: Int = 1) {
        precondition(localGroups >= 1, "localGroups must be positive")
        self.localGroups = localGroups
        self.model = model
        self.communicator = communicator
        self.negatives = negatives
        self.chunkSize = chunkSize
        buckets = GradientBuckets(parameterRanges: model.parameterTable.entries.map(\.range),
                                  megabytes: bucketMegabytes, communicator: communicator)
    }

    /// Buckets used for the gradient allreduce.
    public var bucketCount: Int { buckets.buckets.count }

    /// Computes the summed gradients of the global batch into `model.gradients` (zeroed first)
    /// for `batch`, this rank's `b` clips of a global batch of `b × size` clips.
    ///
    /// - Parameter seed: Seeds stochastic layers for this step (same on all ranks is fine:
    ///   the input differs).
    public func run(_ batch: StepBatch, seed: UInt64) throws -> Outcome {
        let b = batch.clips
        let d = model.embeddingDimension
        let globalBatch = b * communicator.size
        let gradients = model.gradients
        gradients.update(repeating: 0)
        buckets.begin(gradients: gradients)
        var extraCommunication = 0.0

        let chunks = Self.chunks(count: b, size: chunkSize)
        let recomputes = chunks.count > 1
        var anchors = [Float](repeating: 0, count: b * d)
        var positives = [Float](repeating: 0, count: b * d)
        if recomputes {
            for chunk in chunks {
                let embeddings = try embed(batch, chunk, pass: .embedOnly, seed: seed &+ UInt64(chunk.lowerBound))
                scatter(embeddings, chunk, into: &anchors, &positives, d: d)
            }
        } else {
            let embeddings = try embed(batch, 0..<b, pass: .withActivations, seed: seed)
            scatter(embeddings, 0..<b, into: &anchors, &positives, d: d)
        }

        // Pass 2: loss and embedding gradients for the whole batch.
        var started = DispatchTime.now()
        let candidates = negatives == .global ? try communicator.allgather(positives) : positives
        extraCommunication += Self.seconds(since: started)
        let offset = negatives == .global ? communicator.rank * b : 0
        let result = negatives == .global
            ? try model.pairLoss(anchors: anchors, positives: candidates, positiveOffset: offset, divisor: Float(globalBatch))
            : try localLoss(anchors: anchors, positives: positives, clips: b, divisor: Float(globalBatch))
        try buckets.markReady(model.similarityParameters)
        var positiveGradient: [Float]
        if negatives == .global {
            positiveGradient = [Float](repeating: 0, count: b * d)
            started = DispatchTime.now()
            try result.positiveGradient.withUnsafeBufferPointer { send in
                try positiveGradient.withUnsafeMutableBufferPointer { try communicator.reduceScatter(send, into: $0) }
            }
            extraCommunication += Self.seconds(since: started)
        } else {
            positiveGradient = result.positiveGradient
        }

        // Pass 3 (or the plain backward): encoder gradients, buckets start as they complete.
        for (index, chunk) in chunks.enumerated() {
            if recomputes {
                _ = try embed(batch, chunk, pass: .withActivations, seed: seed &+ UInt64(chunk.lowerBound))
            }
            var embeddingGradient = [Float](repeating: 0, count: chunk.count * 2 * d)
            embeddingGradient[0..<(chunk.count * d)] = result.anchorGradient[(chunk.lowerBound * d)..<(chunk.upperBound * d)]
            embeddingGradient[(chunk.count * d)...] = positiveGradient[(chunk.lowerBound * d)..<(chunk.upperBound * d)]
            let isLast = index == chunks.count - 1
            try embeddingGradient.withUnsafeBufferPointer { g in
                try model.backward(embeddingGradient: g) { range in
                    guard isLast else { return }
                    try buckets.markReady(range.clamped(to: 0..<buckets.elementCount))
                    try buckets.progress()
                }
            }
        }
        // Ranges the model never reported (e.g. frozen parameters) still take part: finish starts them.
        try buckets.finish(scale: 1)
        // Synchronized batch norm's reductions block the step: all of their time is exposed.
        extraCommunication += model.takeCommunicationSeconds()
        return Outcome(loss: result.loss, correct: result.correct,
                       communicationSeconds: buckets.communicationSeconds + extraCommunication,
                       exposedCommunicationSeconds: buckets.exposedSeconds + extraCommunication)
    }

    /// Local negatives: each of ``localGroups`` groups of the rank's clips scores only against its
    /// own positives (one group per rank reproduces the reference's per-replica loss; several
    /// emulate more replicas on one rank). Group `k` holds clips `k, k + G, k + 2G, …`, the same
    /// striding by which the loader deals clips to ranks, so `G` groups on one rank see the same
    /// clips as `G` ranks.
    private func localLoss(anchors: [Float], positives: [Float], clips: Int, divisor: Float) throws -> PairLoss {
        let d = model.embeddingDimension
        let groups = localGroups
        guard clips % groups == 0 else {
            throw TrainerError("training.local_groups: \(clips) clips per rank do not split into \(groups) equal groups")
        }
        guard groups > 1 else {
            return try model.pairLoss(anchors: anchors, positives: positives, positiveOffset: 0, divisor: divisor)
        }
        var total = PairLoss(loss: 0, correct: 0, anchorGradient: [Float](repeating: 0, count: anchors.count),
                             positiveGradient: [Float](repeating: 0, count: positives.count))
        for group in 0..<groups {
            let members = Array(stride(from: group, to: clips, by: groups))
            let gather = { (rows: [Float]) in members.flatMap { rows[($0 * d)..<(($0 + 1) * d)] } }
            let part = try model.pairLoss(anchors: gather(anchors), positives: gather(positives), positiveOffset: 0, divisor: divisor)
            total.loss += part.loss
            total.correct += part.correct
            for (row, clip) in members.enumerated() {
                total.anchorGradient[(clip * d)..<((clip + 1) * d)] = part.anchorGradient[(row * d)..<((row + 1) * d)]
                total.positiveGradient[(clip * d)..<((clip + 1) * d)] = part.positiveGradient[(row * d)..<((row + 1) * d)]
            }
        }
        return total
    }

    /// Clip ranges of at most `size` clips covering `0..<count`.
    static func chunks(count: Int, size: Int?) -> [Range<Int>] {
        guard let size, size > 0, size < count else { return [0..<count] }
        return stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
    }

    private func embed(_ batch: StepBatch, _ chunk: Range<Int>, pass: EncoderPass, seed: UInt64) throws -> [Float] {
        let input = batch.encoderInput(chunk, segmentLength: model.segmentLength)
        return try input.withUnsafeBufferPointer { try model.embed($0, count: chunk.count * 2, pass: pass, seed: seed) }
    }

    private func scatter(_ embeddings: [Float], _ chunk: Range<Int>, into anchors: inout [Float], _ positives: inout [Float], d: Int) {
        let n = chunk.count * d
        anchors[(chunk.lowerBound * d)..<(chunk.upperBound * d)] = embeddings[0..<n]
        positives[(chunk.lowerBound * d)..<(chunk.upperBound * d)] = embeddings[n..<(2 * n)]
    }

    private static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
