import Foundation

/// A SplitMix64 random number generator: every stand-in choice derives from one of these, so a
/// build is a pure function of its seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator for `seed`, decorrelated from other streams by `stream` labels (task, item, …).
    public init(seed: UInt64, stream: String...) {
        var mixed = seed &+ 0x9E37_79B9_7F4A_7C15
        for label in stream {
            for byte in label.utf8 {
                mixed = (mixed ^ UInt64(byte)) &* 0x100_0000_01B3
            }
            mixed = SeededGenerator.mix(mixed &+ 0x9E37_79B9_7F4A_7C15)
        }
        state = mixed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SeededGenerator.mix(state)
    }

    /// A uniform value in `range`.
    public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        Double.random(in: range, using: &self)
    }

    /// A standard normal value (Box–Muller).
    public mutating func gaussian() -> Float {
        let u1 = max(Double.random(in: 0..<1, using: &self), 1e-12)
        let u2 = Double.random(in: 0..<1, using: &self)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// `count` lowercase hexadecimal digits.
    public mutating func hexString(_ count: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String((0..<count).map { _ in digits[Int(next() % 16)] })
    }

    /// A YouTube-style id: `count` characters from `[A-Za-z0-9_-]`.
    public mutating func youTubeID(_ count: Int = 11) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        return String((0..<count).map { _ in alphabet[Int(next() % 64)] })
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
