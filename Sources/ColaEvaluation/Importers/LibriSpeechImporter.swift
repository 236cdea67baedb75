/// LibriSpeech speaker identification, from the corpus as it unpacks:
///
/// ```
/// [LibriSpeech/]<split>/<speaker>/<chapter>/<speaker>-<chapter>-<utt>.flac
/// [LibriSpeech/]<split>/<speaker>/<chapter>/<speaker>-<chapter>.trans.txt
/// ```
///
/// Every `<split>` folder present (e.g. `train-clean-100`) contributes its speakers; the classes
/// are the speakers. Each speaker's utterances are split 80/10/10 into train/validation/test by
/// ``SourceSplit`` (utterance level, deterministic). Transcript lines must read
/// `<speaker>-<chapter>-<utt> TEXT`; an utterance a transcript names whose `.flac` is absent is
/// listed all the same and skipped by ``ClipScreen``.
public struct LibriSpeechImporter: TaskImporter {
    /// An importer.
    public init() {}

    public func load(from folder: String, name: String) throws -> TaskData {
        let root = TaskFiles.isDirectory(TaskFiles.join(folder, "LibriSpeech")) ? TaskFiles.join(folder, "LibriSpeech") : folder
        let splitFolders = TaskFiles.subfolders(root).filter { split in
            TaskFiles.subfolders(TaskFiles.join(root, split)).contains { Int($0) != nil }
        }
        guard !splitFolders.isEmpty else {
            throw TaskImportError.missing(path: TaskFiles.join(root, "<split>/<speaker>/<chapter>"), expected: "LibriSpeech split folders such as train-clean-100/")
        }
        var utterances: [(speaker: String, clip: String)] = []
        for split in splitFolders {
            let splitPath = TaskFiles.join(root, split)
            for speaker in TaskFiles.subfolders(splitPath) where Int(speaker) != nil {
                for chapter in TaskFiles.subfolders(TaskFiles.join(splitPath, speaker)) {
                    let chapterPath = TaskFiles.join(splitPath, speaker, chapter)
                    let transcribed = try transcribedFiles(TaskFiles.join(chapterPath, "\(speaker)-\(chapter).trans.txt"), prefix: "\(speaker)-\(chapter)-")
                    for file in Set(TaskFiles.audioFiles(in: chapterPath)).union(transcribed).sorted() {
                        utterances.append((speaker, TaskFiles.join(chapterPath, file)))
                    }
                }
            }
        }
        let speakers = Set(utterances.map(\.speaker)).sorted { Int($0)! < Int($1)! }
        let labels = Dictionary(uniqueKeysWithValues: speakers.enumerated().map { ($1, $0) })
        let clips = utterances.map { LabeledClip(path: $0.clip, label: labels[$0.speaker]!, source: $0.clip) }
        let split = SourceSplit.split(clips)
        return TaskData(name: name, classNames: speakers, train: split.train, valid: split.valid, test: split.test)
    }

    /// The `.flac` names a chapter's transcript lists (none when it has no transcript).
    private func transcribedFiles(_ path: String, prefix: String) throws -> [String] {
        guard TaskFiles.exists(path) else { return [] }
        var files: [String] = []
        for (number, line) in try TaskFiles.lines(of: path) {
            let id = line.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
            let utterance = id.dropFirst(prefix.count)
            guard id.hasPrefix(prefix), !utterance.isEmpty, utterance.allSatisfy(\.isNumber) else {
                throw TaskImportError.malformed(file: path, line: number, reason: "expected \(prefix)<utt> TEXT, found \"\(line.prefix(60))\"")
            }
            files.append("\(id).flac")
        }
        return files
    }
}
