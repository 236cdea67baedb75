import ColaCore
import ColaEvaluation
import Foundation

/// A recording shipped in a Debian package, with the package it comes from.
public struct PackagedRecording: Sendable, Hashable {
    /// Absolute path of the file.
    public let path: String
    /// The Debian package that installs it.
    public let package: String

    /// The file name without folder and extension, e.g. `night`.
    public var stem: String { URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent }
}

/// The packaged recordings the stand-ins draw environment, animal and music sounds from, sorted
/// by kind. Copies of one recording under several names (the megaglest tilesets share files)
/// are listed once, so "different file" always means "different recording".
public struct SoundLibrary: Sendable {
    /// Long ambience recordings by scene class (megaglest-data tilesets).
    public let ambience: [String: [PackagedRecording]]
    /// Bird calls (megaglest-data, sonic-pi-samples).
    public let birdCalls: [PackagedRecording]
    /// Other animals (wolf, cow, sheep, horse): non-bird events.
    public let animals: [PackagedRecording]
    /// Short sound effects: impacts, water, tools, glitches (megaglest-data, sonic-pi-samples).
    public let effects: [PackagedRecording]
    /// Music recordings (megaglest-data soundtracks, sonic-pi-samples loops).
    public let music: [PackagedRecording]
    /// Drum hits (hydrogen-data kits, sonic-pi-samples).
    public let drums: [PackagedRecording]

    static let megaglest = "/usr/share/games/megaglest"
    static let sonicPi = "/usr/share/sonic-pi/samples"
    static let hydrogen = "/usr/share/hydrogen/data/drumkits"

    /// The Debian packages whose recordings are used.
    public static let packages = ["megaglest-data", "sonic-pi-samples", "hydrogen-data"]

    /// Scene classes and the megaglest tileset files (one copy of each recording) behind them.
    static let sceneFiles: [String: [String]] = [
        "forest_day": ["birch_forest/sounds/day.ogg", "forest/sounds/day.ogg", "fernland/sounds/day.ogg", "spring/sounds/day.ogg", "autumn/sounds/sunny_day.ogg"],
        "night": ["birch_forest/sounds/night.ogg", "forest/sounds/night.ogg", "fernland/sounds/night.ogg", "mediterran/sounds/night.ogg", "autumn/sounds/nightime.ogg", "desert2/sounds/night.ogg"],
        "rain": ["birch_forest/sounds/rain.ogg", "autumn/sounds/rain.ogg", "desert2/sounds/rain.wav", "forest/sounds/rain.ogg"],
        "desert": ["mediterran/sounds/desertday.ogg", "desert2/sounds/day.ogg"],
    ]

