/// Per-dimension standardization with statistics of the training embeddings:
/// `(x − mean) / sqrt(var + ε)` with `ε = 1e-3 × (mean variance over dimensions)`.
///
/// The ε matters: a dimension that is constant on the training set (a log-mel band clipped at
/// log 1e-5 in every training crop) would otherwise turn the slightest deviation in a test crop
/// into a value of 10⁶ that swamps every other dimension.
public struct Standardizer: Sendable {
    /// Mean of each dimension.
    public let mean: [Float]
    /// Standard deviation of each dimension (population).
    public let std: [Float]
    /// Added to each variance before the square root.
    public let epsilon: Float

    /// Statistics of `rows` (`count × width`).
    public init(fitting rows: [Float], width: Int) {
        let count = width > 0 ? rows.count / width : 0
        var sum = [Double](repeating: 0, count: width)
        var squares = [Double](repeating: 0, count: width)
        rows.withUnsafeBufferPointer { values in
            for row in 0..<count {
                for column in 0..<width {
                    let value = Double(values[row * width + column])
                    sum[column] += value
                    squares[column] += value * value
                }
            }
        }
        let n = Double(max(count, 1))
        mean = sum.map { Float($0 / n) }
        std = zip(sum, squares).map { total, square in
            let m = total / n
            return Float(max(0, square / n - m * m).squareRoot())
        }
        let meanVariance = std.reduce(Float(0)) { $0 + $1 * $1 } / Float(max(width, 1))
        epsilon = 1e-3 * meanVariance + 1e-12
    }

    /// `rows` standardized.
    public func apply(_ rows: [Float]) -> [Float] {
        let width = mean.count
        let scale = std.map { 1 / ($0 * $0 + epsilon).squareRoot() }
        var output = rows
        output.withUnsafeMutableBufferPointer { values in
            for row in 0..<(values.count / max(width, 1)) {
                for column in 0..<width {
                    let index = row * width + column
                    values[index] = (values[index] - mean[column]) * scale[column]
                }
            }
        }
        return output
    }
}
