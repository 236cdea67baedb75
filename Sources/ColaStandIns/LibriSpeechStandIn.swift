import ColaCore

/// LibriSpeech stand-in for speaker identification, in the corpus layout:
///
/// ```
/// LibriSpeech/train-clean-100/<speaker>/<chapter>/<speaker>-<chapter>-<utt>.flac   16 kHz FLAC
/// LibriSpeech/train-clean-100/<speaker>/<chapter>/<speaker>-<chapter>.trans.txt
/// LibriSpeech/SPEAKERS.TXT
/// ```
///
/// Every utterance has its own text (no sentence is said twice in the build); each chapter has
/// its own recording condition.
struct LibriSpeechStandIn: Sendable {
    func build(in context: StandInContext) throws {
        let speakerCount = context.size.pick(4, 20, 40)
        let chapters = context.size.pick(2, 2, 3)
        let utterances = context.size.pick(5, 10, 10)
        let speakers = SpeakerRoster.librispeech(seed: context.seed, count: speakerCount)
        var random = context.generator("ids")
        let speakerIDs = Self.distinctNumbers(speakerCount, in: 19...8999, using: &random)
        let chapterIDs = Self.distinctNumbers(speakerCount * chapters, in: 100...299_999, using: &random)
        var sentences = UniqueSentences()
        var textsPlan: [[[String]]] = []
        var conditionsPlan: [[RecordingCondition]] = []
        for _ in 0..<speakerCount {
            textsPlan.append((0..<chapters).map { _ in (0..<utterances).map { _ in sentences.next(language: "en", wordCount: 6...12, using: &random) } })
            conditionsPlan.append((0..<chapters).map { _ in RecordingCondition.draw(using: &random, backgrounds: [], noisy: false) })
        }
        let texts = textsPlan
        let conditions = conditionsPlan
        let base = "LibriSpeech/train-clean-100"
        let perSpeaker = chapters * utterances
        try context.forEach(speakerCount * perSpeaker, "utterances") { index in
            let speaker = index / perSpeaker
            let chapter = (index % perSpeaker) / utterances
            let utterance = index % utterances
            var item = context.generator("utterance", "\(index)")
            let voice = try context.speech.speak(
                texts[speaker][chapter][utterance], speaker: speakers[speaker],
                pitchJitter: Int.random(in: -3...3, using: &item), speedJitter: Int.random(in: -12...12, using: &item))
            let clip = try conditions[speaker][chapter].apply(to: voice, pad: 0.3, recordings: context.recordings, using: &item)
            let (s, c) = (speakerIDs[speaker], chapterIDs[speaker * chapters + chapter])
            try context.write(clip, to: "\(base)/\(s)/\(c)/\(s)-\(c)-\(Self.fourDigits(utterance)).flac", encoding: ClipEncoding(.flac))
        }
        var speakerLines = ";ID  |SEX| SUBSET           |MINUTES| NAME\n"
        for speaker in 0..<speakerCount {
            let s = speakerIDs[speaker]
            let sex = speakers[speaker].variant.hasPrefix("f") ? "F" : "M"
            speakerLines += "\(s) | \(sex) | train-clean-100  | 1.00 | \(speakers[speaker].identifier)\n"
            for chapter in 0..<chapters {
                let c = chapterIDs[speaker * chapters + chapter]
                let lines = (0..<utterances).map { "\(s)-\(c)-\(Self.fourDigits($0)) \(texts[speaker][chapter][$0].uppercased())\n" }
                try context.writeText(lines.joined(), to: "\(base)/\(s)/\(c)/\(s)-\(c).trans.txt")
            }
        }
        try context.writeText(speakerLines, to: "LibriSpeech/SPEAKERS.TXT")
    }

    static func fourDigits(_ value: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }

    static func distinctNumbers(_ count: Int, in range: ClosedRange<Int>, using random: inout SeededGenerator) -> [Int] {
        var seen: Set<Int> = []
        var numbers: [Int] = []
        while numbers.count < count {
            let value = Int.random(in: range, using: &random)
            if seen.insert(value).inserted { numbers.append(value) }
        }
        return numbers
    }
}
