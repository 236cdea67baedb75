import ColaCore
import ColaTensor
import Foundation

/// Settings of the linear probe (the reference trains `Dense(num_classes)` with Adam 1e-3,
/// batch 64, 100 epochs; here a validation split picks the epoch).
public struct ProbeOptions: Sendable, Hashable, Codable {
    /// Adam step size.
    public var learningRate: Float = 1e-3
    /// Windows per step.
    public var batchSize = 64
    /// Epochs at most.
    public var maxEpochs = 100
    /// Stop after this many epochs without a better validation score.
    public var patience = 10
    /// An epoch is one pass over the training clips, repeated until it has at least this many
    /// steps: on a small task one pass is a single step, and 100 steps of Adam 1e-3 leave the
    /// probe far from converged.
    public var minimumStepsPerEpoch = 20
    /// Seeds the initial weights, the window chosen per clip and epoch, and the order.
    public var seed: UInt64 = 0

    /// The reference's settings.
    public init() {}
}

/// A linear softmax classifier `logits = x · W + b` over standardized embeddings.
public struct LinearProbe: Sendable {
    /// Input width.
    public let inputs: Int
    /// Classes.
    public let classes: Int
    /// `inputs × classes`, row-major.
    public var weights: [Float]
    /// `classes`.
    public var bias: [Float]

    /// Glorot-uniform weights and zero bias (Keras `Dense` defaults).
    public init(inputs: Int, classes: Int, seed: UInt64) {
        self.inputs = inputs
        self.classes = classes
        var generator = SeededGenerator(state: seed)
        let limit = (6 / Float(inputs + classes)).squareRoot()
        weights = (0..<(inputs * classes)).map { _ in (Float(generator.next() >> 40) / Float(1 << 24) * 2 - 1) * limit }
        bias = [Float](repeating: 0, count: classes)
    }

    /// Logits of `count` rows (`count × inputs`), `count × classes`.
    public func logits(_ rows: [Float], count: Int) -> [Float] {
        var output = [Float](repeating: 0, count: count * classes)
        guard count > 0 else { return output }
        for row in 0..<count {
            for c in 0..<classes { output[row * classes + c] = bias[c] }
        }
        rows.withUnsafeBufferPointer { x in
            weights.withUnsafeBufferPointer { w in
                output.withUnsafeMutableBufferPointer { y in
                    Matrix.multiply(gemmBackend(m: count, n: classes, k: inputs), m: count, n: classes, k: inputs, a: x.baseAddress!, lda: inputs,
                                    b: w.baseAddress!, ldb: classes, beta: 1, c: y.baseAddress!, ldc: classes)
                }
            }
        }
        return output
    }
}

/// What training the probe did.
public struct ProbeTrainingResult: Sendable {
    /// The probe at its best validation epoch.
    public let probe: LinearProbe
    /// The epoch (1-based) that scored best on validation.
    public let bestEpoch: Int
    /// Epochs run before early stopping.
    public let epochsRun: Int
    /// Validation accuracy at the best epoch; `nil` when there was no validation clip (then the
    /// last epoch is kept).
    public let validAccuracy: Double?
}

/// Trains a ``LinearProbe`` with softmax cross-entropy and Adam on one window per training
/// clip per epoch (a different random window each epoch, as the reference's random crops),
/// keeping the epoch with the best clip-level validation accuracy (ties: lower validation loss).
/// Without validation clips it trains ``ProbeOptions/maxEpochs`` epochs and keeps the last.
public enum ProbeTrainer {
    /// Trains on `train` and selects the epoch on `valid` (both already standardized).
    public static func train(train: EmbeddedSplit, valid: EmbeddedSplit, classes: Int, options: ProbeOptions) -> ProbeTrainingResult {
        let width = train.width
        var probe = LinearProbe(inputs: width, classes: classes, seed: options.seed)
        var adam = AdamState(count: probe.weights.count + classes)
        let ranges = train.rowRanges.enumerated().filter { !$0.element.isEmpty }
        var generator = SeededGenerator(state: options.seed ^ 0x5eed_0f_9a0be)
        var best = (accuracy: -1.0, loss: Double.infinity, epoch: 0, probe: probe)
        var epoch = 0
        var batchRows = [Float](repeating: 0, count: options.batchSize * width)
        var gradient = [Float](repeating: 0, count: probe.weights.count + classes)
        while epoch < options.maxEpochs && epoch - best.epoch < options.patience {
            epoch += 1
            var order: [(offset: Int, element: Range<Int>)] = []
            let passes = max(1, (options.minimumStepsPerEpoch * options.batchSize + ranges.count - 1) / max(ranges.count, 1))
            for _ in 0..<passes { order += ranges.shuffled(using: &generator) }
            var start = 0
            while start < order.count {
                let batch = order[start..<min(start + options.batchSize, order.count)]
                start += options.batchSize
                var labels: [Int] = []
                for (slot, entry) in batch.enumerated() {
                    let range = entry.element
                    let row = range.lowerBound + Int(generator.next() % UInt64(range.count))
                    for j in 0..<width { batchRows[slot * width + j] = train.rows[row * width + j] }
                    labels.append(Int(train.labels[entry.offset]))
                }
                computeGradient(probe: probe, rows: batchRows, labels: labels, gradient: &gradient)
                adam.step(weights: &probe.weights, bias: &probe.bias, gradient: gradient, learningRate: options.learningRate)
            }
            guard valid.rowCount > 0 else {
                best = (-1, .infinity, epoch, probe)
                continue
            }
            let scores = ClipScores(rowLogits: probe.logits(valid.rows, count: valid.rowCount), split: valid, classCount: classes)
            let accuracy = scores.accuracy
            let loss = scores.crossEntropy
            if accuracy > best.accuracy || (accuracy == best.accuracy && loss < best.loss) {
                best = (accuracy, loss, epoch, probe)
            }
        }
        return ProbeTrainingResult(probe: best.probe, bestEpoch: best.epoch, epochsRun: epoch, validAccuracy: valid.rowCount > 0 ? best.accuracy : nil)
    }

