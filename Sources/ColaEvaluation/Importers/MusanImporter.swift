/// MUSAN speech/music/noise classification, as the corpus unpacks:
///
/// ```
/// [musan/]music/<collection>/*.wav
/// [musan/]speech/<collection>/*.wav
/// [musan/]noise/<collection>/*.wav
/// ```
///
/// The classes are the three top folders (in the order music, speech, noise). Each file is its
/// own source; files are split 80/10/10 per class by ``SourceSplit``.
public struct MusanImporter: TaskImporter {
    /// The three classes, in label order.
    public static let classNames = ["music", "speech", "noise"]

    /// An importer.
    public init() {}

    public func load(from folder: String, name: String) throws -> TaskData {
        let root = TaskFiles.root(of: folder, containing: "speech") ?? folder
        var clips: [LabeledClip] = []
        for (label, kind) in Self.classNames.enumerated() {
            let kindPath = TaskFiles.join(root, kind)
            guard TaskFiles.isDirectory(kindPath) else {
                throw TaskImportError.missing(path: kindPath, expected: "MUSAN music/, speech/ and noise/ folders")
            }
            for relative in TaskFiles.audioFilesRecursively(in: kindPath) {
                let path = TaskFiles.join(kindPath, relative)
                clips.append(LabeledClip(path: path, label: label, source: path))
            }
        }
        let split = SourceSplit.split(clips)
        return TaskData(name: name, classNames: Self.classNames, train: split.train, valid: split.valid, test: split.test)
    }
}
