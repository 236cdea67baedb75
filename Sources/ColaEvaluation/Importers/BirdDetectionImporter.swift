/// Bird audio detection (DCASE 2018 task 3) development data, as distributed:
///
/// ```
/// ff1010bird_metadata.csv               itemid,datasetid,hasbird
/// ff1010bird_wav/wav/<itemid>.wav
/// warblrb10k_public_metadata.csv        itemid,datasetid,hasbird
/// warblrb10k_public_wav/wav/<itemid>.wav
/// ```
///
/// At least one of the two CSVs must be present. Audio is looked for in, in order,
/// `<csv stem>_wav/wav/`, `<csv stem>_wav/`, `<datasetid>/wav/`, `<datasetid>/`, `wav/`
/// (where `<csv stem>` is the CSV name without `_metadata.csv`): the first of them that holds
/// any item of the CSV; an item absent from it is skipped by ``ClipScreen``. Classes: `nobird`
/// (0), `bird` (1).
/// Items are split 80/10/10 per class by ``SourceSplit``; the task is scored as detection
/// (accuracy and average precision of `bird`).
public struct BirdDetectionImporter: TaskImporter {
    /// The metadata files looked for.
    public static let metadataFiles = ["ff1010bird_metadata.csv", "warblrb10k_public_metadata.csv"]

    /// An importer.
    public init() {}

    public func load(from folder: String, name: String) throws -> TaskData {
        let root = TaskFiles.root(of: folder, containing: Self.metadataFiles[0]) ?? TaskFiles.root(of: folder, containing: Self.metadataFiles[1])
        guard let root else {
            throw TaskImportError.missing(path: TaskFiles.join(folder, Self.metadataFiles[0]), expected: "ff1010bird_metadata.csv and/or warblrb10k_public_metadata.csv with wav folders")
        }
        var clips: [LabeledClip] = []
        for csv in Self.metadataFiles where TaskFiles.exists(TaskFiles.join(root, csv)) {
            clips += try readMetadata(TaskFiles.join(root, csv), root: root, stem: String(csv.dropLast("_metadata.csv".count)))
        }
        let split = SourceSplit.split(clips)
        return TaskData(name: name, classNames: ["nobird", "bird"], train: split.train, valid: split.valid, test: split.test, metric: .detection)
    }

    private func readMetadata(_ path: String, root: String, stem: String) throws -> [LabeledClip] {
        var items: [(item: String, datasetID: String, hasBird: Int)] = []
        for (number, line) in try TaskFiles.lines(of: path) {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if number == 1 {
                guard fields == ["itemid", "datasetid", "hasbird"] else {
                    throw TaskImportError.malformed(file: path, line: number, reason: "expected the header itemid,datasetid,hasbird, found \"\(line.prefix(80))\"")
                }
                continue
            }
            guard fields.count == 3, !fields[0].isEmpty, let hasBird = Int(fields[2]), hasBird == 0 || hasBird == 1 else {
                throw TaskImportError.malformed(file: path, line: number, reason: "expected <itemid>,<datasetid>,<0|1>, found \"\(line.prefix(80))\"")
            }
            items.append((fields[0], fields[1], hasBird))
        }
        guard let folder = items.lazy.compactMap({ findAudioFolder(root: root, stem: stem, datasetID: $0.datasetID, item: $0.item) }).first else {
            let example = items.first.map { "\($0.item).wav" } ?? "<itemid>.wav"
            throw TaskImportError.missing(path: TaskFiles.join(root, "\(stem)_wav/wav/\(example)"), expected: "the audio of \(path) (or the other documented folders)")
        }
        return items.map { LabeledClip(path: TaskFiles.join(folder, "\($0.item).wav"), label: $0.hasBird, source: "\($0.datasetID)/\($0.item)") }
    }

    private func findAudioFolder(root: String, stem: String, datasetID: String, item: String) -> String? {
        let candidates = ["\(stem)_wav/wav", "\(stem)_wav", "\(datasetID)/wav", datasetID, "wav"].map { TaskFiles.join(root, $0) }
        return candidates.first { TaskFiles.exists(TaskFiles.join($0, "\(item).wav")) }
    }
}