    /// Mean cross-entropy gradient of a batch: weights part (`inputs × classes`) then bias.
    private static func computeGradient(probe: LinearProbe, rows: [Float], labels: [Int], gradient: inout [Float]) {
        let count = labels.count
        let classes = probe.classes
        var probabilities = probe.logits(rows, count: count)
        for row in 0..<count {
            let base = row * classes
            var peak = -Float.infinity
            for c in 0..<classes { peak = max(peak, probabilities[base + c]) }
            var sum: Float = 0
            for c in 0..<classes {
                let e = expf(probabilities[base + c] - peak)
                probabilities[base + c] = e
                sum += e
            }
            for c in 0..<classes { probabilities[base + c] /= sum * Float(count) }
            probabilities[base + labels[row]] -= 1 / Float(count)
        }
        let weightCount = probe.weights.count
        gradient.withUnsafeMutableBufferPointer { out in
            rows.withUnsafeBufferPointer { x in
                probabilities.withUnsafeBufferPointer { g in
                    Matrix.multiply(gemmBackend(m: probe.inputs, n: classes, k: count), transposeA: true, m: probe.inputs, n: classes, k: count,
                                    a: x.baseAddress!, lda: probe.inputs, b: g.baseAddress!, ldb: classes,
                                    beta: 0, c: out.baseAddress!, ldc: classes)
                }
            }
            for c in 0..<classes {
                var sum: Float = 0
                for row in 0..<count { sum += probabilities[row * classes + c] }
                out[weightCount + c] = sum
            }
        }
    }
}

/// Adam with Keras defaults (β1 0.9, β2 0.999, ε 1e-7) over weights then bias.
private struct AdamState {
    var m: [Float]
    var v: [Float]
    var step = 0

    init(count: Int) {
        m = [Float](repeating: 0, count: count)
        v = [Float](repeating: 0, count: count)
    }

    mutating func step(weights: inout [Float], bias: inout [Float], gradient: [Float], learningRate: Float) {
        step += 1
        let beta1: Float = 0.9
        let beta2: Float = 0.999
        let correctedRate = learningRate * (1 - powf(beta2, Float(step))).squareRoot() / (1 - powf(beta1, Float(step)))
        let weightCount = weights.count
        m.withUnsafeMutableBufferPointer { m in
            v.withUnsafeMutableBufferPointer { v in
                gradient.withUnsafeBufferPointer { g in
                    weights.withUnsafeMutableBufferPointer { w in
                        for i in 0..<weightCount {
                            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                            w[i] -= correctedRate * m[i] / (v[i].squareRoot() + 1e-7)
                        }
                    }
                    bias.withUnsafeMutableBufferPointer { b in
                        for c in 0..<b.count {
                            let i = weightCount + c
                            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                            b[c] -= correctedRate * m[i] / (v[i].squareRoot() + 1e-7)
                        }
                    }
                }
            }
        }
    }
}

/// The GEMM for an `m×k · k×n` product: oneDNN's AVX-512 `sgemm` for large products (VoxCeleb's
/// 1,251 classes × 1,280 features), OpenBLAS for the small ones. oneDNN's OpenMP
/// team costs more than a small product on a busy machine: the tone-probe test went from 39 s to
/// 295 s wall clock with oneDNN for every product.
func gemmBackend(m: Int, n: Int, k: Int) -> Matrix.Backend {
    m * n * k >= 1 << 24 ? .oneDNN : .openBLAS
}
