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
/// (where `<csv stem>` is the CSV name without `_metadata.csv`). Classes: `nobird` (0), `bird` (1).
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
        var clips: [LabeledClip] = []
        var audioFolder: String?
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
            let folder = audioFolder ?? findAudioFolder(root: root, stem: stem, datasetID: fields[1], item: fields[0])
            guard let folder else {
                throw TaskImportError.malformed(file: path, line: number, reason: "no audio for item \(fields[0]): looked for \(TaskFiles.join(root, "\(stem)_wav/wav/\(fields[0]).wav")) and the other documented folders")
            }
            audioFolder = folder
            let audio = TaskFiles.join(folder, "\(fields[0]).wav")
            try TaskFiles.requireListed(audio, file: path, line: number)
            clips.append(LabeledClip(path: audio, label: hasBird, source: "\(fields[1])/\(fields[0])"))
        }
        return clips
    }

    private func findAudioFolder(root: String, stem: String, datasetID: String, item: String) -> String? {
        let candidates = ["\(stem)_wav/wav", "\(stem)_wav", "\(datasetID)/wav", datasetID, "wav"].map { TaskFiles.join(root, $0) }
        return candidates.first { TaskFiles.exists(TaskFiles.join($0, "\(item).wav")) }
    }
}
