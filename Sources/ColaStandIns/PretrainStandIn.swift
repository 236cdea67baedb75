import Foundation

/// AudioSet-style pretraining corpus: a segment CSV as AudioSet ships it, its label index, and
/// one 10 s file per segment named after the (made-up) YouTube id:
///
/// ```
/// segments.csv                 3 "#" header lines, then YTID, start_seconds, end_seconds, "labels"
/// class_labels_indices.csv     index,mid,display_name: the AudioSet labels used, in AudioSet's
///                              order, numbered 0… (readers map ids through this file)
/// audio/<YTID>.wav | .flac     10 s; mostly 16 kHz mono WAV, some 44.1 kHz stereo FLAC, some 22.05 kHz
/// ```
///
/// Clips mix every source family: speech in six languages, fluidsynth music, packaged music and
/// drums, bird calls in ambience, ambience alone, effects, and speech over music or ambience.
struct PretrainStandIn: Sendable {
    /// The AudioSet labels used, with their indices in AudioSet's own class_labels_indices.csv
    /// (the written file keeps this order but numbers them from 0, as readers expect).
    static let labels: [(index: Int, mid: String, name: String)] = [
        (0, "/m/09x0r", "Speech"), (1, "/m/05zppz", "Male speech, man speaking"), (2, "/m/02zsn", "Female speech, woman speaking"),
        (72, "/m/0jbk", "Animal"), (74, "/m/0bt9lr", "Dog"), (99, "/m/09b5t", "Chicken, rooster"), (111, "/m/015p6", "Bird"),
        (112, "/m/020bb7", "Bird vocalization, bird call, bird song"), (137, "/m/04rlf", "Music"), (138, "/m/04szw", "Musical instrument"),
        (161, "/m/0l14md", "Percussion"), (162, "/m/02hnl", "Drum kit"), (164, "/m/026t6", "Drum"), (283, "/m/03m9d0z", "Wind"),
        (288, "/m/0838f", "Water"), (289, "/m/06mb1", "Rain"), (298, "/m/02_41", "Fire"), (127, "/m/09xqv", "Cricket"),
        (504, "/m/0c1dj", "Sound effect"), (510, "/t/dd00129", "Outside, rural or natural"), (513, "/m/096m7z", "Noise"),
        (514, "/m/06_y0by", "Environmental noise"), (520, "/m/0chx_", "White noise"), (521, "/m/0cj0r", "Pink noise"),
    ]

    static let ambienceLabels: [String: [String]] = [
        "forest_day": ["/t/dd00129", "/m/06_y0by"], "night": ["/m/09xqv", "/t/dd00129"], "rain": ["/m/06mb1", "/m/06_y0by"],
        "desert": ["/m/03m9d0z", "/m/06_y0by"], "wind": ["/m/03m9d0z", "/m/06_y0by"], "fire": ["/m/02_41", "/m/06_y0by"],
    ]

    enum Kind: CaseIterable { case speech, music, packagedMusic, birds, ambience, effects, speechOverBackground, noise }

