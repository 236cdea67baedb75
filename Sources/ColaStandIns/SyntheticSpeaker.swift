import ColaCore
import ColaEvaluation
import Foundation

/// A synthetic speaker: an espeak-ng voice (language/accent) with a voice variant and its own
/// pitch and speaking rate. Two speakers differ in at least one of these.
public struct SyntheticSpeaker: Sendable, Hashable {
    /// espeak-ng voice name, e.g. `en-us`, `de`, `fr-fr`.
    public let voice: String
    /// espeak-ng variant appended as `+variant`, e.g. `m3`, `f2`, `klatt`.
    public let variant: String
    /// Base pitch, 0–99 (espeak-ng `-p`).
    public let pitch: Int
    /// Base rate in words per minute (espeak-ng `-s`).
    public let speed: Int

    public init(voice: String, variant: String, pitch: Int, speed: Int) {
        self.voice = voice
        self.variant = variant
        self.pitch = pitch
        self.speed = speed
    }

    /// A stable identifier, e.g. `en-us+m3-p42-s165`.
    public var identifier: String { "\(voice)+\(variant)-p\(pitch)-s\(speed)" }

    /// espeak-ng variants that sound like people (robotic, whispering and joke variants left out).
    static let humanVariants = [
        "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5", "croak",
        "klatt", "klatt2", "klatt3", "klatt4", "klatt6", "adam", "Alex", "Alicia", "Andrea", "Andy",
        "Annie", "antonio", "aunty", "belinda", "benjamin", "boris", "caleb", "david", "Denis",
        "Diogo", "ed", "edward", "edward2", "Gene", "Gene2", "gustave", "Henrique", "Hugo", "iven",
        "iven2", "iven3", "iven4", "Jacky", "john", "kaukovalta", "Lee", "linda", "marcelo", "Marco",
        "Mario", "max", "Michael", "michel", "miguel", "Mike", "Nguyen", "pablo", "paul", "pedro",
        "quincy", "rob", "robert", "steph", "steph2", "steph3", "Storm", "zac", "anika",
        "AnxiousAndy", "grandpa", "grandma", "norbert", "sandro", "shelby", "travis", "victor",
    ]

    /// English accents espeak-ng ships.
    static let englishVoices = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-us-nyc"]

    /// `count` distinct speakers of the given voices, drawn by `generator`. Speakers are made
    /// distinct by (voice, variant, pitch band): pitch bands are 12 wide so no two speakers of
    /// one voice and variant sound alike.
    static func draw(_ count: Int, voices: [String], excluding taken: Set<String> = [], using generator: inout SeededGenerator) -> [SyntheticSpeaker] {
        var combos: [(String, String, Int)] = []
        for voice in voices {
            for variant in humanVariants {
                for band in 0..<4 { combos.append((voice, variant, band)) }
            }
        }
        combos.shuffle(using: &generator)
        var speakers: [SyntheticSpeaker] = []
        var seen = taken
        for (voice, variant, band) in combos where speakers.count < count {
            let key = "\(voice)+\(variant)#\(band)"
            guard !seen.contains(key) else { continue }
            seen.insert(key)
            let pitch = 20 + band * 15 + Int(generator.next() % 10)
            let speed = 135 + Int(generator.next() % 50)
            speakers.append(SyntheticSpeaker(voice: voice, variant: variant, pitch: pitch, speed: speed))
        }
        return speakers
    }

    /// The key ``draw(_:voices:excluding:using:)`` uses for distinctness.
    var distinctnessKey: String { "\(voice)+\(variant)#\((pitch - 20) / 15)" }
}

/// Renders text with espeak-ng as a 16 kHz waveform.
struct SpeechSynthesizer: Sendable {
    let espeak: ExternalTool
    let codec: ClipCodec

    /// `text` spoken by `speaker`, with the pitch and rate moved by `pitchJitter` / `speedJitter`
    /// (per-utterance variation of one speaker), leading and trailing silence trimmed.
    func speak(_ text: String, speaker: SyntheticSpeaker, pitchJitter: Int = 0, speedJitter: Int = 0) throws -> Waveform {
        let temporary = codec.scratch.appendingPathComponent("espeak-\(UInt64.random(in: 0...UInt64.max)).wav")
        defer { try? FileManager.default.removeItem(at: temporary) }
        try espeak.run([
            "-v", "\(speaker.voice)+\(speaker.variant)",
            "-p", "\(min(max(speaker.pitch + pitchJitter, 0), 99))",
            "-s", "\(max(speaker.speed + speedJitter, 80))",
            "-w", temporary.path, "--", text,
        ])
        return try codec.read(temporary).trimmed()
    }
}
