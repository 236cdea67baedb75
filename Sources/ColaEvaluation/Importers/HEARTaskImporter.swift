import Foundation

/// A task in the HEAR 2021 layout, as hear-preprocess writes it and hear-eval-kit reads it:
///
/// ```
/// task_metadata.json         embedding_type "scene", prediction_type "multiclass" | "multilabel",
///                            split_mode "trainvaltest" | "new_split_kfold" | "presplit_kfold",
///                            splits, nfolds, task_name, sample_duration, …
/// labelvocabulary.csv        idx,label (optional: without it the classes are the labels, sorted)
/// <split>.json               {"<file>.wav": ["<label>", …], …}, one per split
/// 16000/<split>/<file>.wav   the audio: 16000/ when present, else the lowest rate above, else the highest
/// ```
///
/// `trainvaltest` tasks read `train`, `test` and (when listed and present) `valid`. K-fold tasks
/// are scored on hear-eval-kit's first data split (`data_splits_from_folds`): the first fold
/// (sorted) is test, the second validation, the others train; hear-eval-kit reports the mean
/// over all k such rotations, Cola this first one. Multiclass tasks are scored by accuracy,
/// multilabel ones by mAP (``TaskMetric/multilabel``). Each file is its own source. Files the
/// JSON names are not checked here: a missing one is skipped by ``ClipScreen``.
public struct HEARTaskImporter: TaskImporter {
    /// The file that marks a HEAR task folder.
    public static let metadataFile = "task_metadata.json"
    /// The audio sample rate read when the task has it.
    public static let preferredSampleRate = 16_000

    /// An importer.
    public init() {}

    /// Whether `folder` holds a HEAR task (its `task_metadata.json`).
    public static func isHEARTask(_ folder: String) -> Bool {
        TaskFiles.exists(TaskFiles.join(folder, metadataFile))
    }

    /// Whether `folder` holds a HEAR task Cola can score (a scene task).
    public static func isSceneTask(_ folder: String) -> Bool {
        (try? HEARTaskMetadata(path: TaskFiles.join(folder, metadataFile))) != nil
    }

    public func load(from folder: String, name: String) throws -> TaskData {
        let metadataPath = TaskFiles.join(folder, Self.metadataFile)
        let metadata = try HEARTaskMetadata(path: metadataPath)
        let audioFolder = try Self.audioFolder(in: folder)
        var labelled: [String: [(file: String, labels: [String])]] = [:]
        for split in metadata.splits {
            let path = TaskFiles.join(folder, "\(split).json")
            guard TaskFiles.exists(path) else {
                if split == "valid" && metadata.splitMode == .trainValTest { continue }
                throw TaskImportError.malformed(file: metadataPath, line: 0, reason: "lists the split \(split), but \(path) is not there")
            }
            labelled[split] = try Self.readSplit(path, prediction: metadata.prediction)
        }
        let classNames = try Self.classNames(folder: folder, labelled: labelled)
        let index = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, $0) })
        func clips(_ split: String) throws -> [LabeledClip] {
            try (labelled[split] ?? []).map { entry in
                let labels = try entry.labels.map { label in
                    guard let value = index[label] else {
                        throw TaskImportError.malformed(file: TaskFiles.join(folder, "\(split).json"), line: 0, reason: "\"\(entry.file)\": label \"\(label)\" is not in labelvocabulary.csv")
                    }
                    return value
                }
                let path = TaskFiles.join(audioFolder, split, entry.file)
                return metadata.prediction == .multilabel
                    ? LabeledClip(path: path, labels: labels, source: entry.file)
                    : LabeledClip(path: path, label: labels[0], source: entry.file)
            }
        }
        let (train, valid, test) = try Self.dataSplit(metadata, metadataPath: metadataPath)
        return TaskData(
            name: name, classNames: classNames,
            train: try train.flatMap(clips), valid: try valid.flatMap(clips), test: try test.flatMap(clips),
            metric: metadata.prediction == .multilabel ? .multilabel : .accuracy)
    }

    /// The split names that make train, validation and test: the task's own, or for k folds
    /// hear-eval-kit's first rotation (test = first fold, validation = second, train = the rest).
    static func dataSplit(_ metadata: HEARTaskMetadata, metadataPath: String) throws -> (train: [String], valid: [String], test: [String]) {
        guard metadata.splitMode != .trainValTest else { return (["train"], ["valid"], ["test"]) }
        let folds = metadata.splits.sorted()
        guard folds.count >= 3 else {
            throw TaskImportError.malformed(file: metadataPath, line: 0, reason: "\(folds.count) folds; k-fold tasks need at least 3 (test, validation, train)")
        }
        return (Array(folds.dropFirst(2)), [folds[1]], [folds[0]])
    }

    /// `<folder>/16000`, else the sample-rate folder nearest above 16 kHz, else the highest below.
    static func audioFolder(in folder: String) throws -> String {
        let rates = TaskFiles.subfolders(folder).compactMap(Int.init)
        let above = rates.filter { $0 >= preferredSampleRate }.min()
        guard let rate = above ?? rates.max() else {
            throw TaskImportError.missing(path: TaskFiles.join(folder, "\(preferredSampleRate)"), expected: "the audio in <sample rate>/<split>/, e.g. 16000/train/")
        }
        return TaskFiles.join(folder, "\(rate)")
    }

    /// The entries of `<split>.json`: file name and labels (exactly one for multiclass), in file-name order.
    static func readSplit(_ path: String, prediction: HEARTaskMetadata.Prediction) throws -> [(file: String, labels: [String])] {
        guard let data = FileManager.default.contents(atPath: path),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw TaskImportError.malformed(file: path, line: 0, reason: "expected a JSON object {\"<file>.wav\": [\"<label>\", …]}")
        }
        return try object.keys.sorted().map { file in
            guard let labels = object[file] as? [String] else {
                throw TaskImportError.malformed(file: path, line: 0, reason: "\"\(file)\": expected a list of label strings, found \(object[file].map { "\($0)" } ?? "null")")
            }
            guard prediction == .multilabel || labels.count == 1 else {
                throw TaskImportError.malformed(file: path, line: 0, reason: "\"\(file)\": a multiclass task needs exactly one label, found \(labels.count)")
            }
            return (file, labels)
        }
    }

    /// The classes: `labelvocabulary.csv` in `idx` order, else every label of every split, sorted.
    static func classNames(folder: String, labelled: [String: [(file: String, labels: [String])]]) throws -> [String] {
        let vocabulary = TaskFiles.join(folder, "labelvocabulary.csv")
        guard TaskFiles.exists(vocabulary) else {
            return Set(labelled.values.flatMap { $0.flatMap(\.labels) }).sorted()
        }
        var rows: [(index: Int, label: String)] = []
        for (number, line) in try TaskFiles.lines(of: vocabulary) {
            if number == 1, line == "idx,label" { continue }
            guard let comma = line.firstIndex(of: ","), let index = Int(line[..<comma]) else {
                throw TaskImportError.malformed(file: vocabulary, line: number, reason: "expected <idx>,<label>, found \"\(line.prefix(80))\"")
            }
            rows.append((index, unquoted(String(line[line.index(after: comma)...]))))
        }
        return rows.sorted { $0.index < $1.index }.map(\.label)
    }

    /// A CSV field without its quotes (`"a, b"` → `a, b`, `""` inside → `"`).
    private static func unquoted(_ field: String) -> String {
        guard field.count >= 2, field.hasPrefix("\""), field.hasSuffix("\"") else { return field }
        return String(field.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
    }
}
