#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SplitMix64 (Steele, Lea, Flood 2014): a small, fast generator whose whole state is one word,
/// so every random choice can be re-derived from its key (seed, purpose, epoch, item).
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator keyed on `seed` and the given parts (e.g. purpose, epoch, item index).
    public init(seed: UInt64, _ parts: UInt64...) {
        var state = SeededRandom.mix(seed ^ 0x9E37_79B9_7F4A_7C15)
        for part in parts {
            state = SeededRandom.mix(state ^ SeededRandom.mix(part &+ 0x632B_E59B_D9B4_E019))
        }
        self.state = state
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SeededRandom.mix(state)
    }

    /// A uniform integer in `0 ..< bound` (multiply-shift; bias below 2⁻³² for bounds < 2³²).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        return Int(UInt64(bound).multipliedFullWidth(by: next()).high)
    }

    /// A uniform float in (0, 1].
    public mutating func unitInterval() -> Float {
        Float((next() >> 40) + 1) * (1 / Float(1 << 24))
    }

    /// Adds `scale` times standard normal samples to `count` values of `target` (Box–Muller,
    /// 32 at a time with vector log, square root, sine and cosine; scalar for the tail).
    public mutating func addGaussian(scale: Float, to target: UnsafeMutablePointer<Float>, count: Int) {
        typealias Lanes = SIMD16<Float>
        let raw = UnsafeMutableRawPointer(target)
        let width = Lanes.scalarCount
        var i = 0
        while i + 2 * width <= count {
            var uniform = Lanes(), turn = Lanes()
            for lane in 0..<width {
                uniform[lane] = unitInterval()
                turn[lane] = unitInterval()
            }
            let radius = (-2 * VectorLog.naturalLog(uniform)).squareRoot() * scale
            let (sine, cosine) = VectorTrig.sineAndCosine((turn - 0.5) * (2 * Float.pi))
            let first = raw.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self) + radius * cosine
            let second = raw.loadUnaligned(fromByteOffset: (i + width) * 4, as: Lanes.self) + radius * sine
            raw.storeBytes(of: first, toByteOffset: i * 4, as: Lanes.self)
            raw.storeBytes(of: second, toByteOffset: (i + width) * 4, as: Lanes.self)
            i += 2 * width
        }
        while i < count {
            let radius = (-2 * logf(unitInterval())).squareRoot() * scale
            let angle = 2 * Float.pi * unitInterval()
            target[i] += radius * cosf(angle)
            if i + 1 < count { target[i + 1] += radius * sinf(angle) }
            i += 2
        }
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
