/// The one-dimensional transforms of Winograd's F(4, 3) on eight channels at once, and their
/// two-dimensional (tile) forms.
///
/// Matrices from Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks" (2016), with the
/// interpolation points 0, ±1, ±2, ∞ (the same as oneDNN's `jit_wino_4x3`):
/// ```
///      ⎡4  0 −5  0  1  0⎤        ⎡ 1/4    0     0  ⎤        ⎡1 1  1 1  1 0⎤
///      ⎢0 −4 −4  1  1  0⎥        ⎢−1/6 −1/6  −1/6  ⎥   Aᵀ = ⎢0 1 −1 2 −2 0⎥
/// Bᵀ = ⎢0  4 −4 −1  1  0⎥    G = ⎢−1/6  1/6  −1/6  ⎥        ⎢0 1  1 4  4 0⎥
///      ⎢0 −2 −1  2  1  0⎥        ⎢1/24 1/12   1/6  ⎥        ⎣0 1 −1 8 −8 1⎦
///      ⎢0  2 −1 −2  1  0⎥        ⎢1/24 −1/12  1/6  ⎥
///      ⎣0  4  0 −5  0  1⎦        ⎣  0    0     1   ⎦
/// ```
/// A 4×4 output tile is `Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A` for a 6×6 input patch `d` and a 3×3 kernel `g`
/// (cross-correlation, as PyTorch's convolution). The additions below are factored so that each
/// transform of six points takes 8–12 vector operations.
enum WinogradTransforms {
    typealias Lanes = SIMD8<Float>
    typealias Six = (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes)
    typealias Four = (Lanes, Lanes, Lanes, Lanes)

    /// `Bᵀ d` for one column of a 6×6 patch.
    @inline(__always)
    static func input(_ d: Six) -> Six {
        let a = d.4 - 4 * d.2, b = d.3 - 4 * d.1
        let c = d.4 - d.2, e = 2 * (d.3 - d.1)
        return (4 * d.0 - 5 * d.2 + d.4, a + b, a - b, c + e, c - e, 4 * d.1 - 5 * d.3 + d.5)
    }

    /// `Aᵀ m`: six transformed points back to four outputs.
    @inline(__always)
    static func output(_ m: Six) -> Four {
        let s1 = m.1 + m.2, d1 = m.1 - m.2, s2 = m.3 + m.4, d2 = m.3 - m.4
        return (m.0 + s1 + s2, d1 + 2 * d2, s1 + 4 * s2, d1 + 8 * d2 + m.5)
    }

    /// `A y`, the adjoint of ``output(_:)``: four output gradients to six points.
    @inline(__always)
    static func outputAdjoint(_ y: Four) -> Six {
        let even = y.0 + y.2, odd = y.1 + y.3
        let even2 = y.0 + 4 * y.2, odd2 = 2 * y.1 + 8 * y.3
        return (y.0, even + odd, even - odd, even2 + odd2, even2 - odd2, y.3)
    }

    /// `G g` for one column of a 3×3 kernel (scalar: weights are transformed once per pass).
    @inline(__always)
    static func kernel(_ g0: Float, _ g1: Float, _ g2: Float) -> (Float, Float, Float, Float, Float, Float) {
        let outer = g0 + g2
        let plus = (outer + g1) / -6, minus = (outer - g1) / -6
        let a = g0 / 24 + g2 / 6, b = g1 / 12
        return (g0 / 4, plus, minus, a + b, a - b, g2)
    }

    /// `Gᵀ u`, the adjoint of ``kernel(_:_:_:)``: six transformed gradients to three kernel taps.
    @inline(__always)
    static func kernelAdjoint(_ u: (Float, Float, Float, Float, Float, Float)) -> (Float, Float, Float) {
        let s12 = u.1 + u.2, d12 = u.2 - u.1, s34 = u.3 + u.4, d34 = u.3 - u.4
        return (u.0 / 4 - s12 / 6 + s34 / 24, d12 / 6 + d34 / 12, (s34 - s12) / 6 + u.5)
    }
}
