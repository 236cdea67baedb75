/// TUT Urban Acoustic Scenes 2018 stand-in, in the development set's layout:
///
/// ```
/// TUT-urban-acoustic-scenes-2018-development/audio/<scene>-<city>-<location>-<segment>-a.wav
/// TUT-urban-acoustic-scenes-2018-development/meta.csv                          (tab-separated)
/// TUT-urban-acoustic-scenes-2018-development/evaluation_setup/fold1_train.csv, fold1_evaluate.csv
/// ```
///
/// Scenes are the ambience classes of the packaged recordings; a clip is a 10 s segment cut at a
/// random point of one long recording (looped when shorter), with its own level, colouring and
/// faint events. Recordings are split between fold-1 train and evaluate, so no recording is heard
/// in both. Clips are 48 kHz stereo as in the real set, a third at 44.1 kHz.
struct UrbanScenesStandIn: Sendable {
    static let scenes = ["desert", "forest_day", "night", "rain"]
    static let cities = ["barcelona", "helsinki", "lisbon", "london", "lyon", "milan", "paris", "prague", "stockholm", "vienna"]
    static let root = "TUT-urban-acoustic-scenes-2018-development"

    func build(in context: StandInContext) throws {
        let perClass = context.size.pick(3, 40, 250)
        var random = context.generator("plan")
        var clipsPlan: [(scene: String, recording: PackagedRecording, identifier: String, test: Bool, file: String)] = []
        for scene in Self.scenes {
            let recordings = context.library.ambience[scene] ?? []
            let testCount = max(1, recordings.count / 3)
            for index in 0..<perClass {
                let test = index % 4 == 3 || (index == perClass - 1 && perClass < 4)
                let which = test ? index % testCount : testCount + index % (recordings.count - testCount)
                let city = Self.cities[which % Self.cities.count]
                let identifier = "\(city)-\(Self.scenes.firstIndex(of: scene)! * 10 + which)"
                let file = "audio/\(scene)-\(identifier)-\(index)-a.wav"
                clipsPlan.append((scene, recordings[which], identifier, test, file))
            }
        }
        let clips = clipsPlan
        let effects = context.library.effects.shuffled(using: &random)
        try context.forEach(clips.count, "clips") { index in
            let entry = clips[index]
            var clip = context.generator("clip", "\(index)")
            let recording = try context.recordings.waveform(entry.recording)
            let length = 10 * Waveform.rate
            var audio = recording.looped(toCount: length, from: Int(clip.next() % UInt64(max(recording.samples.count, 1))))
            let level = Float(clip.uniform(0.02...0.1))
            audio = audio.scaled(toRMS: level)
            audio = audio.adding(Waveform.pinkNoise(count: length, level: level * Float(clip.uniform(0.05...0.4)), using: &clip))
            for _ in 0..<Int.random(in: 0...2, using: &clip) where !effects.isEmpty {
                let event = try context.recordings.waveform(effects[Int(clip.next() % UInt64(effects.count))]).trimmed()
                audio = audio.adding(event.segment(from: 0, count: min(event.samples.count, 2 * Waveform.rate)).scaled(toRMS: level * 0.5),
                                     at: Int.random(in: 0...(length / 2), using: &clip))
            }
            let encoding = ClipEncoding(sampleRate: index % 3 == 2 ? 44_100 : 48_000, channels: 2)
            try context.write(audio.lowPassed(cutoff: clip.uniform(3000...7800)), to: "\(Self.root)/\(entry.file)", encoding: encoding)
        }
        let header = "filename\tscene_label\n"
        var meta = "filename\tscene_label\tidentifier\tsource_label\n"
        for entry in clips { meta += "\(entry.file)\t\(entry.scene)\t\(entry.identifier)\ta\n" }
        try context.writeText(meta, to: "\(Self.root)/meta.csv")
        try context.writeText(header + clips.filter { !$0.test }.map { "\($0.file)\t\($0.scene)\n" }.joined(), to: "\(Self.root)/evaluation_setup/fold1_train.csv")
        try context.writeText(header + clips.filter(\.test).map { "\($0.file)\t\($0.scene)\n" }.joined(), to: "\(Self.root)/evaluation_setup/fold1_evaluate.csv")
    }
}