    func build(in context: StandInContext) throws {
        let count = context.size.pick(12, 300, 3_700)
        var random = context.generator("segments")
        var idsPlan: [String] = []
        var seen: Set<String> = []
        while idsPlan.count < count {
            let id = random.youTubeID()
            if seen.insert(id).inserted { idsPlan.append(id) }
        }
        let ids = idsPlan
        let starts = ids.map { _ in Double(Int.random(in: 0...30, using: &random)) }
        let scenes = context.library.ambience.keys.sorted()
        let species = (0..<32).map { _ in BirdCallSynthesizer(species: &random) }
        let fonts = Soundfont.installed()
        let rows = RowCollector(count: count)
        try context.forEach(count, "segments") { index in
            var clip = context.generator("segment", ids[index])
            let kind = Kind.allCases[index % Kind.allCases.count]
            let length = 10 * Waveform.rate
            var labels: [String] = []
            var audio: Waveform
            switch kind {
            case .speech, .speechOverBackground:
                let language = Vocabulary.voxforgeLanguages[Int(clip.next() % 6)]
                let speaker = SyntheticSpeaker.draw(1, voices: Vocabulary.voices[language]!, using: &clip)[0]
                var sentences = UniqueSentences()
                let text = (0..<3).map { _ in sentences.next(language: language, wordCount: 6...10, using: &clip) }.joined(separator: ". ")
                audio = try context.speech.speak(text, speaker: speaker).looped(toCount: length, from: 0).scaled(toRMS: 0.1)
                labels = ["/m/09x0r", speaker.variant.hasPrefix("f") ? "/m/02zsn" : "/m/05zppz"]
                if kind == .speechOverBackground {
                    let scene = scenes[Int(clip.next() % UInt64(scenes.count))]
                    let recordings = context.library.ambience[scene]!
                    let bed = try context.recordings.waveform(recordings[Int(clip.next() % UInt64(recordings.count))])
                    audio = audio.adding(bed.looped(toCount: length, from: Int(clip.next() % UInt64(max(bed.samples.count, 1)))).scaled(toRMS: Float(clip.uniform(0.01...0.06))))
                    labels += Self.ambienceLabels[scene]!
                }
            case .music:
                let piece = MusicPhrase.make(seconds: 11, using: &clip)
                audio = try context.music.render(piece, font: fonts[index % fonts.count]).segment(from: 0, count: length).scaled(toRMS: 0.1)
                labels = ["/m/04rlf", "/m/04szw"] + (piece.notes.contains { $0.channel == 9 } ? ["/m/026t6"] : [])
            case .packagedMusic:
                let useDrums = clip.next() % 3 == 0
                let list = useDrums ? context.library.drums : context.library.music
                let recording = try context.recordings.waveform(list[Int(clip.next() % UInt64(list.count))])
                if useDrums {
                    audio = Waveform(silence: length)
                    var position = 0
                    let step = Int(clip.uniform(0.2...0.6) * Double(Waveform.rate))
                    while position < length {
                        audio = audio.adding(recording, at: position, gain: Float(clip.uniform(0.5...1)))
                        position += step
                    }
                    labels = ["/m/04rlf", "/m/0l14md", "/m/026t6"]
                } else {
                    audio = recording.looped(toCount: length, from: Int(clip.next() % UInt64(max(recording.samples.count, 1))))
                    labels = ["/m/04rlf"]
                }
                audio = audio.scaled(toRMS: 0.1)
            case .birds, .ambience:
                let scene = scenes[Int(clip.next() % UInt64(scenes.count))]
                let recordings = context.library.ambience[scene]!
                let bed = try context.recordings.waveform(recordings[Int(clip.next() % UInt64(recordings.count))])
                audio = bed.looped(toCount: length, from: Int(clip.next() % UInt64(max(bed.samples.count, 1)))).scaled(toRMS: 0.05)
                labels = Self.ambienceLabels[scene]!
                if kind == .birds {
                    for _ in 0..<Int.random(in: 2...5, using: &clip) {
                        let call: Waveform
                        if clip.next() % 3 == 0 {
                            call = try context.recordings.waveform(context.library.birdCalls[Int(clip.next() % UInt64(context.library.birdCalls.count))]).trimmed()
                        } else {
                            call = species[Int(clip.next() % UInt64(species.count))].phrase(using: &clip)
                        }
                        audio = audio.adding(call.segment(from: 0, count: min(call.samples.count, 3 * Waveform.rate)).scaled(toRMS: 0.08),
                                             at: Int.random(in: 0...(length - 1), using: &clip))
                    }
                    labels = ["/m/0jbk", "/m/015p6", "/m/020bb7"] + labels
                }
            case .effects:
                let recording = context.library.effects[Int(clip.next() % UInt64(context.library.effects.count))]
                audio = try MusanStandIn.effectTrack(recording, length: length, context: context, using: &clip)
                labels = ["/m/0c1dj"]
            case .noise:
                let white = clip.next() % 2 == 0
                audio = white
                    ? Waveform.whiteNoise(count: length, level: Float(clip.uniform(0.01...0.1)), using: &clip)
                    : Waveform.pinkNoise(count: length, level: Float(clip.uniform(0.01...0.1)), using: &clip)
                labels = ["/m/096m7z", white ? "/m/0chx_" : "/m/0cj0r"]
            }
            let encoding: ClipEncoding
            switch index % 10 {
            case 3, 8: encoding = ClipEncoding(.flac, sampleRate: 44_100, channels: 2)
            case 5: encoding = ClipEncoding(sampleRate: 22_050)
            default: encoding = .wav16k
            }
            try context.write(audio.faded(160), to: "audio/\(ids[index]).\(encoding.fileExtension)", encoding: encoding)
            rows.set(index, "\(ids[index]), \(Int(starts[index])).000, \(Int(starts[index]) + 10).000, \"\(labels.joined(separator: ","))\"\n", labels: labels)
        }
        let header = """
            # Segments csv created by cola data standins (seed \(context.seed))
            # num_ytids=\(count), num_segs=\(count), num_unique_labels=\(Set(rows.labels.joined()).count), num_positive_labels=\(rows.labels.joined().count)
            # YTID, start_seconds, end_seconds, positive_labels

            """
        try context.writeText(header + rows.all.joined(), to: "segments.csv")
        let index = Self.labels.sorted { $0.index < $1.index }.enumerated().map { "\($0.offset),\($0.element.mid),\"\($0.element.name)\"\n" }
        try context.writeText("index,mid,display_name\n" + index.joined(), to: "class_labels_indices.csv")
    }
}

/// Segment rows written by worker threads, kept in segment order.
private final class RowCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var rows: [String]
    private var rowLabels: [[String]]

    init(count: Int) {
        rows = [String](repeating: "", count: count)
        rowLabels = [[String]](repeating: [], count: count)
    }

    func set(_ index: Int, _ row: String, labels: [String]) {
        lock.lock()
        rows[index] = row
        rowLabels[index] = labels
        lock.unlock()
    }

    var labels: [[String]] { lock.lock(); defer { lock.unlock() }; return rowLabels }

    var all: [String] { lock.lock(); defer { lock.unlock() }; return rows }
}
