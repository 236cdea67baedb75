/// Per-dimension standardization with statistics of the training embeddings:
/// `(x − mean) / max(std, 1e-6)`.
public struct Standardizer: Sendable {
    /// Mean of each dimension.
    public let mean: [Float]
    /// Standard deviation of each dimension (population).
    public let std: [Float]

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
    }

    /// `rows` standardized.
    public func apply(_ rows: [Float]) -> [Float] {
        let width = mean.count
        let scale = std.map { 1 / max($0, 1e-6) }
        var output = rows
        output.withUnsafeMutableBufferPointer { values in
            for index in 0..<values.count {
                let column = index % width
                values[index] = (values[index] - mean[column]) * scale[column]
            }
        }
        return output
    }
}
