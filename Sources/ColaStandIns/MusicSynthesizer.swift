import ColaEvaluation
import Foundation

/// A General MIDI soundfont from a Debian package.
public struct Soundfont: Sendable, Hashable {
    /// Short name used in instrument ids (`fluidr3`, `timgm`).
    public let name: String
    public let path: String
    public let package: String

    /// FluidR3 GM (fluid-soundfont-gm, MIT).
    public static let fluidR3 = Soundfont(name: "fluidr3", path: "/usr/share/sounds/sf2/FluidR3_GM.sf2", package: "fluid-soundfont-gm")
    /// TimGM6mb (timgm6mb-soundfont, GPL-2).
    public static let timGM = Soundfont(name: "timgm", path: "/usr/share/sounds/sf2/TimGM6mb.sf2", package: "timgm6mb-soundfont")

    /// The soundfonts that are installed, FluidR3 first.
    static func installed() -> [Soundfont] {
        [fluidR3, timGM].filter { FileManager.default.fileExists(atPath: $0.path) }
    }
}

/// Renders MIDI with fluidsynth (reverb and chorus off, so a note is its instrument only).
struct MusicSynthesizer: Sendable {
    let fluidsynth: ExternalTool
    let codec: ClipCodec

    /// `midi` played with `font`, as a 16 kHz mono waveform.
    func render(_ midi: MidiFile, font: Soundfont, gain: Double = 0.5) throws -> Waveform {
        let stem = codec.scratch.appendingPathComponent("fluid-\(UUID().uuidString)")
        let midiPath = stem.appendingPathExtension("mid")
        let wavePath = stem.appendingPathExtension("wav")
        defer {
            try? FileManager.default.removeItem(at: midiPath)
            try? FileManager.default.removeItem(at: wavePath)
        }
        try Data(midi.encoded()).write(to: midiPath)
        try fluidsynth.run([
            "-ni", "-q", "-r", "\(Waveform.rate)", "-g", "\(gain)", "-T", "wav", "-O", "float",
            "-o", "synth.reverb.active=0", "-o", "synth.chorus.active=0", "-o", "synth.cpu-cores=1",
            "-F", wavePath.path, font.path, midiPath.path,
        ])
        return try codec.read(wavePath)
    }
}
