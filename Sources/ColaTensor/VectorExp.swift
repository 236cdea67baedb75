/// Single-precision `exp` and logistic sigmoid on SIMD vectors, for Cola's fused elementwise kernels.
///
/// Cephes `expf` (also oneDNN's eltwise exp): e^x = 2^n · e^r with n = round(x·log₂e) and
/// r = x − n·ln 2 (ln 2 split into an exactly representable high part and a low part, so r is exact
/// to float precision), e^r by Cephes's degree-5 polynomial on |r| ≤ ln2/2, and 2^n built directly
/// in the exponent bits. The argument is clamped to [−87, 88] so 2^n stays a normal float; relative
/// error ≤ 1 ulp over that range (`BatchNormSwishKernelTests` measures it).
public enum VectorExp {
    /// Arguments are clamped to `lowerBound...upperBound` (e^88 ≈ 1.65e38 < Float.greatestFiniteMagnitude).
    public static let lowerBound: Float = -87
    /// See ``lowerBound``.
    public static let upperBound: Float = 88

    /// e^x lane by lane, x clamped to [``lowerBound``, ``upperBound``].
    @inlinable @inline(__always)
    public static func exp<V: ExpVector>(_ x: V) -> V {
        let x = x.clampedForExp()
        // Adding 1.5·2²³ rounds x·log₂e to the nearest integer n and leaves n in the low mantissa bits.
        let shifter: Float = 12_582_912
        // Fused multiply-adds (`addingProduct`): Swift does not contract `a * b + c` by itself.
        let t = V(repeating: shifter).addingProduct(x, V(repeating: 1.442_695_04))
        let n = t - shifter
        let r = x.addingProduct(n, V(repeating: -0.693_359_375)).addingProduct(n, V(repeating: 2.121_944_4e-4))
        var p = V(repeating: 1.398_199_95e-3).addingProduct(V(repeating: 1.987_569_15e-4), r)
        p = V(repeating: 8.333_351_9e-3).addingProduct(p, r)
        p = V(repeating: 4.166_579_59e-2).addingProduct(p, r)
        p = V(repeating: 1.666_666_55e-1).addingProduct(p, r)
        p = V(repeating: 5.000_000_12e-1).addingProduct(p, r)
        let expR = (r + 1).addingProduct(p, r * r)
        let bits = unsafeBitCast(t, to: V.MaskStorage.self)
        let twoToN = (bits &- 0x4B40_0000 &+ 127) &<< 23
        return expR * unsafeBitCast(twoToN, to: V.self)
    }

    /// σ(x) = 1 / (1 + e^−x) lane by lane.
    @inlinable @inline(__always)
    public static func sigmoid<V: ExpVector>(_ x: V) -> V {
        V(repeating: 1) / (exp(-x) + 1)
    }
}

/// A float vector ``VectorExp`` runs on: SIMD16 or SIMD8 of Float.
///
/// The clamp is the one concrete step: comparisons written generically over `SIMD` compile to a
/// lane-by-lane loop, while the concrete types' own `.<`/`.>` become single vector compares (and
/// `clamped`'s NaN-aware `min`/`max` do not vectorize at all).
public protocol ExpVector: SIMD where Scalar == Float {
    /// The lanes clamped to [``VectorExp/lowerBound``, ``VectorExp/upperBound``].
    func clampedForExp() -> Self
}

extension SIMD16: ExpVector where Scalar == Float {
    /// See ``ExpVector/clampedForExp()``.
    @inlinable @inline(__always)
    public func clampedForExp() -> Self {
        let low = Self(repeating: VectorExp.lowerBound), high = Self(repeating: VectorExp.upperBound)
        return replacing(with: low, where: self .< low).replacing(with: high, where: self .> high)
    }
}

extension SIMD8: ExpVector where Scalar == Float {
    /// See ``ExpVector/clampedForExp()``.
    @inlinable @inline(__always)
    public func clampedForExp() -> Self {
        let low = Self(repeating: VectorExp.lowerBound), high = Self(repeating: VectorExp.upperBound)
        return replacing(with: low, where: self .< low).replacing(with: high, where: self .> high)
    }
}
