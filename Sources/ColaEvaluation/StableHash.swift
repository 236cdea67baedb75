/// A 64-bit FNV-1a hash of a string's UTF-8 bytes: the same on every machine and every run,
/// unlike `Hasher`, so splits and caches derived from it are reproducible.
public enum StableHash {
    /// The FNV-1a hash of `text`.
    public static func of(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// `of(text)` as 16 lowercase hex digits.
    public static func hex(_ text: String) -> String {
        let value = String(of(text), radix: 16)
        return String(repeating: "0", count: 16 - value.count) + value
    }
}
