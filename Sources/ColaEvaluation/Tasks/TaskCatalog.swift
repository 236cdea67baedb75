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

/// A task the suite runs: one of the nine, or a generic task named after its folder.
public struct SuiteTask: Hashable, Sendable, CustomStringConvertible {
    /// The task's name: a ``TransferTask`` raw value or the generic task's folder name.
    public let name: String

    /// The task called `name`.
    public init(name: String) { self.name = name }

    /// The paper task, when this is one of the nine.
    public var transferTask: TransferTask? { TransferTask(rawValue: name) }

    /// A human title.
    public var title: String { transferTask?.title ?? "\(name) (generic)" }

    public var description: String { name }

    /// The importer for the task's layout.
    public var importer: any TaskImporter { transferTask?.importer ?? GenericTaskImporter() }

    /// The task's folder under `dataRoot`.
    public func folder(in dataRoot: String) -> String { TaskFiles.join(dataRoot, name) }

    /// Reads the task from `dataRoot`.
    public func load(dataRoot: String) throws -> TaskData {
        let folder = folder(in: dataRoot)
        guard TaskFiles.isDirectory(folder) else {
            throw TaskImportError.missing(path: folder, expected: "the \(title) data set folder")
        }
        return try importer.load(from: folder, name: name)
    }

    /// The tasks `--tasks` names: `all` (the nine, then every generic TSV task folder under
    /// `dataRoot`, sorted), or a comma-separated list of names.
    public static func select(_ list: String, dataRoot: String) -> [SuiteTask] {
        let names = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var selected: [SuiteTask] = []
        for name in names {
            if name == "all" {
                selected += TransferTask.allCases.map { SuiteTask(name: $0.rawValue) }
                selected += genericTasks(in: dataRoot)
            } else {
                selected.append(SuiteTask(name: name))
            }
        }
        var seen = Set<String>()
        return selected.filter { seen.insert($0.name).inserted }
    }

    /// Every folder under `dataRoot` that is not one of the nine and holds `train.tsv` and `test.tsv`.
    public static func genericTasks(in dataRoot: String) -> [SuiteTask] {
        TaskFiles.subfolders(dataRoot)
            .filter { TransferTask(rawValue: $0) == nil && GenericTaskImporter.isTSVTask(TaskFiles.join(dataRoot, $0)) }
            .map { SuiteTask(name: $0) }
    }
}
