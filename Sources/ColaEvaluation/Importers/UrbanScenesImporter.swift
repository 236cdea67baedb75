/// TUT Urban Acoustic Scenes 2018 (DCASE 2018 task 1A) development set, as it unpacks:
///
/// ```
/// [TUT-urban-acoustic-scenes-2018-development/]
///   meta.csv                          filename<TAB>scene_label<TAB>identifier<TAB>source_label
///   audio/<scene>-<city>-<id>-<n>-a.wav
///   evaluation_setup/fold1_train.csv      filename<TAB>scene_label
///   evaluation_setup/fold1_evaluate.csv   filename<TAB>scene_label
/// ```
///
/// A first line starting with `filename` is a header. Train and test come from fold 1; the
/// validation split is carved from train by recording location (`identifier` in meta.csv).
public struct UrbanScenesImporter: TaskImporter {
    /// An importer.
    public init() {}

    public func load(from folder: String, name: String) throws -> TaskData {
        guard let root = TaskFiles.root(of: folder, containing: "meta.csv") else {
            throw TaskImportError.missing(path: TaskFiles.join(folder, "meta.csv"), expected: "TUT Urban Acoustic Scenes 2018 meta.csv and evaluation_setup/")
        }
        let metaPath = TaskFiles.join(root, "meta.csv")
        var identifiers: [String: String] = [:]
        for (number, line) in try TaskFiles.lines(of: metaPath) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if number == 1, fields.first == "filename" { continue }
            guard fields.count >= 3, TaskFiles.isAudio(fields[0]), !fields[1].isEmpty, !fields[2].isEmpty else {
                throw TaskImportError.malformed(file: metaPath, line: number, reason: "expected filename<TAB>scene_label<TAB>identifier[<TAB>source_label], found \"\(line.prefix(80))\"")
            }
            identifiers[fields[0]] = fields[2]
        }
        let setup = TaskFiles.join(root, "evaluation_setup")
        let train = try readFold(TaskFiles.join(setup, "fold1_train.csv"), root: root, identifiers: identifiers)
        let test = try readFold(TaskFiles.join(setup, "fold1_evaluate.csv"), root: root, identifiers: identifiers)
        let scenes = Set(train.map(\.scene)).sorted()
        let labels = Dictionary(uniqueKeysWithValues: scenes.enumerated().map { ($1, $0) })
        var testClips: [LabeledClip] = []
        for entry in test {
            guard let label = labels[entry.scene] else {
                throw TaskImportError.malformed(file: entry.file, line: entry.line, reason: "scene \(entry.scene) does not occur in fold1_train.csv")
            }
            testClips.append(LabeledClip(path: entry.path, label: label, source: entry.source))
        }
        let trainClips = train.map { LabeledClip(path: $0.path, label: labels[$0.scene]!, source: $0.source) }
        return TaskData(name: name, classNames: scenes, train: trainClips, valid: [], test: testClips)
    }

    private struct FoldEntry {
        var path: String
        var scene: String
        var source: String
        var file: String
        var line: Int
    }

    private func readFold(_ path: String, root: String, identifiers: [String: String]) throws -> [FoldEntry] {
        guard TaskFiles.exists(path) else {
            throw TaskImportError.missing(path: path, expected: "TUT evaluation_setup fold file")
        }
        var entries: [FoldEntry] = []
        for (number, line) in try TaskFiles.lines(of: path) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if number == 1, fields.first == "filename" { continue }
            guard fields.count >= 2, TaskFiles.isAudio(fields[0]), !fields[1].isEmpty else {
                throw TaskImportError.malformed(file: path, line: number, reason: "expected filename<TAB>scene_label, found \"\(line.prefix(80))\"")
            }
            guard let identifier = identifiers[fields[0]] else {
                throw TaskImportError.malformed(file: path, line: number, reason: "\(fields[0]) is not listed in meta.csv")
            }
            let audio = TaskFiles.join(root, fields[0])
            entries.append(FoldEntry(path: audio, scene: fields[1], source: identifier, file: path, line: number))
        }
        return entries
    }
}
