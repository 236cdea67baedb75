import ColaTensor

/// The projection head g: Dense(512), then — for the bilinear similarity — LayerNorm (ε = 1e-3,
/// Keras default) and tanh. The cosine similarity uses the dense layer alone.
final class ProjectionHead {
    static let layerNormEpsilon: Float = 1e-3

    let weight: ParameterEntry
    let bias: ParameterEntry
    let normWeight: ParameterEntry?
    let normBias: ParameterEntry?
    let inputs: Int
    let outputs: Int

    private var rows = 0
    private var features: UnsafeMutablePointer<Float>?
    private var normalized: UnsafeMutablePointer<Float>?
    private var inverseDeviation: UnsafeMutablePointer<Float>?
    private var embeddings: UnsafeMutablePointer<Float>?

    init(inputs: Int, outputs: Int, normalized: Bool, table: inout ParameterTable) {
        self.inputs = inputs
        self.outputs = outputs
        weight = table.register("head.dense.weight", shape: [outputs, inputs])
        bias = table.register("head.dense.bias", shape: [outputs])
        normWeight = normalized ? table.register("head.norm.weight", shape: [outputs]) : nil
        normBias = normalized ? table.register("head.norm.bias", shape: [outputs]) : nil
    }

    /// `rows × inputs` features → `rows × outputs` embeddings (in activation memory).
    func forward(_ x: UnsafeMutablePointer<Float>, rows: Int, _ run: RunContext) -> UnsafeMutablePointer<Float> {
        let dense = run.activation(rows * outputs)
        DenseMath.forward(x, rows: rows, inputs: inputs, outputs: outputs, weight: run.parameters + weight.offset,
                          bias: run.parameters + bias.offset, into: dense)
        self.rows = rows
        features = x
        guard let normWeight, let normBias else {
            embeddings = dense
            return dense
        }
        let inverse = run.activation(rows)
        let y = run.activation(rows * outputs)
        let gamma = run.parameters + normWeight.offset, beta = run.parameters + normBias.offset
        for r in 0..<rows {
            let row = dense + r * outputs
            var mean: Double = 0
            for i in 0..<outputs { mean += Double(row[i]) }
            mean /= Double(outputs)
            var variance: Double = 0
            for i in 0..<outputs { variance += (Double(row[i]) - mean) * (Double(row[i]) - mean) }
            variance /= Double(outputs)
            let inv = 1 / DenseMath.squareRoot(Float(variance) + ProjectionHead.layerNormEpsilon)
            inverse[r] = inv
            let m = Float(mean)
            for i in 0..<outputs {
                row[i] = (row[i] - m) * inv
                y[r * outputs + i] = DenseMath.tanh(row[i] * gamma[i] + beta[i])
            }
        }
        normalized = dense
        inverseDeviation = inverse
        embeddings = y
        return y
    }

    /// Accumulates the head's gradients from `dy` (`rows × outputs`) and returns the feature gradient.
    func backward(_ dy: UnsafePointer<Float>, _ run: RunContext) -> UnsafeMutablePointer<Float> {
        guard let x = features, let y = embeddings else { preconditionFailure("head: backward before forward") }
        let dDense = run.gradient(rows * outputs)
        if let normWeight, let normBias, let xhat = normalized, let inverse = inverseDeviation {
            let gamma = run.parameters + normWeight.offset
            let dGamma = run.gradients + normWeight.offset, dBeta = run.gradients + normBias.offset
            for r in 0..<rows {
                let o = r * outputs
                var meanG: Float = 0, meanGX: Float = 0
                for i in 0..<outputs {
                    let t = y[o + i]
                    let g = dy[o + i] * (1 - t * t)
                    dGamma[i] += g * xhat[o + i]
                    dBeta[i] += g
                    let gx = g * gamma[i]
                    dDense[o + i] = gx
                    meanG += gx
                    meanGX += gx * xhat[o + i]
                }
                meanG /= Float(outputs)
                meanGX /= Float(outputs)
                for i in 0..<outputs {
                    dDense[o + i] = inverse[r] * (dDense[o + i] - meanG - xhat[o + i] * meanGX)
                }
            }
        } else {
            dDense.update(from: dy, count: rows * outputs)
        }
        let dx = run.gradient(rows * inputs)
        DenseMath.backward(dDense, x: x, rows: rows, inputs: inputs, outputs: outputs, weight: run.parameters + weight.offset,
                           weightGradient: run.gradients + weight.offset, biasGradient: run.gradients + bias.offset, dx: dx)
        return dx
    }
}
