import Foundation

/// The nine downstream tasks of the COLA paper (Saeed et al. 2021, Table 2).
public enum TransferTask: String, CaseIterable, Codable, Sendable {
    case spcv1
    case spcv2
    case librispeech
    case voxceleb
    case voxforge
    case musan
    case nsynth
    case birds
    case tut2018

    /// What the task asks, as the paper names it.
    public var title: String {
        switch self {
        case .spcv1: return "Speech Commands v1 (12 classes)"
        case .spcv2: return "Speech Commands v2 (35 words)"
        case .librispeech: return "LibriSpeech speaker id"
        case .voxceleb: return "VoxCeleb1 speaker id"
        case .voxforge: return "VoxForge language id"
        case .musan: return "MUSAN speech/music/noise"
        case .nsynth: return "NSynth instrument family"
        case .birds: return "Bird audio detection (DCASE 2018)"
        case .tut2018: return "TUT Urban Acoustic Scenes 2018"
        }
    }

    /// The folder under `--data-root` where the task's data is looked for.
    public var folderName: String { rawValue }

    /// The importer that reads the task's real layout.
    public var importer: any TaskImporter {
        switch self {
        case .spcv1: return SpeechCommandsImporter(setup: .twelveClasses)
        case .spcv2: return SpeechCommandsImporter(setup: .allWords)
        case .librispeech: return LibriSpeechImporter()
        case .voxceleb: return VoxCelebImporter()
        case .voxforge: return VoxForgeImporter()
        case .musan: return MusanImporter()
        case .nsynth: return NSynthImporter()
        case .birds: return BirdDetectionImporter()
        case .tut2018: return UrbanScenesImporter()
        }
    }
}

/// A task the suite runs: one of the nine, a generic task named after its folder, or a task in
/// the HEAR 2021 layout (under the data root, or anywhere as `hear:PATH`).
public struct SuiteTask: Hashable, Sendable, CustomStringConvertible {
    /// The task's name: a ``TransferTask`` raw value, or the generic or HEAR task's folder name.
    public let name: String
    /// The folder of a task in the HEAR layout (``HEARTaskImporter``); `nil` for the nine and
    /// generic tasks, which live in `<data root>/<name>`.
    public let hearFolder: String?

    /// The task called `name`, in `<data root>/<name>`.
    public init(name: String) {
        self.name = name
        hearFolder = nil
    }

    /// The HEAR task in `folder` (anywhere), named after the folder's last component.
    public init(hearFolder folder: String) {
        let trimmed = folder.count > 1 && folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        name = (trimmed as NSString).lastPathComponent
        hearFolder = trimmed
    }

    /// The paper task, when this is one of the nine.
    public var transferTask: TransferTask? { TransferTask(rawValue: name) }

    /// A human title.
    public var title: String { transferTask?.title ?? "\(name) (\(hearFolder == nil ? "generic" : "HEAR"))" }

    public var description: String { name }

    /// The importer for the task's layout.
    public var importer: any TaskImporter {
        if let transferTask { return transferTask.importer }
        return hearFolder == nil ? GenericTaskImporter() : HEARTaskImporter()
    }

    /// The task's folder: its HEAR folder, or `<dataRoot>/<name>`.
    public func folder(in dataRoot: String) -> String { hearFolder ?? TaskFiles.join(dataRoot, name) }

    /// Reads the task from `dataRoot`.
    public func load(dataRoot: String) throws -> TaskData {
        let folder = folder(in: dataRoot)
        guard TaskFiles.isDirectory(folder) else {
            throw TaskImportError.missing(path: folder, expected: "the \(title) data set folder")
        }
        return try importer.load(from: folder, name: name)
    }

    /// The tasks `--tasks` names, a comma-separated list of:
    /// - `all`: the nine, then every generic TSV task folder under `dataRoot`, then every HEAR
    ///   scene task folder under it (each sorted);
    /// - `hear:PATH`: the HEAR task in folder `PATH` (absolute, or relative to the working
    ///   directory), named after the folder;
    /// - a name: one of the nine, or the folder `<dataRoot>/<name>` (read as a HEAR task when it
    ///   holds `task_metadata.json`, else as a generic task).
    public static func select(_ list: String, dataRoot: String) -> [SuiteTask] {
        let names = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var selected: [SuiteTask] = []
        for name in names {
            if name == "all" {
                selected += TransferTask.allCases.map { SuiteTask(name: $0.rawValue) }
                selected += genericTasks(in: dataRoot)
                selected += hearTasks(in: dataRoot)
            } else if name.hasPrefix(hearPrefix) {
                selected.append(SuiteTask(hearFolder: String(name.dropFirst(hearPrefix.count))))
            } else if TransferTask(rawValue: name) == nil, HEARTaskImporter.isHEARTask(TaskFiles.join(dataRoot, name)) {
                selected.append(SuiteTask(hearFolder: TaskFiles.join(dataRoot, name)))
            } else {
                selected.append(SuiteTask(name: name))
            }
        }
        var seen = Set<String>()
        return selected.filter { seen.insert($0.name).inserted }
    }

    /// The `--tasks` prefix of a HEAR task folder given by path.
    public static let hearPrefix = "hear:"

    /// Every folder under `dataRoot` that is not one of the nine, not a HEAR task, and holds
    /// `train.tsv` and `test.tsv`.
    public static func genericTasks(in dataRoot: String) -> [SuiteTask] {
        TaskFiles.subfolders(dataRoot)
            .filter { folder in
                let path = TaskFiles.join(dataRoot, folder)
                return TransferTask(rawValue: folder) == nil && !HEARTaskImporter.isHEARTask(path) && GenericTaskImporter.isTSVTask(path)
            }
            .map { SuiteTask(name: $0) }
    }

    /// Every folder under `dataRoot` that is not one of the nine and holds a HEAR scene task
    /// (event tasks, which Cola does not score, are left out; named, they fail with the reason).
    public static func hearTasks(in dataRoot: String) -> [SuiteTask] {
        TaskFiles.subfolders(dataRoot)
            .filter { TransferTask(rawValue: $0) == nil && HEARTaskImporter.isSceneTask(TaskFiles.join(dataRoot, $0)) }
            .map { SuiteTask(hearFolder: TaskFiles.join(dataRoot, $0)) }
    }
}
