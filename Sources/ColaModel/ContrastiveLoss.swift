import ColaTensor

/// Result of ``ContrastiveLoss/compute(anchors:anchorCount:positives:positiveCount:positiveOffset:divisor:weight:weightGradient:anchorGradient:positiveGradient:)``.
public struct ContrastiveLossResult: Sendable {
    /// Σ over the local rows of the cross-entropy, divided by the divisor (global batch).
    public var loss: Float
    /// Local rows whose highest similarity is their own positive.
    public var correct: Int
    /// Local rows.
    public var rows: Int
    public init(loss: Float, correct: Int, rows: Int) {
        self.loss = loss
        self.correct = correct
        self.rows = rows
    }

    /// `correct / rows`.
    public var accuracy: Float { rows == 0 ? 0 : Float(correct) / Float(rows) }
}

/// COLA's contrastive loss: softmax cross-entropy of each anchor's similarity row against its positive.
///
/// Rectangular: b local anchors against B ≥ b positives (gathered from all ranks); row i's label
/// is column `positiveOffset + i`. The loss is summed over rows and divided by `divisor` (the
/// global batch), so per-rank results add up to the global mean.
public struct ContrastiveLoss {
    public let similarity: Similarity
    /// Divides cosine similarities (unused by the bilinear one).
    public let temperature: Float
    public let dimension: Int

    public init(similarity: Similarity, temperature: Float = 0.2, dimension: Int = 512) {
        self.similarity = similarity
        self.temperature = temperature
        self.dimension = dimension
    }

    /// Computes the loss and writes `dA` (b×D) and `dP` (B×D); accumulates `dW` (bilinear only).
    ///
    /// `weight`/`weightGradient` are W `[D, D]` and its gradient (ignored for cosine).
    public func compute(
        anchors: UnsafePointer<Float>, anchorCount b: Int, positives: UnsafePointer<Float>, positiveCount n: Int,
        positiveOffset: Int, divisor: Float,
        weight: UnsafePointer<Float>?, weightGradient: UnsafeMutablePointer<Float>?,
        anchorGradient: UnsafeMutablePointer<Float>, positiveGradient: UnsafeMutablePointer<Float>
    ) -> ContrastiveLossResult {
        precondition(positiveOffset >= 0 && positiveOffset + b <= n, "contrastive loss: labels \(positiveOffset)..<\(positiveOffset + b) outside \(n) positives")
        let d = dimension
        var scores = [Float](repeating: 0, count: b * n)
        var result = ContrastiveLossResult(loss: 0, correct: 0, rows: b)
        scores.withUnsafeMutableBufferPointer { sBuffer in
            let s = sBuffer.baseAddress!
            switch similarity {
            case .bilinear:
                guard let weight, let weightGradient else { preconditionFailure("bilinear similarity needs W and dW") }
                // T = P·Wᵀ (n×d), S = A·Tᵀ.
                var t = [Float](repeating: 0, count: n * d)
                t.withUnsafeMutableBufferPointer { tb in
                    let tp = tb.baseAddress!
                    Matrix.multiply(transposeB: true, m: n, n: d, k: d, a: positives, lda: d, b: weight, ldb: d, c: tp, ldc: d)
                    Matrix.multiply(transposeB: true, m: b, n: n, k: d, a: anchors, lda: d, b: tp, ldb: d, c: s, ldc: n)
                    result = crossEntropy(s, rows: b, columns: n, offset: positiveOffset, divisor: divisor)
                    // dA = dS·T; U = dSᵀ·A (n×d); dP = U·W; dW += Aᵀ·dS·P = Uᵀ·P.
                    Matrix.multiply(m: b, n: d, k: n, a: s, lda: n, b: tp, ldb: d, c: anchorGradient, ldc: d)
                    Matrix.multiply(transposeA: true, m: n, n: d, k: b, a: s, lda: n, b: anchors, ldb: d, c: tp, ldc: d)
                    Matrix.multiply(m: n, n: d, k: d, a: tp, lda: d, b: weight, ldb: d, c: positiveGradient, ldc: d)
                    Matrix.multiply(transposeA: true, m: d, n: d, k: n, a: tp, lda: d, b: positives, ldb: d, beta: 1,
                                    c: weightGradient, ldc: d)
                }
            case .cosine:
                var an = [Float](repeating: 0, count: b * d), pn = [Float](repeating: 0, count: n * d)
                var aNorm = [Float](repeating: 0, count: b), pNorm = [Float](repeating: 0, count: n)
                normalizeRows(anchors, rows: b, into: &an, norms: &aNorm)
                normalizeRows(positives, rows: n, into: &pn, norms: &pNorm)
                Matrix.multiply(transposeB: true, m: b, n: n, k: d, alpha: 1 / temperature, a: an, lda: d, b: pn, ldb: d, c: s, ldc: n)
                result = crossEntropy(s, rows: b, columns: n, offset: positiveOffset, divisor: divisor)
                // dÂ = dS·P̂/τ, dP̂ = dSᵀ·Â/τ, then through the normalization.
                Matrix.multiply(m: b, n: d, k: n, alpha: 1 / temperature, a: s, lda: n, b: pn, ldb: d, c: anchorGradient, ldc: d)
                Matrix.multiply(transposeA: true, m: n, n: d, k: b, alpha: 1 / temperature, a: s, lda: n, b: an, ldb: d,
                                c: positiveGradient, ldc: d)
                normalizeBackward(anchorGradient, normalized: an, norms: aNorm, rows: b)
                normalizeBackward(positiveGradient, normalized: pn, norms: pNorm, rows: n)
            }
        }
        return result
    }

