/// VoxCeleb1 speaker identification, as distributed:
///
/// ```
/// iden_split.txt                       "<1|2|3> <speaker>/<video>/<clip>.wav" per line
/// wav/<speaker>/<video>/<clip>.wav     (both the dev and test archives unpacked into wav/)
/// ```
///
/// 1 = train, 2 = validation, 3 = test; the classes are the speakers (1,251 in the full set).
public struct VoxCelebImporter: TaskImporter {
    /// An importer.
    public init() {}

    public func load(from folder: String, name: String) throws -> TaskData {
        guard let root = TaskFiles.root(of: folder, containing: "iden_split.txt") else {
            throw TaskImportError.missing(path: TaskFiles.join(folder, "iden_split.txt"), expected: "VoxCeleb1 iden_split.txt and wav/")
        }
        let listPath = TaskFiles.join(root, "iden_split.txt")
        var entries: [(split: Int, speaker: String, video: String, path: String)] = []
        for (number, line) in try TaskFiles.lines(of: listPath) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            let parts = fields.count == 2 ? fields[1].split(separator: "/") : []
            guard fields.count == 2, let split = Int(fields[0]), (1...3).contains(split), parts.count == 3, TaskFiles.isAudio(String(fields[1])) else {
                throw TaskImportError.malformed(file: listPath, line: number, reason: "expected \"<1|2|3> <speaker>/<video>/<clip>.wav\", found \"\(line.prefix(80))\"")
            }
            let path = TaskFiles.join(root, "wav", String(fields[1]))
            entries.append((split, String(parts[0]), String(parts[1]), path))
        }
        let speakers = Set(entries.map(\.speaker)).sorted()
        let labels = Dictionary(uniqueKeysWithValues: speakers.enumerated().map { ($1, $0) })
        var splits: [[LabeledClip]] = [[], [], []]
        for entry in entries {
            splits[entry.split - 1].append(LabeledClip(path: entry.path, label: labels[entry.speaker]!, source: "\(entry.speaker)/\(entry.video)"))
        }
        return TaskData(name: name, classNames: speakers, train: splits[0], valid: splits[1], test: splits[2])
    }
}
