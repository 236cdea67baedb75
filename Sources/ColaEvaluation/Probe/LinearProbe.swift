import ColaTensor

/// A linear softmax classifier `logits = x · W + b` over standardized embeddings.
public struct LinearProbe: Sendable, Equatable {
    /// Input width.
    public let inputs: Int
    /// Classes.
    public let classes: Int
    /// `inputs × classes`, row-major.
    public var weights: [Float]
    /// `classes`.
    public var bias: [Float]

    /// A probe with the given weights (`inputs × classes`) and bias (`classes`).
    public init(inputs: Int, classes: Int, weights: [Float], bias: [Float]) {
        precondition(weights.count == inputs * classes && bias.count == classes,
                     "a \(inputs) × \(classes) probe needs \(inputs * classes) weights and \(classes) biases, got \(weights.count) and \(bias.count)")
        self.inputs = inputs
        self.classes = classes
        self.weights = weights
        self.bias = bias
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
