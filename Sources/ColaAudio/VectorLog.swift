/// Natural log of positive normal floats, 16 at a time, without libm and without lane masks
/// (which the baseline x86-64 target would scalarize).
///
/// x = m · 2^e with m in [1, 2); ln m = 2·atanh(t) with t = (m − 1)/(m + 1) in [0, ⅓], by its
/// odd series to t¹⁷ (truncation < 2e-9 relative); ln x = e·ln 2 + ln m with ln 2 split in two
/// parts. The exponent becomes a float by the 2²³ bit trick. Accurate to ~1 ulp over the clip
/// range [1e-5, 1e8].
enum VectorLog {
    typealias Lanes = SIMD16<Float>

    @inline(__always)
    static func naturalLog(_ x: Lanes) -> Lanes {
        let bits = unsafeBitCast(x, to: SIMD16<UInt32>.self)
        let biasedExponent = unsafeBitCast((bits &>> 23) | 0x4B00_0000, to: Lanes.self)
        let e = biasedExponent - (8_388_608 + 127)
        let mantissa = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F80_0000, to: Lanes.self)
        let t = (mantissa - 1) / (mantissa + 1)
        let t2 = t * t
        var series = Lanes(repeating: 1.0 / 17)
        series = series * t2 + 1.0 / 15
        series = series * t2 + 1.0 / 13
        series = series * t2 + 1.0 / 11
        series = series * t2 + 1.0 / 9
        series = series * t2 + 1.0 / 7
        series = series * t2 + 1.0 / 5
        series = series * t2 + 1.0 / 3
        series = series * t2 + 1
        let lnMantissa = 2 * t * series
        return e * 0.693_145_75 + (e * 1.428_606_8e-6 + lnMantissa)
    }
}

/// Sine and cosine of 16 angles in [−π, π] by their Taylor series to x¹⁷ / x¹⁸ (truncation below
/// 1e-6 absolute), for Gaussian noise; no range reduction, no lane masks.
enum VectorTrig {
    typealias Lanes = SIMD16<Float>

    @inline(__always)
    static func sineAndCosine(_ x: Lanes) -> (sine: Lanes, cosine: Lanes) {
        let x2 = x * x
        var sine = Lanes(repeating: 1.0 / 355_687_414_628_352)        // 1/17! (divisor as rounded to Float)
        sine = sine * x2 - 1.0 / 1_307_674_411_008                     // 1/15! (divisor as rounded to Float)
        sine = sine * x2 + 1.0 / 6_227_020_800                         // 1/13!
        sine = sine * x2 - 1.0 / 39_916_800                            // 1/11!
        sine = sine * x2 + 1.0 / 362_880                               // 1/9!
        sine = sine * x2 - 1.0 / 5040
        sine = sine * x2 + 1.0 / 120
        sine = sine * x2 - 1.0 / 6
        sine = (sine * x2 + 1) * x
        var cosine = Lanes(repeating: 1.0 / 6_402_373_530_419_200)     // 1/18! (divisor as rounded to Float)
        cosine = cosine * x2 - 1.0 / 20_922_790_576_128                // 1/16! (divisor as rounded to Float)
        cosine = cosine * x2 + 1.0 / 87_178_289_152                    // 1/14! (divisor as rounded to Float)
        cosine = cosine * x2 - 1.0 / 479_001_600                       // 1/12!
        cosine = cosine * x2 + 1.0 / 3_628_800                         // 1/10!
        cosine = cosine * x2 - 1.0 / 40320
        cosine = cosine * x2 + 1.0 / 720
        cosine = cosine * x2 - 1.0 / 24
        cosine = cosine * x2 + 0.5
        cosine = 1 - cosine * x2
        return (sine, cosine)
    }
}
