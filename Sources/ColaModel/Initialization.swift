#if canImport(Glibc)
import ColaCore
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Initial values as the reference (Keras) draws them, seeded per tensor from one seed.
///
/// - EfficientNet convolutions (stem, expand, depthwise, project, squeeze-excite, top): Keras
///   `VarianceScaling(2.0, 'fan_out', 'truncated_normal')` (its `CONV_KERNEL_INITIALIZER`):
///   σ = √(2/fan_out)/0.8796 truncated at 2σ, fan_out = kh·kw·(out/groups) as Keras computes
///   it from its kernel shape (a depthwise kernel has fan_out kh·kw).
/// - Small-CNN convolutions and dense layers: Glorot uniform, limit √(6/(fan_in + fan_out)).
/// - Biases 0; batch-norm and layer-norm γ = 1, β = 0; running mean 0, running variance 1.
/// - Bilinear W: normal(0, 0.05).
enum Initialization {
    static func initialize(_ table: ParameterTable, encoder: EncoderKind, values: UnsafeMutablePointer<Float>, seed: UInt64) {
        for (index, entry) in table.entries.enumerated() {
            var generator = SeededGenerator.stream(seed: seed, stream: UInt64(index) &+ 1)
            let out = values + entry.offset
            let name = entry.name
            if name.hasSuffix(".bias") || name.hasSuffix("running_mean") {
                out.initialize(repeating: 0, count: entry.count)
            } else if name.hasSuffix("running_var") || (entry.shape.count == 1 && name.hasSuffix(".weight")) {
                out.initialize(repeating: 1, count: entry.count)
            } else if name == "similarity.weight" {
                for i in 0..<entry.count { out[i] = 0.05 * Float(normal(&generator)) }
            } else if entry.shape.count == 4 && encoder == .efficientNetB0 {
                let receptive = entry.shape[2] * entry.shape[3]
                let fanOut = name.contains("depthwise") ? receptive : receptive * entry.shape[0]
                let sigma = (2 / Double(fanOut)).squareRoot() / 0.879_625_661_034_239_78
                for i in 0..<entry.count { out[i] = Float(sigma * truncatedNormal(&generator)) }
            } else {
                let receptive = entry.shape.count == 4 ? entry.shape[2] * entry.shape[3] : 1
                let fanIn = entry.shape[1] * receptive, fanOut = entry.shape[0] * receptive
                let limit = (6 / Double(fanIn + fanOut)).squareRoot()
                for i in 0..<entry.count { out[i] = Float((2 * generator.nextUniformDouble() - 1) * limit) }
            }
        }
    }

    /// Standard normal (Box–Muller).
    static func normal(_ generator: inout SeededGenerator) -> Double {
        let u = max(generator.nextUniformDouble(), 1e-300)
        let v = generator.nextUniformDouble()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// Standard normal redrawn until within ±2.
    static func truncatedNormal(_ generator: inout SeededGenerator) -> Double {
        while true {
            let z = normal(&generator)
            if abs(z) <= 2 { return z }
        }
    }
}
