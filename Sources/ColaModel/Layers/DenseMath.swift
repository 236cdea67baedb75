#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ColaTensor

/// Fully connected layer math on row-major matrices (`y = x·Wᵀ + b`, W `[out, in]` as PyTorch).
enum DenseMath {
    /// `y (n×out) = x (n×in) · Wᵀ + b`.
    static func forward(_ x: UnsafePointer<Float>, rows: Int, inputs: Int, outputs: Int,
                        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>) {
        if let bias {
            for r in 0..<rows { (y + r * outputs).update(from: bias, count: outputs) }
        }
        Matrix.multiply(transposeB: true, m: rows, n: outputs, k: inputs, a: x, lda: inputs, b: weight, ldb: inputs,
                        beta: bias == nil ? 0 : 1, c: y, ldc: outputs)
    }

    /// Accumulates `dW += dyᵀ·x`, `db += Σ_rows dy` and, when `dx` is given, writes `dx = dy·W`.
    static func backward(_ dy: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int, inputs: Int, outputs: Int,
                         weight: UnsafePointer<Float>, weightGradient: UnsafeMutablePointer<Float>,
                         biasGradient: UnsafeMutablePointer<Float>?, dx: UnsafeMutablePointer<Float>?) {
        Matrix.multiply(transposeA: true, m: outputs, n: inputs, k: rows, a: dy, lda: outputs, b: x, ldb: inputs,
                        beta: 1, c: weightGradient, ldc: inputs)
        if let biasGradient {
            for r in 0..<rows {
                let row = dy + r * outputs
                for o in 0..<outputs { biasGradient[o] += row[o] }
            }
        }
        if let dx {
            Matrix.multiply(m: rows, n: inputs, k: outputs, a: dy, lda: outputs, b: weight, ldb: inputs, c: dx, ldc: inputs)
        }
    }

    /// σ(x) = 1 / (1 + e^−x).
    static func sigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }

    /// tanh(x).
    static func tanh(_ x: Float) -> Float { tanhf(x) }

    /// e^x.
    static func exponential(_ x: Float) -> Float { expf(x) }

    /// Natural logarithm in double precision.
    static func logarithm(_ x: Double) -> Double { log(x) }

    /// Square root.
    static func squareRoot(_ x: Float) -> Float { sqrtf(x) }
}
