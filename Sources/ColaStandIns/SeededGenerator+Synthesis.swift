import ColaCore
import Foundation

/// The draws stand-in synthesis makes beyond uniform integers.
extension SeededGenerator {
    /// A uniform value in `range`.
    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        Double.random(in: range, using: &self)
    }

    /// A standard normal value (Box–Muller).
    mutating func gaussian() -> Float {
        let u1 = max(Double.random(in: 0..<1, using: &self), 1e-12)
        let u2 = Double.random(in: 0..<1, using: &self)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// `count` lowercase hexadecimal digits.
    mutating func hexString(_ count: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String((0..<count).map { _ in digits[Int(next() % 16)] })
    }

    /// A YouTube-style id: `count` characters from `[A-Za-z0-9_-]`.
    mutating func youTubeID(_ count: Int = 11) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        return String((0..<count).map { _ in alphabet[Int(next() % 64)] })
    }
}
