/// SplitMix64 (Steele, Lea, Flood 2014): Cola's one seeded random generator. Its whole state is
/// one word, so every random choice (initialization, drop-connect, sample order, crops, noise,
/// probe folds, stand-in synthesis) is re-derived from its key instead of carried along.
///
/// The constructors differ only in how a key becomes the first state; each is fixed by the files
/// it has produced (checkpoints, stand-ins, caches), so none may change:
/// ```
/// var a = SeededGenerator(state: 7)                         // the raw sequence from state 7
/// var b = SeededGenerator.stream(seed: 1, stream: 3)        // model initialization, drop-connect
/// var c = SeededGenerator.keyed(seed: 1, 0x4352_4F50, 2)    // data order, crops, noise
/// var d = SeededGenerator.labelled(seed: 1, "voxforge", "de") // stand-in synthesis
/// ```
@frozen
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    @usableFromInline var state: UInt64

    /// The Weyl increment, 2⁶⁴ / φ.
    public static let golden: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The generator whose first output is `mix(state + golden)`.
    @inlinable
    public init(state: UInt64) {
        self.state = state
    }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= Self.golden
        return Self.mix(state)
    }

    /// SplitMix64's output function (Stafford's "Mix13" variant of the MurmurHash3 finalizer): a
    /// bijection on 64-bit words that spreads every input bit over the output.
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SeededGenerator {
    /// Stream `stream` of `seed`, decorrelated from the other streams (parameter initialization
    /// per tensor, drop-connect masks per step).
    public static func stream(seed: UInt64, stream: UInt64) -> SeededGenerator {
        var generator = SeededGenerator(state: seed ^ (stream &* golden) ^ 0xD1B5_4A32_D192_ED03)
        _ = generator.next()
        return generator
    }

    /// A generator keyed on `seed` and `parts` (a purpose tag, an epoch, an item index…), each part
    /// mixed in turn: the data pipeline's sample order, crops and noise.
    public static func keyed(seed: UInt64, _ parts: UInt64...) -> SeededGenerator {
        var state = mix(seed ^ golden)
        for part in parts {
            state = mix(state ^ mix(part &+ 0x632B_E59B_D9B4_E019))
        }
        return SeededGenerator(state: state)
    }

    /// A generator for `seed` under text labels (task, speaker, item…), each label's bytes folded
    /// in with FNV-1a steps and then mixed: stand-in synthesis, where choices are named.
    public static func labelled(seed: UInt64, _ labels: String...) -> SeededGenerator {
        var mixed = seed &+ golden
        for label in labels {
            for byte in label.utf8 {
                mixed = (mixed ^ UInt64(byte)) &* StableHash.prime
            }
            mixed = mix(mixed &+ golden)
        }
        return SeededGenerator(state: mixed)
    }

    /// One seed from three words (e.g. run seed, step, rank), for per-step streams.
    public static func combine(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
        mix(a &+ b &* golden &+ c &* 0xD1B5_4A32_D192_ED03)
    }
}

extension SeededGenerator {
    /// A uniform integer in `0 ..< bound` (multiply-shift; bias below 2⁻³² for bounds < 2³²).
    @inlinable
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "SeededGenerator.below: bound \(bound) must be positive")
        return Int(UInt64(bound).multipliedFullWidth(by: next()).high)
    }

    /// Uniform in [0, 1), 24 random bits.
    @inlinable
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) / Float(1 << 24)
    }

    /// Uniform in (0, 1], 24 random bits: safe under a logarithm.
    @inlinable
    public mutating func unitInterval() -> Float {
        Float((next() >> 40) + 1) * (1 / Float(1 << 24))
    }

    /// Uniform in [0, 1), 53 random bits.
    @inlinable
    public mutating func nextUniformDouble() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }
}
