#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ColaCore

/// Gaussian noise for the positive crop (the reference adds N(0, 0.001²) to it).
extension SeededGenerator {
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
}
