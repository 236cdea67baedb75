import ColaCore

/// VoxForge stand-in for language identification: one folder per language, one submission
/// (a speaker session) per sub-folder, as the VoxForge archives unpack:
///
/// ```
/// <language>/<user>-<yyyymmdd>-<xyz>/wav/<language>-<nnnn>.wav
/// <language>/<user>-<yyyymmdd>-<xyz>/etc/PROMPTS, etc/README
/// ```
///
/// Each submission is a different synthetic speaker of that language (accents of one language
/// count), so submissions never share a voice. As in the real corpus, rates differ between
/// submissions (16 kHz, 48 kHz, 22.05 kHz).
struct VoxForgeStandIn: Sendable {
    func build(in context: StandInContext) throws {
        let submissions = context.size.pick(3, 12, 30)
        let clips = context.size.pick(2, 5, 6)
        let languages = Vocabulary.voxforgeLanguages
        var random = context.generator("submissions")
        var sentences = UniqueSentences()
        var speakersPlan: [[SyntheticSpeaker]] = []
        var namesPlan: [[String]] = []
        var textsPlan: [[[String]]] = []
        for language in languages {
            speakersPlan.append(SyntheticSpeaker.draw(submissions, voices: Vocabulary.voices[language]!, using: &random))
            namesPlan.append((0..<submissions).map { _ in Self.submissionName(using: &random) })
            textsPlan.append((0..<submissions).map { _ in (0..<clips).map { _ in sentences.next(language: language, wordCount: 4...9, using: &random) } })
        }
        let speakers = speakersPlan
        let names = namesPlan
        let texts = textsPlan
        let encodings = [ClipEncoding.wav16k, ClipEncoding(sampleRate: 48_000), ClipEncoding(sampleRate: 22_050)]
        let perLanguage = submissions * clips
        try context.forEach(languages.count * perLanguage, "clips") { index in
            let (language, submission, clip) = (index / perLanguage, (index % perLanguage) / clips, index % clips)
            var item = context.generator("clip", "\(index)")
            let voice = try context.speech.speak(
                texts[language][submission][clip], speaker: speakers[language][submission],
                pitchJitter: Int.random(in: -3...3, using: &item), speedJitter: Int.random(in: -10...10, using: &item))
            let condition = RecordingCondition.draw(using: &item, backgrounds: [], noisy: false)
            let audio = try condition.apply(to: voice, pad: 0.25, recordings: context.recordings, using: &item)
            let code = languages[language]
            try context.write(
                audio, to: "\(code)/\(names[language][submission])/wav/\(code)-\(LibriSpeechStandIn.fourDigits(clip + 1)).wav",
                encoding: encodings[submission % encodings.count])
        }
        for (language, code) in languages.enumerated() {
            for submission in 0..<submissions {
                let name = names[language][submission]
                let prompts = (0..<clips).map { "\(name)/mfc/\(code)-\(LibriSpeechStandIn.fourDigits($0 + 1)) \(texts[language][submission][$0].uppercased())\n" }
                try context.writeText(prompts.joined(), to: "\(code)/\(name)/etc/PROMPTS")
                let speaker = speakers[language][submission]
                try context.writeText(
                    "User Name:\(name.split(separator: "-")[0])\n\nSpeaker Characteristics:\n\nGender: \(speaker.variant.hasPrefix("f") ? "Female" : "Male")\nLanguage: \(code.uppercased())\nPronunciation dialect: \(speaker.voice)\n\nSynthesizer: espeak-ng \(speaker.identifier)\n",
                    to: "\(code)/\(name)/etc/README")
            }
        }
    }

    static func submissionName(using random: inout SeededGenerator) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let user = String((0..<Int.random(in: 4...9, using: &random)).map { _ in letters[Int(random.next() % 26)] })
        let date = "20\(Int.random(in: 10...19, using: &random))\(twoDigits(Int.random(in: 1...12, using: &random)))\(twoDigits(Int.random(in: 1...28, using: &random)))"
        let suffix = String((0..<3).map { _ in letters[Int(random.next() % 26)] })
        return "\(user)-\(date)-\(suffix)"
    }

    static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
