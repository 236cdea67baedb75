import Foundation

/// NSynth stand-in for instrument-family classification, in the release layout:
///
/// ```
/// nsynth-{train,valid,test}/examples.json              {"<note_str>": {...}, ...}
/// nsynth-{train,valid,test}/audio/<note_str>.wav       4 s, 16 kHz, 16-bit mono
/// ```
///
/// An instrument is a General MIDI program in one soundfont; programs are grouped into NSynth's 11
/// families. As in NSynth, splits are by instrument: no instrument (so no program+note of one
/// soundfont) appears in two splits. A note is held 3 s and released for 1 s.
struct NSynthStandIn: Sendable {
    /// An instrument: a soundfont program in an NSynth family.
    struct Instrument: Sendable {
        let font: Soundfont
        let program: Int
        let family: Int
        let source: Int
        let name: String
        let index: Int
    }

    static let families = ["bass", "brass", "flute", "guitar", "keyboard", "mallet", "organ", "reed", "string", "synth_lead", "vocal"]
    static let sources = ["acoustic", "electronic", "synthetic"]

    /// General MIDI programs (0-based) per family, and each family's playable MIDI key range.
    static let programs: [(programs: [Int], keys: ClosedRange<Int>)] = [
        (Array(32...39), 28...55), (Array(56...63), 45...80), (Array(72...79), 60...96),
        (Array(24...31), 40...76), (Array(0...7), 36...96), (Array(8...15), 60...96),
        (Array(16...23), 36...84), (Array(64...71), 50...84), (Array(40...46) + Array(48...51), 40...84),
        ([80, 81, 82, 83, 84, 86, 87], 48...84), ([52, 53, 54, 85], 48...79),
    ]

    static let velocities = [25, 50, 75, 100, 127]

    /// NSynth's source for a program: synthesizer programs are synthetic, electric ones electronic.
    static func source(of program: Int) -> Int {
        if [38, 39, 50, 51, 54, 62, 63].contains(program) || (80...87).contains(program) { return 2 }
        if [4, 5, 16, 17, 18, 26, 27, 28, 29, 30, 31, 33, 34].contains(program) { return 1 }
        return 0
    }

    func build(in context: StandInContext) throws {
        let installed = Soundfont.installed()
        // tiny loads only the smallest soundfont: fluidsynth start-up dominates its build time.
        let fonts = context.size == .tiny ? Array(installed.suffix(1)) : installed
        guard !fonts.isEmpty else { throw StandInError.sourceMissing(path: Soundfont.fluidR3.path, package: Soundfont.fluidR3.package) }
        let perFamily = context.size.pick(3, 100, 100)
        let notesPerInstrument = context.size.pick(2, 8, 12)
        var random = context.generator("instruments")
        var splits: [[Instrument]] = [[], [], []]
        var counter: [String: Int] = [:]
        for (family, entry) in Self.programs.enumerated() {
            var candidates = fonts.flatMap { font in entry.programs.map { (font, $0) } }
            candidates.shuffle(using: &random)
            candidates = Array(candidates.prefix(perFamily))
            let testCount = max(1, Int((Double(candidates.count) * 0.2).rounded()))
            let validCount = candidates.count >= 5 ? max(1, candidates.count / 10) : 0
            for (position, (font, program)) in candidates.enumerated() {
                let source = Self.source(of: program)
                let key = "\(Self.families[family])_\(Self.sources[source])"
                let number = counter[key, default: 0]
                counter[key] = number + 1
                let instrument = Instrument(
                    font: font, program: program, family: family, source: source,
                    name: "\(key)_\(Self.threeDigits(number))", index: splits.reduce(0) { $0 + $1.count })
                let split = position < testCount ? 2 : (position < testCount + validCount ? 1 : 0)
                splits[split].append(instrument)
            }
        }
        let all = splits.enumerated().flatMap { split, list in list.map { (split, $0) } }
        let splitNames = ["train", "valid", "test"]
        let metadata = MetadataCollector()
        try context.forEach(all.count, "instruments") { index in
            let (split, instrument) = all[index]
            var item = context.generator("notes", instrument.name)
            let range = Self.programs[instrument.family].keys
            var notes: [(key: Int, velocity: Int)] = []
            var used: Set<String> = []
            while notes.count < notesPerInstrument {
                let note = (Int.random(in: range, using: &item), Self.velocities[Int(item.next() % 5)])
                if used.insert("\(note.0)-\(note.1)").inserted { notes.append(note) }
            }
            var midi = MidiFile(programs: [0: instrument.program])
            for (position, note) in notes.enumerated() {
                midi.notes.append(.init(channel: 0, key: note.key, velocity: note.velocity, start: Double(position) * 5 + 0.5, duration: 3))
            }
            let rendered = try context.music.render(midi, font: instrument.font, gain: 0.8)
            for (position, note) in notes.enumerated() {
                let start = Int((Double(position) * 5 + 0.5) * Double(Waveform.rate))
                let clip = rendered.segment(from: start, count: 4 * Waveform.rate)
                let noteName = "\(instrument.name)-\(Self.threeDigits(note.key))-\(Self.threeDigits(note.velocity))"
                try context.write(clip, to: "nsynth-\(splitNames[split])/audio/\(noteName).wav")
                metadata.add(split: split, name: noteName, entry: [
                    "note": instrument.index * 1000 + position, "note_str": noteName, "instrument": instrument.index,
                    "instrument_str": instrument.name, "pitch": note.key, "velocity": note.velocity, "sample_rate": Waveform.rate,
                    "qualities": [Int](repeating: 0, count: 10), "qualities_str": [String](),
                    "instrument_family": instrument.family, "instrument_family_str": Self.families[instrument.family],
                    "instrument_source": instrument.source, "instrument_source_str": Self.sources[instrument.source],
                ])
            }
        }
        for (split, name) in splitNames.enumerated() {
            let data = try JSONSerialization.data(withJSONObject: metadata.entries(split: split), options: [.sortedKeys])
            try context.writeText(String(decoding: data, as: UTF8.self), to: "nsynth-\(name)/examples.json")
        }
    }

    static func threeDigits(_ value: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, 3 - text.count)) + text
    }
}

/// examples.json entries collected from worker threads.
private final class MetadataCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var bySplit: [[String: [String: Any]]] = [[:], [:], [:]]

    func add(split: Int, name: String, entry: [String: Any]) {
        lock.lock()
        bySplit[split][name] = entry
        lock.unlock()
    }

    func entries(split: Int) -> [String: [String: Any]] {
        lock.lock()
        defer { lock.unlock() }
        return bySplit[split]
    }
}
