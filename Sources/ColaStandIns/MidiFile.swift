/// A Standard MIDI File (format 0, one track) built from timed notes: what the generator feeds
/// fluidsynth. Time is in seconds; the file uses 120 BPM and 480 ticks per beat (960 ticks/s).
struct MidiFile: Sendable {
    /// One note on `channel` (9 is General MIDI percussion).
    struct Note: Sendable {
        var channel: Int
        var key: Int
        var velocity: Int
        var start: Double
        var duration: Double
    }

    /// General MIDI program (0–127) per channel, sent at time 0.
    var programs: [Int: Int] = [:]
    var notes: [Note] = []

    private static let ticksPerSecond = 960.0

    /// The file's bytes.
    func encoded() -> [UInt8] {
        var events: [(tick: Int, order: Int, bytes: [UInt8])] = []
        for (channel, program) in programs.sorted(by: { $0.key < $1.key }) {
            events.append((0, 0, [UInt8(0xC0 | channel), UInt8(program & 0x7F)]))
        }
        for note in notes {
            let on = Int((note.start * MidiFile.ticksPerSecond).rounded())
            let off = Int(((note.start + note.duration) * MidiFile.ticksPerSecond).rounded())
            let key = UInt8(min(max(note.key, 0), 127))
            events.append((on, 2, [UInt8(0x90 | note.channel), key, UInt8(min(max(note.velocity, 1), 127))]))
            events.append((off, 1, [UInt8(0x80 | note.channel), key, 0]))
        }
        events.sort { ($0.tick, $0.order) < ($1.tick, $1.order) }
        var track: [UInt8] = [0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20]
        var previous = 0
        for event in events {
            track += MidiFile.variableLength(event.tick - previous) + event.bytes
            previous = event.tick
        }
        track += MidiFile.variableLength(960) + [0xFF, 0x2F, 0x00]
        var file: [UInt8] = Array("MThd".utf8) + [0, 0, 0, 6, 0, 0, 0, 1, 0x01, 0xE0]
        file += Array("MTrk".utf8) + MidiFile.bigEndian32(track.count) + track
        return file
    }

    private static func variableLength(_ value: Int) -> [UInt8] {
        var remaining = max(value, 0)
        var bytes = [UInt8(remaining & 0x7F)]
        remaining >>= 7
        while remaining > 0 {
            bytes.insert(UInt8(0x80 | (remaining & 0x7F)), at: 0)
            remaining >>= 7
        }
        return bytes
    }

    private static func bigEndian32(_ value: Int) -> [UInt8] {
        [UInt8((value >> 24) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
