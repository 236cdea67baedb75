import ColaEvaluation
import Foundation

/// Where a sweep member's files live, and how far the member got according to them.
///
/// Progress is read from disk only, so a sweep killed at any moment resumes where it stopped:
/// a valid `eval/results.json` means finished; the sweep's `pretrain-complete.json` marker means
/// only the transfer suite is left; a `checkpoints/` folder means pretraining resumes from it.
public struct SweepMemberFiles: Sendable {
    /// How far a member got.
    public enum Status: String, Codable, Sendable {
        /// Nothing on disk yet.
        case pending
        /// Pretraining started and left checkpoints; it resumes from the latest.
        case training
        /// Pretraining completed; the transfer suite has not (validly) run.
        case pretrained
        /// The transfer suite wrote valid results.
        case finished
    }

    /// The member's run directory.
    public let directory: String

    public init(sweepDirectory: String, memberID: String) {
        directory = "\(sweepDirectory)/\(memberID)"
    }

    public var checkpoints: String { "\(directory)/checkpoints" }
    /// The checkpoint the transfer suite scores: the run's newest (a symlink the trainer maintains).
    public var latestCheckpoint: String { "\(checkpoints)/latest" }
    public var metrics: String { "\(directory)/metrics.jsonl" }
    public var pretrainMarker: String { "\(directory)/pretrain-complete.json" }
    public var evaluation: String { "\(directory)/eval" }
    public var results: String { "\(evaluation)/results.json" }

    /// The step recorded in the latest checkpoint's `state.json`, if there is one.
    public var latestCheckpointStep: Int? {
        struct Step: Decodable { let step: Int }
        guard let data = FileManager.default.contents(atPath: "\(latestCheckpoint)/state.json") else { return nil }
        return (try? JSONDecoder().decode(Step.self, from: data))?.step
    }

    public var status: Status {
        let files = FileManager.default
        if TransferResults.readIfValid(at: results) != nil { return .finished }
        if files.fileExists(atPath: pretrainMarker) { return .pretrained }
        if let entries = try? files.contentsOfDirectory(atPath: checkpoints), !entries.isEmpty { return .training }
        return .pending
    }
}
