import ColaCore
import ColaModel
import ColaTraining
import Foundation

/// A BN-free stand-in for the COLA model: embedding `tanh(W x + c)`, bilinear similarity
/// `A S Pᵀ`, softmax cross-entropy; plain loops, double accumulation.
final class LinearPairModel: PairModel {
    let parameterTable: ParameterTable
    let bufferTable = ParameterTable()
    let parameters: UnsafeMutableBufferPointer<Float>
    let gradients: UnsafeMutableBufferPointer<Float>
    let buffers = UnsafeMutableBufferPointer<Float>.allocate(capacity: 0)
    let embeddingDimension: Int
    let segmentLength: Int
    private let weight: ParameterEntry
    private let bias: ParameterEntry
    private let similarity: ParameterEntry
    private var keptInput: [Float] = []
    private var keptOutput: [Float] = []
    private(set) var reportedRanges: [Range<Int>] = []

    init(segmentLength: Int = 6, embeddingDimension: Int = 4, seed: UInt64 = 3) {
        self.segmentLength = segmentLength
        self.embeddingDimension = embeddingDimension
        var table = ParameterTable()
        weight = table.register("encoder.weight", shape: [embeddingDimension, segmentLength])
        bias = table.register("encoder.bias", shape: [embeddingDimension])
        similarity = table.register("similarity.weight", shape: [embeddingDimension, embeddingDimension])
        parameterTable = table
        parameters = .allocate(capacity: table.count)
        gradients = .allocate(capacity: table.count)
        var generator = SeededGenerator(state: seed)
        for i in 0..<table.count { parameters[i] = generator.nextUniform() * 0.8 - 0.4 }
        gradients.update(repeating: 0)
    }

    deinit {
        parameters.deallocate()
        gradients.deallocate()
        buffers.deallocate()
    }

    var similarityParameters: Range<Int> { similarity.range }

    func embed(_ input: UnsafeBufferPointer<Float>, count: Int, pass: EncoderPass, seed: UInt64) throws -> [Float] {
        let d = embeddingDimension, f = segmentLength
        var output = [Float](repeating: 0, count: count * d)
        for n in 0..<count {
            for j in 0..<d {
                var z = Double(parameters[bias.offset + j])
                for k in 0..<f { z += Double(parameters[weight.offset + j * f + k]) * Double(input[n * f + k]) }
                output[n * d + j] = Float(tanh(z))
            }
        }
        if pass == .withActivations {
            keptInput = Array(input)
            keptOutput = output
        }
        return output
    }

    func backward(embeddingGradient: UnsafeBufferPointer<Float>, onGradientsFinal: (Range<Int>) throws -> Void) throws {
        let d = embeddingDimension, f = segmentLength
        let count = keptOutput.count / d
        for n in 0..<count {
            for j in 0..<d {
                let e = Double(keptOutput[n * d + j])
                let dz = Double(embeddingGradient[n * d + j]) * (1 - e * e)
                gradients[bias.offset + j] += Float(dz)
                for k in 0..<f { gradients[weight.offset + j * f + k] += Float(dz * Double(keptInput[n * f + k])) }
            }
        }
        reportedRanges += [bias.range, weight.range]
        try onGradientsFinal(bias.range)
        try onGradientsFinal(weight.range)
    }

    func pairLoss(anchors: [Float], positives: [Float], positiveOffset: Int, divisor: Float) throws -> PairLoss {
        let d = embeddingDimension
        let b = anchors.count / d, total = positives.count / d
        let s = similarity.offset
        // AS = A · S (b × d)
        var projected = [Double](repeating: 0, count: b * d)
        for i in 0..<b { for j in 0..<d { for k in 0..<d {
            projected[i * d + j] += Double(anchors[i * d + k]) * Double(parameters[s + k * d + j])
        } } }
        var loss = 0.0
        var correct = 0
        var g = [Double](repeating: 0, count: b * total)
        for i in 0..<b {
            var logits = [Double](repeating: 0, count: total)
            for c in 0..<total { for j in 0..<d { logits[c] += projected[i * d + j] * Double(positives[c * d + j]) } }
            let top = logits.max()!
            let sum = logits.reduce(0) { $0 + exp($1 - top) }
            let target = positiveOffset + i
            loss += (log(sum) + top - logits[target])
            if logits.firstIndex(of: top) == target { correct += 1 }
            for c in 0..<total { g[i * total + c] = (exp(logits[c] - top) / sum - (c == target ? 1 : 0)) / Double(divisor) }
        }
        var dA = [Float](repeating: 0, count: b * d)
        var dP = [Float](repeating: 0, count: total * d)
        var gp = [Double](repeating: 0, count: b * d)  // G · P
        for i in 0..<b { for c in 0..<total { for j in 0..<d { gp[i * d + j] += g[i * total + c] * Double(positives[c * d + j]) } } }
        for i in 0..<b { for k in 0..<d {
            var v = 0.0
            for j in 0..<d { v += gp[i * d + j] * Double(parameters[s + k * d + j]) }
            dA[i * d + k] = Float(v)
        } }
        for c in 0..<total { for j in 0..<d {
            var v = 0.0
            for i in 0..<b { v += g[i * total + c] * projected[i * d + j] }
            dP[c * d + j] = Float(v)
        } }
        for k in 0..<d { for j in 0..<d {
            var v = 0.0
            for i in 0..<b { v += Double(anchors[i * d + k]) * gp[i * d + j] }
            gradients[s + k * d + j] += Float(v)
        } }
        return PairLoss(loss: Float(loss / Double(divisor)), correct: correct, anchorGradient: dA, positiveGradient: dP)
    }
}

/// SGD with momentum 0.9; the velocity is checkpointed as the first moment.
final class PlainSGD: FlatOptimizer {
    private(set) var stepCount = 0
    private var velocity: [Float] = []
    func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>, learningRate: Float) {
        if velocity.isEmpty { velocity = Array(repeating: 0, count: parameters.count) }
        for i in parameters.indices {
            velocity[i] = 0.9 * velocity[i] + gradients[i]
            parameters[i] -= learningRate * velocity[i]
        }
        stepCount += 1
    }
    func snapshot() -> OptimizerSnapshot {
        OptimizerSnapshot(step: stepCount, firstMoment: velocity, secondMoment: velocity.map { _ in 0 })
    }
    func restore(_ snapshot: OptimizerSnapshot) throws {
        stepCount = snapshot.step
        velocity = snapshot.firstMoment
    }
}

/// `clips` random pairs with ids `first..<first + clips`.
func randomBatch(clips: Int, segmentLength: Int, seed: UInt64, first: Int = 0) -> StepBatch {
    var generator = SeededGenerator(state: seed)
    let anchors = (0..<(clips * segmentLength)).map { _ in generator.nextUniform() * 2 - 1 }
    let positives = (0..<(clips * segmentLength)).map { _ in generator.nextUniform() * 2 - 1 }
    return StepBatch(anchors: anchors, positives: positives, clips: clips, itemIDs: Array(first..<(first + clips)))
}
