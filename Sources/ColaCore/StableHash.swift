/// 64-bit FNV-1a (Fowler, Noll, Vo): the same value on every machine and every run, unlike
/// Swift's `Hasher`, so splits, caches and checksums derived from it are reproducible.
///
/// Bytes and whole words can be folded in; a word is one step (not eight), as the parameter
/// checksums and checkpoint identities have always computed it.
@frozen
public struct StableHash: Sendable {
    /// The FNV-1a 64-bit offset basis.
    public static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    /// The FNV-1a 64-bit prime.
    public static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// The hash so far.
    public var value: UInt64 { state }
    @usableFromInline var state: UInt64

    /// The empty hash (the offset basis).
    @inlinable
    public init() {
        state = Self.offsetBasis
    }

    /// Folds in one byte.
    @inlinable
    public mutating func combine(_ byte: UInt8) {
        state = (state ^ UInt64(byte)) &* Self.prime
    }

    /// Folds in a whole word in one step.
    @inlinable
    public mutating func combine(word: UInt64) {
        state = (state ^ word) &* Self.prime
    }

    /// Folds in every byte of `bytes`.
    @inlinable
    public mutating func combine<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
        for byte in bytes { combine(byte) }
    }

    /// ``value`` as 16 lowercase hexadecimal digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The hash of `text`'s UTF-8 bytes.
    public static func of(_ text: String) -> UInt64 {
        var hash = StableHash()
        hash.combine(bytes: text.utf8)
        return hash.value
    }

    /// ``of(_:)`` as 16 lowercase hexadecimal digits.
    public static func hex(_ text: String) -> String {
        var hash = StableHash()
        hash.combine(bytes: text.utf8)
        return hash.hex
    }
}