    /// Scans the installed packages; throws naming the package when one is missing.
    public static func scan() throws -> SoundLibrary {
        let tilesets = "\(megaglest)/tilesets"
        var ambience: [String: [PackagedRecording]] = [:]
        for (scene, files) in sceneFiles {
            ambience[scene] = try files.map { try require("\(tilesets)/\($0)", package: "megaglest-data") }
        }
        ambience["wind"] = [try require("\(tilesets)/winter/sounds/wind.ogg", package: "megaglest-data")]
        ambience["fire"] = [try require("\(tilesets)/hell/sounds/hell.ogg", package: "megaglest-data")]

        let sounds = try listFiles(under: "\(megaglest)/techs", package: "megaglest-data", extensions: ["wav", "ogg"])
        let birdCalls = try [
            "\(tilesets)/desert2/sounds/hawk.ogg", "\(tilesets)/autumn/sounds/owl.ogg", "\(tilesets)/autumn/sounds/rooster.ogg",
            "\(tilesets)/forest/sounds/chicken.wav",
        ].map { try require($0, package: "megaglest-data") }
            + sounds.filter { $0.path.contains("thunderbird/sounds/eagle") }
            + [try require("\(sonicPi)/misc_crow.flac", package: "sonic-pi-samples")]
        let animals = try [
            "\(tilesets)/forest/sounds/wolf.wav", "\(tilesets)/desert2/sounds/wolf.wav", "\(tilesets)/pine_peat/sounds/mudchute_cow_1.ogg",
        ].map { try require($0, package: "megaglest-data") }
            + sounds.filter { ["cow_", "sheep", "horseman_walk"].contains(where: $0.stem.hasPrefix) }
        let effectWords = ["attack", "die", "hit", "walk", "build", "explosion", "fire", "arrow", "magic", "hammer"]
        let speechLike = ["ack", "select"]
        let gameEffects = sounds.filter { recording in
            let stem = recording.stem.lowercased()
            return effectWords.contains(where: stem.contains) && !speechLike.contains(where: stem.contains)
                && !recording.path.contains("/music/") && !stem.hasPrefix("cow") && !stem.hasPrefix("sheep")
        }
        let water = try listFiles(under: "\(megaglest)/data/core/water_sounds", package: "megaglest-data", extensions: ["wav"])
        let sonic = try listFiles(under: sonicPi, package: "sonic-pi-samples", extensions: ["flac"])
        let sonicEffects = sonic.filter { ["perc_", "misc_", "vinyl_", "glitch_", "elec_", "ambi_"].contains(where: $0.stem.hasPrefix) && $0.stem != "misc_crow" }
        let music = try listFiles(under: megaglest, package: "megaglest-data", extensions: ["ogg"]).filter { $0.path.contains("/music/") }
            + sonic.filter { $0.stem.hasPrefix("loop_") || $0.stem.hasPrefix("guit_") }
        let drums = try listFiles(under: hydrogen, package: "hydrogen-data", extensions: ["flac", "wav"])
            + sonic.filter { ["bd_", "drum_", "sn_", "tabla_"].contains(where: $0.stem.hasPrefix) }
        return SoundLibrary(
            ambience: ambience, birdCalls: birdCalls, animals: animals,
            effects: gameEffects + water + sonicEffects, music: music, drums: drums)
    }

    private static func require(_ path: String, package: String) throws -> PackagedRecording {
        guard FileManager.default.fileExists(atPath: path) else { throw StandInError.sourceMissing(path: path, package: package) }
        return PackagedRecording(path: path, package: package)
    }

    /// Files under `folder` with one of `extensions`, sorted by path, one per distinct content.
    private static func listFiles(under folder: String, package: String, extensions: Set<String>) throws -> [PackagedRecording] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else {
            throw StandInError.sourceMissing(path: folder, package: package)
        }
        var paths: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if extensions.contains(URL(fileURLWithPath: relative).pathExtension.lowercased()) { paths.append("\(folder)/\(relative)") }
        }
        var seen: Set<UInt64> = []
        return paths.sorted().compactMap { path in
            guard let key = fingerprint(path), seen.insert(key).inserted else { return nil }
            return PackagedRecording(path: path, package: package)
        }
    }

    /// Size and the first 8 KiB hashed: equal for copies, different for distinct recordings.
    private static func fingerprint(_ path: String) -> UInt64? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: 0)
        let head = (try? handle.read(upToCount: 8192)) ?? Data()
        var hash = StableHash()
        hash.combine(bytes: head)
        return hash.value ^ (size &* SeededGenerator.golden)
    }
}

/// Decoded packaged recordings, each decoded once per build and shared between worker threads.
final class RecordingCache: @unchecked Sendable {
    private let codec: ClipCodec
    private let lock = NSLock()
    private var decoded: [String: Waveform] = [:]

    init(codec: ClipCodec) { self.codec = codec }

    /// `recording` as a 16 kHz mono waveform.
    func waveform(_ recording: PackagedRecording) throws -> Waveform {
        lock.lock()
        if let cached = decoded[recording.path] {
            lock.unlock()
            return cached
        }
        lock.unlock()
        let waveform = try codec.read(URL(fileURLWithPath: recording.path))
        lock.lock()
        decoded[recording.path] = waveform
        lock.unlock()
        return waveform
    }
}
