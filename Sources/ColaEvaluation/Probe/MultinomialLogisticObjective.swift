import ColaTensor
import Foundation

/// The objective of multinomial logistic regression with L2 on the weights, as scikit-learn's
/// `LogisticRegression(C:)` defines it (`sklearn/linear_model/_logistic.py`):
///
///     F(W, b) = Σᵢ −log softmax(xᵢ·W + b)[yᵢ] + ½‖W‖² / C        (b unpenalized)
///
/// evaluated divided by the row count n, as scikit-learn hands it to L-BFGS (so a gradient
/// tolerance means the same in both). Parameters are one vector: `W` (`width × classes`,
/// row-major, `logits = x · W`) then `b` (`classes`).
///
/// Logits and the weight gradient `Xᵀ(P − Y)` are single-precision GEMMs (``Matrix/multiply``,
/// all cores); the softmax, the loss and the penalty are summed in double precision.
struct MultinomialLogisticObjective {
    /// `count × width` rows, row-major.
    let rows: [Float]
    /// The class of each row.
    let labels: [Int32]
    /// Rows.
    let count: Int
    /// Features per row.
    let width: Int
    /// Classes.
    let classes: Int
    /// scikit-learn's `C`: the inverse of the L2 strength on the summed loss.
    let inverseRegularization: Double

    /// An objective over `rows` (`labels.count × width`).
    init(rows: [Float], labels: [Int32], width: Int, classes: Int, inverseRegularization: Double) {
        precondition(rows.count == labels.count * width, "rows hold \(rows.count) values, expected \(labels.count) × \(width)")
        precondition(inverseRegularization > 0, "C must be positive, got \(inverseRegularization)")
        self.rows = rows
        self.labels = labels
        self.count = labels.count
        self.width = width
        self.classes = classes
        self.inverseRegularization = inverseRegularization
    }

    /// Parameters: weights then biases.
    var parameterCount: Int { width * classes + classes }

    /// `F / n` at `parameters`; writes its gradient into `gradient`.
    func meanValue(at parameters: [Double], gradient: inout [Double]) -> Double {
        let weightCount = width * classes
        let weights = parameters[0..<weightCount].map { Float($0) }
        var residuals = [Float](repeating: 0, count: count * classes)
        residuals.withUnsafeMutableBufferPointer { z in
            rows.withUnsafeBufferPointer { x in
                weights.withUnsafeBufferPointer { w in
                    Matrix.multiply(gemmBackend(m: count, n: classes, k: width), m: count, n: classes, k: width,
                                    a: x.baseAddress!, lda: width, b: w.baseAddress!, ldb: classes, c: z.baseAddress!, ldc: classes)
                }
            }
        }
        let scale = 1 / Double(count)
        var loss = 0.0
        var biasGradient = [Double](repeating: 0, count: classes)
        var probabilities = [Double](repeating: 0, count: classes)
        residuals.withUnsafeMutableBufferPointer { z in
            for row in 0..<count {
                let base = row * classes
                var peak = -Double.infinity
                for c in 0..<classes {
                    probabilities[c] = Double(z[base + c]) + parameters[weightCount + c]
                    peak = max(peak, probabilities[c])
                }
                var sum = 0.0
                for c in 0..<classes {
                    probabilities[c] = exp(probabilities[c] - peak)
                    sum += probabilities[c]
                }
                let label = Int(labels[row])
                loss += peak + log(sum) - (Double(z[base + label]) + parameters[weightCount + label])
                for c in 0..<classes {
                    let residual = (probabilities[c] / sum - (c == label ? 1 : 0)) * scale
                    biasGradient[c] += residual
                    z[base + c] = Float(residual)
                }
            }
        }
        var weightGradient = [Float](repeating: 0, count: weightCount)
        weightGradient.withUnsafeMutableBufferPointer { g in
            rows.withUnsafeBufferPointer { x in
                residuals.withUnsafeBufferPointer { r in
                    Matrix.multiply(gemmBackend(m: width, n: classes, k: count), transposeA: true, m: width, n: classes, k: count,
                                    a: x.baseAddress!, lda: width, b: r.baseAddress!, ldb: classes, c: g.baseAddress!, ldc: classes)
                }
            }
        }
        let penaltyScale = scale / inverseRegularization
        var squares = 0.0
        for i in 0..<weightCount {
            squares += parameters[i] * parameters[i]
            gradient[i] = Double(weightGradient[i]) + penaltyScale * parameters[i]
        }
        for c in 0..<classes { gradient[weightCount + c] = biasGradient[c] }
        return loss * scale + 0.5 * penaltyScale * squares
    }
}

/// The GEMM for an `m×k · k×n` product: oneDNN's `sgemm` for large products (VoxCeleb's
/// 1,251 classes × 1,280 features), OpenBLAS for the small ones. oneDNN's OpenMP
/// team costs more than a small product on a busy machine: the tone-probe test went from 39 s to
/// 295 s wall clock with oneDNN for every product.
func gemmBackend(m: Int, n: Int, k: Int) -> Matrix.Backend {
    m * n * k >= 1 << 24 ? .oneDNN : .openBLAS
}
