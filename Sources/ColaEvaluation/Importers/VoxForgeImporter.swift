/// VoxForge language identification: one folder per language, each holding the speakers'
/// submissions as they unpack from VoxForge's per-language archives:
///
/// ```
/// <language>/<user>-<date>-<id>/wav/*.wav     (any audio below the submission folder)
/// ```
///
/// The classes are the language folders. A submission (one speaker session) is the source:
/// submissions are split 80/10/10 per language by ``SourceSplit``. Audio files directly in a
/// language folder are each their own source.
public struct VoxForgeImporter: TaskImporter {
    /// An importer.
    public init() {}

    public func load(from folder: String, name: String) throws -> TaskData {
        let languages = TaskFiles.subfolders(folder).filter { !TaskFiles.audioFilesRecursively(in: TaskFiles.join(folder, $0)).isEmpty }
        guard languages.count >= 2 else {
            throw TaskImportError.missing(path: TaskFiles.join(folder, "<language>/"), expected: "at least two VoxForge language folders holding audio")
        }
        var clips: [LabeledClip] = []
        for (label, language) in languages.enumerated() {
            let languagePath = TaskFiles.join(folder, language)
            for relative in TaskFiles.audioFilesRecursively(in: languagePath) {
                let submission = relative.split(separator: "/").first.map(String.init) ?? relative
                clips.append(LabeledClip(path: TaskFiles.join(languagePath, relative), label: label, source: "\(language)/\(submission)"))
            }
        }
        let split = SourceSplit.split(clips)
        return TaskData(name: name, classNames: languages, train: split.train, valid: split.valid, test: split.test)
    }
}
