import ColaCore

/// English speakers shared out between the two speaker-identification stand-ins: LibriSpeech
/// takes the first half of one seeded roster, VoxCeleb the second, so the tasks never share a
/// speaker.
enum SpeakerRoster {
    /// Speakers per half; more than either task uses at `full` size.
    static let half = 200

    static func english(seed: UInt64) -> [SyntheticSpeaker] {
        var generator = SeededGenerator.labelled(seed: seed, "english-speaker-roster")
        return SyntheticSpeaker.draw(2 * half, voices: SyntheticSpeaker.englishVoices, using: &generator)
    }

    static func librispeech(seed: UInt64, count: Int) -> [SyntheticSpeaker] { Array(english(seed: seed).prefix(min(count, half))) }

    static func voxceleb(seed: UInt64, count: Int) -> [SyntheticSpeaker] { Array(english(seed: seed).dropFirst(half).prefix(min(count, half))) }
}

/// A recording condition (room, microphone, distance) applied to every clip of one session:
/// a chapter, a video or a submission.
struct RecordingCondition: Sendable {
    let lowPassCutoff: Double
    let noiseLevel: Float
    let speechLevel: Float
    let background: PackagedRecording?

    static func draw(using random: inout SeededGenerator, backgrounds: [PackagedRecording], noisy: Bool) -> RecordingCondition {
        RecordingCondition(
            lowPassCutoff: random.uniform(2500...7800),
            noiseLevel: Float(random.uniform(noisy ? 0.01...0.04 : 0.001...0.006)),
            speechLevel: Float(random.uniform(0.05...0.15)),
            background: noisy && !backgrounds.isEmpty ? backgrounds[Int(random.next() % UInt64(backgrounds.count))] : nil)
    }

    /// `speech` as heard in this condition, with `pad` seconds of room tone on either side.
    func apply(to speech: Waveform, pad: Double, recordings: RecordingCache, using random: inout SeededGenerator) throws -> Waveform {
        let padding = Int(pad * Double(Waveform.rate))
        let length = speech.samples.count + 2 * padding
        var bed = Waveform.pinkNoise(count: length, level: noiseLevel * 0.4, using: &random)
        if let background {
            let ambience = try recordings.waveform(background)
            let start = Int(random.next() % UInt64(max(ambience.samples.count, 1)))
            bed = bed.adding(ambience.looped(toCount: length, from: start).scaled(toRMS: noiseLevel))
        }
        return bed.adding(speech.scaled(toRMS: speechLevel), at: padding).lowPassed(cutoff: lowPassCutoff)
    }
}