    /// Replaces scores with `dS = (softmax − onehot) / divisor`; returns loss and accuracy.
    private func crossEntropy(_ s: UnsafeMutablePointer<Float>, rows: Int, columns: Int, offset: Int, divisor: Float) -> ContrastiveLossResult {
        var loss: Double = 0
        var correct = 0
        for i in 0..<rows {
            let row = s + i * columns
            let label = offset + i
            var best = 0
            var maximum = row[0]
            for j in 1..<columns where row[j] > maximum {
                maximum = row[j]
                best = j
            }
            if best == label { correct += 1 }
            let labelScore = Double(row[label])
            var total: Double = 0
            for j in 0..<columns {
                let e = DenseMath.exponential(row[j] - maximum)
                row[j] = e
                total += Double(e)
            }
            loss += Double(maximum) + DenseMath.logarithm(total) - labelScore
            let scale = Float(1 / total) / divisor
            for j in 0..<columns { row[j] *= scale }
            row[label] -= 1 / divisor
        }
        return ContrastiveLossResult(loss: Float(loss / Double(divisor)), correct: correct, rows: rows)
    }

    private func normalizeRows(_ x: UnsafePointer<Float>, rows: Int, into y: inout [Float], norms: inout [Float]) {
        let d = dimension
        for r in 0..<rows {
            var sum: Float = 0
            for i in 0..<d { sum += x[r * d + i] * x[r * d + i] }
            // tf.math.l2_normalize: x · rsqrt(max(Σx², 1e-12)).
            let norm = DenseMath.squareRoot(max(sum, 1e-12))
            norms[r] = norm
            for i in 0..<d { y[r * d + i] = x[r * d + i] / norm }
        }
    }

    /// `g ← (g − ŷ(ŷ·g)) / ‖x‖` row by row (gradient of x/‖x‖).
    private func normalizeBackward(_ g: UnsafeMutablePointer<Float>, normalized y: [Float], norms: [Float], rows: Int) {
        let d = dimension
        for r in 0..<rows {
            var dot: Float = 0
            for i in 0..<d { dot += y[r * d + i] * g[r * d + i] }
            for i in 0..<d { g[r * d + i] = (g[r * d + i] - y[r * d + i] * dot) / norms[r] }
        }
    }
}
