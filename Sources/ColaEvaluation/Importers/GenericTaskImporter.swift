/// Any other task, in one of two layouts:
///
/// ```
/// train.tsv, test.tsv [, valid.tsv]     <path><TAB><label> per line, paths relative to the task folder
///                                       (an optional first line "path<TAB>label" is a header)
/// ```
/// or class sub-folders:
/// ```
/// train/<class>/*.wav, test/<class>/*.wav [, valid/<class>/*.wav]
/// <class>/*.wav                         (no split folders: files split 80/10/10 per class)
/// ```
///
/// The classes are the train labels, sorted; a test or validation label unseen in train is an
/// error. Each file is its own source. Files the TSVs name are not checked here: a missing one
/// is skipped by ``ClipScreen`` like an undecodable one.
public struct GenericTaskImporter: TaskImporter {
    /// An importer.
    public init() {}

    /// Whether `folder` holds a TSV-layout task (`train.tsv` and `test.tsv`).
    public static func isTSVTask(_ folder: String) -> Bool {
        TaskFiles.exists(TaskFiles.join(folder, "train.tsv")) && TaskFiles.exists(TaskFiles.join(folder, "test.tsv"))
    }

    public func load(from folder: String, name: String) throws -> TaskData {
        if Self.isTSVTask(folder) {
            return try loadTSV(folder, name: name)
        }
        let folders = TaskFiles.subfolders(folder)
        guard !folders.isEmpty else {
            throw TaskImportError.missing(path: TaskFiles.join(folder, "train.tsv"), expected: "train.tsv + test.tsv, or class sub-folders")
        }
        if folders.contains("train") && folders.contains("test") {
            return try loadSplitFolders(folder, name: name)
        }
        var rows: [(path: String, label: String)] = []
        for label in folders {
            rows += TaskFiles.audioFilesRecursively(in: TaskFiles.join(folder, label)).map { (TaskFiles.join(folder, label, $0), label) }
        }
        let classes = Set(rows.map(\.label)).sorted()
        let clips = rows.map { LabeledClip(path: $0.path, label: classes.firstIndex(of: $0.label)!, source: $0.path) }
        let split = SourceSplit.split(clips)
        return TaskData(name: name, classNames: classes, train: split.train, valid: split.valid, test: split.test)
    }

    private struct Row {
        var path: String
        var label: String
        var file: String
        var line: Int
    }

    private func loadTSV(_ folder: String, name: String) throws -> TaskData {
        let train = try readTSV(TaskFiles.join(folder, "train.tsv"), folder: folder)
        let validPath = TaskFiles.join(folder, "valid.tsv")
        let valid = TaskFiles.exists(validPath) ? try readTSV(validPath, folder: folder) : []
        let test = try readTSV(TaskFiles.join(folder, "test.tsv"), folder: folder)
        return try assemble(name: name, train: train, valid: valid, test: test)
    }

    private func loadSplitFolders(_ folder: String, name: String) throws -> TaskData {
        func rows(_ split: String) -> [Row] {
            let splitPath = TaskFiles.join(folder, split)
            return TaskFiles.subfolders(splitPath).flatMap { label in
                TaskFiles.audioFilesRecursively(in: TaskFiles.join(splitPath, label)).map {
                    Row(path: TaskFiles.join(splitPath, label, $0), label: label, file: TaskFiles.join(splitPath, label), line: 0)
                }
            }
        }
        return try assemble(name: name, train: rows("train"), valid: rows("valid"), test: rows("test"))
    }

    private func assemble(name: String, train: [Row], valid: [Row], test: [Row]) throws -> TaskData {
        let classes = Set(train.map(\.label)).sorted()
        guard !classes.isEmpty else {
            throw TaskImportError.empty(task: name, reason: "no train clips")
        }
        let labels = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        func clips(_ rows: [Row]) throws -> [LabeledClip] {
            try rows.map { row in
                guard let label = labels[row.label] else {
                    throw TaskImportError.malformed(file: row.file, line: row.line, reason: "label \(row.label) does not occur in train")
                }
                return LabeledClip(path: row.path, label: label, source: row.path)
            }
        }
        return TaskData(name: name, classNames: classes, train: try clips(train), valid: try clips(valid), test: try clips(test))
    }

    private func readTSV(_ path: String, folder: String) throws -> [Row] {
        var rows: [Row] = []
        for (number, line) in try TaskFiles.lines(of: path) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if number == 1, fields == ["path", "label"] { continue }
            guard fields.count == 2, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw TaskImportError.malformed(file: path, line: number, reason: "expected <path><TAB><label>, found \"\(line.prefix(80))\"")
            }
            let audio = fields[0].hasPrefix("/") ? fields[0] : TaskFiles.join(folder, fields[0])
            rows.append(Row(path: audio, label: fields[1], file: path, line: number))
        }
        return rows
    }
}
