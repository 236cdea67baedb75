/// Why a sweep stopped or a member failed.
public enum SweepError: Error, CustomStringConvertible, Equatable {
    /// The sweep directory already holds a member of this id planned with other settings.
    case conflictingMember(id: String, recorded: SweepMember, planned: SweepMember)
    /// A subprocess exited unsuccessfully.
    case commandFailed(member: String, step: String, status: Int32, command: String)
    /// Pretraining exited cleanly before its last step (it was told to stop, e.g. preempted by
    /// SIGTERM): the whole sweep stops, and a rerun resumes the member.
    case pretrainingStopped(member: String, step: Int?, of: Int)
    /// The transfer suite finished but left no valid `results.json`.
    case missingResults(member: String, path: String)
    /// `--member-index` outside the plan.
    case memberIndexOutOfRange(index: Int, count: Int)
    /// Members that failed; the others completed and are in the summary.
    case membersFailed([String])
    /// A directory that is neither a sweep nor a run directory.
    case nothingToReport(directory: String)

    /// Errors after which the sweep stops instead of going on to the next member.
    public var stopsSweep: Bool {
        if case .pretrainingStopped = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .conflictingMember(let id, let recorded, let planned):
            return "member \(id) is recorded in sweep.json with \(recorded.steps) steps (batch \(recorded.batchSize), \(recorded.variant.name)) "
                + "but now planned with \(planned.steps) steps (batch \(planned.batchSize), \(planned.variant.name)): "
                + "a changed budget needs a new --run-dir"
        case .commandFailed(let member, let step, let status, let command):
            return "\(member): \(step) exited with status \(status): \(command)"
        case .pretrainingStopped(let member, let step, let total):
            return "\(member): pretraining stopped at step \(step.map(String.init) ?? "?") of \(total) (preempted?); rerun the sweep to resume it"
        case .missingResults(let member, let path):
            return "\(member): the transfer suite finished without a valid \(path)"
        case .memberIndexOutOfRange(let index, let count):
            return "--member-index \(index) is outside the plan's \(count) members (0…\(count - 1)); see cola sweep --list"
        case .membersFailed(let ids):
            return "\(ids.count) member(s) failed: \(ids.joined(separator: ", ")); rerun the same command to retry them"
        case .nothingToReport(let directory):
            return "\(directory) holds neither sweep.json (a sweep) nor metrics.jsonl or eval/results.json (a run)"
        }
    }
}
