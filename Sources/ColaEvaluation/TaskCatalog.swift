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
}
