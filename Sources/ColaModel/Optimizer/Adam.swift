#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ColaTensor

/// Adam as Keras implements it (β₁ 0.9, β₂ 0.999, ε 1e-7), over the flat parameter buffer, with an
/// optional decoupled weight decay (AdamW: `θ −= lr·λ·θ`) and a learning-rate schedule hook.
///
/// Keras's update: `lr_t = lr·√(1−β₂ᵗ)/(1−β₁ᵗ)`, `m = β₁m + (1−β₁)g`, `v = β₂v + (1−β₂)g²`,
/// `θ −= lr_t·m/(√v + ε)`.
public final class Adam {
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-7
    /// Decoupled weight decay λ (0 = plain Adam).
    public var weightDecay: Float
    /// Learning rate for a step (1-based); defaults to a constant.
    public var learningRate: (Int) -> Float
    /// First moment, laid out like the parameters (checkpointed).
    public let firstMoment: FloatBuffer
    /// Second moment, laid out like the parameters (checkpointed).
    public let secondMoment: FloatBuffer
    /// Steps taken so far (checkpointed).
    public var step = 0

    /// An optimizer for `count` parameters with a constant learning rate.
    public init(count: Int, learningRate: Float = 1e-3, weightDecay: Float = 0) {
        firstMoment = FloatBuffer(count: count)
        secondMoment = FloatBuffer(count: count)
        self.learningRate = { _ in learningRate }
        self.weightDecay = weightDecay
    }

    /// One update of `parameters` from `gradients` (both `count` long).
    public func update(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>) {
        step += 1
        let lr = learningRate(step)
        let t = Float(step)
        let correctedRate = lr * (1 - powf(beta2, t)).squareRoot() / (1 - powf(beta1, t))
        let m = firstMoment.pointer, v = secondMoment.pointer
        let b1 = beta1, b2 = beta2, eps = epsilon, decay = lr * weightDecay
        OpenMPTeam.forEachRange(firstMoment.count) { range in
            for i in range {
                let g = gradients[i]
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                parameters[i] -= correctedRate * m[i] / (v[i].squareRoot() + eps) + decay * parameters[i]
            }
        }
    }
}
