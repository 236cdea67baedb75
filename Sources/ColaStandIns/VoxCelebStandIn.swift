/// VoxCeleb1 stand-in for speaker identification, in the release layout:
///
/// ```
/// wav/id1xxxx/<video id>/<nnnnn>.wav    16 kHz, 16-bit mono
/// iden_split.txt                        "<1|2|3> id1xxxx/<video id>/<nnnnn>.wav"
/// ```
///
/// Each video is a session with its own background (packaged ambience) and channel; a speaker's
/// last video is the test split, the one before it validation (when there are three or more).
struct VoxCelebStandIn: Sendable {
    func build(in context: StandInContext) throws {
        let speakerCount = context.size.pick(4, 20, 50)
        let videos = context.size.pick(2, 4, 5)
        let clipsPerVideo = context.size.pick(2, 3, 4)
        let speakers = SpeakerRoster.voxceleb(seed: context.seed, count: speakerCount)
        let backgrounds = context.library.ambience.keys.sorted().flatMap { context.library.ambience[$0]! }
        var random = context.generator("sessions")
        var sentences = UniqueSentences()
        var videoIDsPlan: [[String]] = []
        var conditionsPlan: [[RecordingCondition]] = []
        var textsPlan: [[[String]]] = []
        for _ in 0..<speakerCount {
            videoIDsPlan.append((0..<videos).map { _ in random.youTubeID() })
            conditionsPlan.append((0..<videos).map { _ in RecordingCondition.draw(using: &random, backgrounds: backgrounds, noisy: true) })
            textsPlan.append((0..<videos).map { _ in (0..<clipsPerVideo).map { _ in sentences.next(language: "en", wordCount: 5...10, using: &random) } })
        }
        let videoIDs = videoIDsPlan
        let conditions = conditionsPlan
        let texts = textsPlan
        let perSpeaker = videos * clipsPerVideo
        var splitLines: [String] = []
        for index in 0..<(speakerCount * perSpeaker) {
            let (speaker, video, clip) = (index / perSpeaker, (index % perSpeaker) / clipsPerVideo, index % clipsPerVideo)
            let split = video == videos - 1 ? 3 : (video == videos - 2 && videos >= 3 ? 2 : 1)
            splitLines.append("\(split) \(Self.path(speaker, videoIDs[speaker][video], clip))\n")
        }
        try context.forEach(speakerCount * perSpeaker, "clips") { index in
            let (speaker, video, clip) = (index / perSpeaker, (index % perSpeaker) / clipsPerVideo, index % clipsPerVideo)
            var item = context.generator("clip", "\(index)")
            let voice = try context.speech.speak(
                texts[speaker][video][clip], speaker: speakers[speaker],
                pitchJitter: Int.random(in: -3...3, using: &item), speedJitter: Int.random(in: -15...15, using: &item))
            let audio = try conditions[speaker][video].apply(to: voice, pad: 0.2, recordings: context.recordings, using: &item)
            try context.write(audio, to: "wav/\(Self.path(speaker, videoIDs[speaker][video], clip))")
        }
        try context.writeText(splitLines.joined(), to: "iden_split.txt")
    }

    static func path(_ speaker: Int, _ video: String, _ clip: Int) -> String {
        let number = String(clip + 1)
        return "id\(10001 + speaker)/\(video)/\(String(repeating: "0", count: 5 - number.count))\(number).wav"
    }
}
