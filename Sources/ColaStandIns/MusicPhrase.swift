import ColaCore

/// Short pieces of music written as MIDI: a melody, chords and a bass line in a random key,
/// scale and tempo, with drums half of the time. Every call gives a new piece.
enum MusicPhrase {
    /// Melodic General MIDI programs (percussive effects and sound effects left out).
    static let melodicPrograms = Array(0...103).filter { ![47, 55].contains($0) }

    static func make(seconds: Double, using random: inout SeededGenerator) -> MidiFile {
        let major = [0, 2, 4, 5, 7, 9, 11]
        let minor = [0, 2, 3, 5, 7, 8, 10]
        let scale = random.next() % 2 == 0 ? major : minor
        let root = Int.random(in: 48...59, using: &random)
        let beat = 60 / random.uniform(70...160)
        var midi = MidiFile()
        let pick = { (random: inout SeededGenerator) in melodicPrograms[Int(random.next() % UInt64(melodicPrograms.count))] }
        midi.programs = [0: pick(&random), 1: pick(&random), 2: [32, 33, 34, 35, 38, 39, 42, 43, 58][Int(random.next() % 9)]]
        let progression = (0..<4).map { _ in [0, 3, 4, 5, 1][Int(random.next() % 5)] }
        var time = 0.0
        var bar = 0
        while time < seconds {
            let degree = progression[bar % 4]
            for offset in [0, 2, 4] {
                let step = degree + offset
                let key = root + scale[step % 7] + 12 * (step / 7)
                midi.notes.append(.init(channel: 1, key: key, velocity: Int.random(in: 50...80, using: &random), start: time, duration: beat * 4 * 0.95))
            }
            midi.notes.append(.init(channel: 2, key: root - 12 + scale[degree % 7], velocity: 90, start: time, duration: beat * 2))
            midi.notes.append(.init(channel: 2, key: root - 12 + scale[(degree + 4) % 7], velocity: 80, start: time + beat * 2, duration: beat * 2))
            var position = 0.0
            while position < 4 {
                let length = [0.5, 1, 1, 2][Int(random.next() % 4)]
                let step = degree + Int.random(in: 0...7, using: &random)
                let key = root + 12 + scale[step % 7] + 12 * (step / 7)
                midi.notes.append(.init(channel: 0, key: key, velocity: Int.random(in: 60...110, using: &random), start: time + position * beat, duration: length * beat * 0.9))
                position += length
            }
            time += beat * 4
            bar += 1
        }
        if random.next() % 2 == 0 {
            var beatTime = 0.0
            var count = 0
            while beatTime < seconds {
                midi.notes.append(.init(channel: 9, key: count % 2 == 0 ? 36 : 38, velocity: 100, start: beatTime, duration: beat / 2))
                midi.notes.append(.init(channel: 9, key: 42, velocity: 70, start: beatTime + beat / 2, duration: beat / 4))
                beatTime += beat
                count += 1
            }
        }
        return midi
    }
}
