import Foundation

/// NSynth instrument-family classification, as the three archives unpack:
///
/// ```
/// nsynth-train/examples.json    {"<note_str>": {"instrument_family": 0, "instrument_family_str": "bass", ...}, ...}
/// nsynth-train/audio/<note_str>.wav
/// nsynth-valid/...              (optional; validation carved from train when absent)
/// nsynth-test/...
/// ```
///
/// The 11 classes are the instrument families in NSynth's index order. The source of a note is
/// its instrument (`instrument_str`, else the note name without pitch and velocity).
public struct NSynthImporter: TaskImporter {
    /// The instrument families, indexed by `instrument_family`.
    public static let families = ["bass", "brass", "flute", "guitar", "keyboard", "mallet", "organ", "reed", "string", "synth_lead", "vocal"]

    /// An importer.
    public init() {}

    public func load(from folder: String, name: String) throws -> TaskData {
        var splits: [[LabeledClip]] = [[], [], []]
        for (index, split) in ["train", "valid", "test"].enumerated() {
            let splitPath = TaskFiles.join(folder, "nsynth-\(split)")
            let metadata = TaskFiles.join(splitPath, "examples.json")
            guard TaskFiles.exists(metadata) else {
                if split == "valid" { continue }
                throw TaskImportError.missing(path: metadata, expected: "NSynth nsynth-\(split)/examples.json and audio/")
            }
            splits[index] = try readExamples(metadata, audioFolder: TaskFiles.join(splitPath, "audio"))
        }
        return TaskData(name: name, classNames: Self.families, train: splits[0], valid: splits[1], test: splits[2])
    }

    private func readExamples(_ path: String, audioFolder: String) throws -> [LabeledClip] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TaskImportError.missing(path: path, expected: "a readable examples.json")
        }
        let text = String(decoding: data, as: UTF8.self)
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data)
        } catch {
            let offset = ((error as NSError).userInfo["NSJSONSerializationErrorIndex"] as? Int) ?? 0
            throw TaskImportError.malformed(file: path, line: Self.line(ofOffset: offset, in: text), reason: "not valid JSON")
        }
        guard let examples = parsed as? [String: Any] else {
            throw TaskImportError.malformed(file: path, line: 1, reason: "expected an object of note name → attributes")
        }
        var clips: [LabeledClip] = []
        for note in examples.keys.sorted() {
            let attributes = examples[note] as? [String: Any]
            guard let family = attributes?["instrument_family"] as? Int, Self.families.indices.contains(family) else {
                throw TaskImportError.malformed(file: path, line: Self.line(ofKey: note, in: text), reason: "note \(note): instrument_family missing or not in 0...10")
            }
            if let familyName = attributes?["instrument_family_str"] as? String, familyName != Self.families[family] {
                throw TaskImportError.malformed(file: path, line: Self.line(ofKey: note, in: text), reason: "note \(note): instrument_family \(family) is \(Self.families[family]), but instrument_family_str says \(familyName)")
            }
            let audio = TaskFiles.join(audioFolder, "\(note).wav")
            guard TaskFiles.exists(audio) else {
                throw TaskImportError.malformed(file: path, line: Self.line(ofKey: note, in: text), reason: "note \(note): \(audio) does not exist")
            }
            let instrument = attributes?["instrument_str"] as? String ?? note.split(separator: "-").dropLast(2).joined(separator: "-")
            clips.append(LabeledClip(path: audio, label: family, source: instrument))
        }
        return clips
    }

    static func line(ofOffset offset: Int, in text: String) -> Int {
        1 + text.utf8.prefix(offset).reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }

    static func line(ofKey key: String, in text: String) -> Int {
        guard let range = text.range(of: "\"\(key)\"") else { return 1 }
        return line(ofOffset: text.utf8.distance(from: text.startIndex, to: range.lowerBound), in: text)
    }
}
