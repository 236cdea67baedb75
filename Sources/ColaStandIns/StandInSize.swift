import ColaEvaluation

/// How much stand-in data to build.
public enum StandInSize: String, CaseIterable, Sendable, Codable {
    /// A handful of clips per class: builds in under a minute, for tests.
    case tiny
    /// Enough clips for a linear probe to give meaningful numbers: the demo.
    case small
    /// At least 1,000 clips per task and 10 hours of pretraining audio.
    case full

    /// `tiny`, `small` or `full` value of a count.
    func pick(_ tiny: Int, _ small: Int, _ full: Int) -> Int {
        switch self {
        case .tiny: return tiny
        case .small: return small
        case .full: return full
        }
    }
}

/// What the generator can build: the nine transfer tasks and the pretraining corpus.
public enum StandInTarget: String, CaseIterable, Sendable, Codable {
    case spcv1, spcv2, librispeech, voxceleb, voxforge, musan, nsynth, birds, tut2018, pretrain

    /// The folder under `--out` (the transfer task's `folderName`, or `pretrain`).
    public var folderName: String { rawValue }

    /// The transfer task this stands in for, `nil` for the pretraining corpus.
    public var transferTask: TransferTask? { TransferTask(rawValue: rawValue) }
}
