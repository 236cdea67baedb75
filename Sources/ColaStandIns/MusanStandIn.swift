import ColaCore
import Foundation

/// MUSAN stand-in (music / speech / noise), in the corpus layout:
///
/// ```
/// music/<collection>/music-<collection>-<nnnn>.wav   fluidsynth pieces, packaged music
/// speech/<collection>/speech-<collection>-<nnnn>.wav espeak-ng read speech, six languages
/// noise/<collection>/noise-<collection>-<nnnn>.wav   packaged effects, synthetic noise
/// <folder>/<collection>/ANNOTATIONS
/// ```
///
/// The importer splits files at random, so every file is its own source: each speech file has its
/// own speaker, each packaged recording feeds at most one file, each piece of music is new.
struct MusanStandIn: Sendable {
    func build(in context: StandInContext) throws {
        let perClass = context.size.pick(4, 60, 350)
        let seconds = context.size.pick(3, 6, 6)
        let length = seconds * Waveform.rate
        let library = context.library
        let fonts = Soundfont.installed()
        var random = context.generator("plan")
        let packagedMusic = library.music.shuffled(using: &random)
        let packagedNoise = (library.effects + library.animals + library.drums).shuffled(using: &random)
        let languages = Vocabulary.voxforgeLanguages
        var speakers: [SyntheticSpeaker] = []
        var taken: Set<String> = []
        for index in 0..<perClass {
            let language = languages[index % languages.count]
            let speaker = SyntheticSpeaker.draw(1, voices: Vocabulary.voices[language]!, excluding: taken, using: &random)[0]
            taken.insert(speaker.distinctnessKey)
            speakers.append(speaker)
        }
        var sentences = UniqueSentences()
        let texts = (0..<perClass).map { index in
            (0..<2).map { _ in sentences.next(language: languages[index % languages.count], wordCount: 6...10, using: &random) }.joined(separator: ". ")
        }
        let speakerList = speakers
        var annotations: [String: [String]] = [:]
        try context.forEach(3 * perClass, "clips") { item in
            let (kind, index) = (item / perClass, item % perClass)
            var clip = context.generator("clip", "\(item)")
            switch kind {
            case 0:
                let audio: Waveform
                let collection: String
                if index % 4 == 3, index / 4 < packagedMusic.count {
                    let track = try context.recordings.waveform(packagedMusic[index / 4])
                    audio = track.looped(toCount: length, from: Int(clip.next() % UInt64(max(track.samples.count, 1))))
                    collection = "jamendo"
                } else {
                    let piece = MusicPhrase.make(seconds: Double(seconds) + 1, using: &clip)
                    audio = try context.music.render(piece, font: fonts[index % fonts.count]).segment(from: 0, count: length)
                    collection = "fma"
                }
                try context.write(audio.scaled(toRMS: Float(clip.uniform(0.05...0.2))).faded(400), to: Self.name("music", collection, index))
            case 1:
                let voice = try context.speech.speak(texts[index], speaker: speakerList[index])
                let condition = RecordingCondition.draw(using: &clip, backgrounds: [], noisy: false)
                let audio = try condition.apply(to: voice, pad: 0.2, recordings: context.recordings, using: &clip)
                let collection = languages[index % languages.count] == "en" ? "librivox" : "us-gov"
                try context.write(audio.looped(toCount: length, from: 0).faded(400), to: Self.name("speech", collection, index))
            default:
                let audio: Waveform
                let collection: String
                if index % 2 == 0, index / 2 < packagedNoise.count {
                    audio = try Self.effectTrack(packagedNoise[index / 2], length: length, context: context, using: &clip)
                    collection = "free-sound"
                } else {
                    audio = Self.syntheticNoise(length: length, using: &clip)
                    collection = "sound-bible"
                }
                try context.write(audio.faded(400), to: Self.name("noise", collection, index))
            }
        }
        for index in 0..<perClass {
            let language = languages[index % languages.count]
            let speechCollection = language == "en" ? "librivox" : "us-gov"
            let speechName = "speech-\(speechCollection)-\(LibriSpeechStandIn.fourDigits(index))"
            annotations["speech/\(speechCollection)", default: []].append("\(speechName) \(speakers[index].variant.hasPrefix("f") ? "female" : "male") \(language)\n")
        }
        for (folder, lines) in annotations { try context.writeText(lines.joined(), to: "\(folder)/ANNOTATIONS") }
        try context.writeText("Cola stand-in for MUSAN, built from espeak-ng, fluidsynth and Debian-packaged recordings.\n", to: "README")
    }

    static func name(_ kind: String, _ collection: String, _ index: Int) -> String {
        "\(kind)/\(collection)/\(kind)-\(collection)-\(LibriSpeechStandIn.fourDigits(index)).wav"
    }

    /// A packaged effect repeated at random times over a quiet noise floor.
    static func effectTrack(_ recording: PackagedRecording, length: Int, context: StandInContext, using random: inout SeededGenerator) throws -> Waveform {
        let effect = try context.recordings.waveform(recording).trimmed().scaled(toRMS: 0.1)
        var track = Waveform.pinkNoise(count: length, level: Float(random.uniform(0.002...0.02)), using: &random)
        for _ in 0..<Int.random(in: 2...5, using: &random) {
            track = track.adding(effect, at: Int.random(in: -effect.samples.count / 2...length, using: &random), gain: Float(random.uniform(0.3...1.5)))
        }
        return track
    }

    /// Coloured noise with a slow amplitude modulation (fans, traffic, surf).
    static func syntheticNoise(length: Int, using random: inout SeededGenerator) -> Waveform {
        let base = random.next() % 2 == 0
            ? Waveform.whiteNoise(count: length, level: 0.1, using: &random)
            : Waveform.pinkNoise(count: length, level: 0.1, using: &random)
        let filtered = base.lowPassed(cutoff: random.uniform(200...7000))
        let rate = random.uniform(0.05...2)
        let depth = random.uniform(0...0.8)
        let modulated = filtered.samples.enumerated().map { index, value in
            value * Float(1 - depth * 0.5 * (1 + sin(2 * Double.pi * rate * Double(index) / Double(Waveform.rate))))
        }
        return Waveform(samples: modulated).scaled(toRMS: Float(random.uniform(0.03...0.15)))
    }
}
