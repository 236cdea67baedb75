import ColaEvaluation
import Foundation

/// Runs a sweep: for each member not yet finished, pretrain (resuming from its checkpoints when
/// it has some), then the transfer suite; after each member, the summary, table and plots are
/// rewritten so partial sweeps can be read.
public struct SweepOrchestrator {
    public var config: SweepConfig
    /// The `cola` executable the subprocesses run.
    public var cola: String
    public var launch: LaunchCommand
    public var runner: SweepMemberRunner
    /// Progress lines.
    public var log: (String) -> Void

    public init(config: SweepConfig, cola: String, launch: LaunchCommand, runner: SweepMemberRunner,
                log: @escaping (String) -> Void = { print($0) }) {
        self.config = config
        self.cola = cola
        self.launch = launch
        self.runner = runner
        self.log = log
    }

    /// The sweep directory.
    public var directory: String { config.resolvedRunDir }

    /// The plan this config gives, merged with the one recorded in `sweep.json`.
    public func plan() throws -> SweepPlan {
        let planned = SweepPlan(config: config)
        guard let data = FileManager.default.contents(atPath: "\(directory)/sweep.json"),
              let recorded = try? JSONDecoder().decode(SweepPlan.self, from: data) else { return planned }
        return try planned.merged(with: recorded)
    }

    /// Runs every planned member of this config (or only `memberIndex` of them, for array jobs)
    /// and returns the summary of the whole sweep directory.
    ///
    /// - Throws: ``SweepError/membersFailed`` after the other members ran, when some failed;
    ///   any other error (an interruption, an invalid member config) at once.
    @discardableResult
    public func run(memberIndex: Int? = nil) throws -> SweepSummary {
        let ownMembers = SweepPlan(config: config).members
        var selected = ownMembers
        if let memberIndex {
            guard ownMembers.indices.contains(memberIndex) else {
                throw SweepError.memberIndexOutOfRange(index: memberIndex, count: ownMembers.count)
            }
            selected = [ownMembers[memberIndex]]
        }
        for member in selected {
            _ = try config.loadBase(extraOverrides: member.overrides)
        }
        let plan = try self.plan()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try SweepReport.writeAtomically(SweepReport.json(plan), to: "\(directory)/sweep.json")
        log("sweep \(config.name): \(selected.count) member(s), \(config.budget.description) each, \(config.ranks) rank(s) → \(directory)")

        var failed: [String] = []
        for (position, member) in selected.enumerated() {
            let files = SweepMemberFiles(sweepDirectory: directory, memberID: member.id)
            let header = "[\(position + 1)/\(selected.count)] \(member.id) (batch \(member.batchSize), \(member.negatives) negatives, \(member.steps) steps)"
            do {
                try runMember(member, files: files, header: header)
            } catch let error as SweepError where !error.stopsSweep {
                log("\(header): FAILED: \(error)")
                failed.append(member.id)
            }
            try writeReport(plan)
        }
        let summary = try writeReport(plan)
        log("summary: \(directory)/summary.md, plots: \(directory)/plots/")
        if !failed.isEmpty { throw SweepError.membersFailed(failed) }
        return summary
    }

    private func runMember(_ member: SweepMember, files: SweepMemberFiles, header: String) throws {
        let status = files.status
        if status == .finished {
            log("\(header): finished earlier, skipped")
            return
        }
        if status != .pretrained {
            let resume = status == .training
            log("\(header): pretraining\(resume ? " (resuming from checkpoints)" : "")")
            try FileManager.default.createDirectory(atPath: files.directory, withIntermediateDirectories: true)
            try runner.run(pretrainInvocation(member, files: files, resume: resume))
            let reached = files.latestCheckpointStep
            guard let reached, reached >= member.steps else {
                throw SweepError.pretrainingStopped(member: member.id, step: reached, of: member.steps)
            }
            let marker = ["steps": member.steps, "batch_size": member.batchSize]
            try SweepReport.writeAtomically(SweepReport.json(marker), to: files.pretrainMarker)
        }
        log("\(header): transfer suite")
        try runner.run(evaluationInvocation(member, files: files))
        guard TransferResults.readIfValid(at: files.results) != nil else {
            throw SweepError.missingResults(member: member.id, path: files.results)
        }
    }

    /// The pretraining command of `member`.
    public func pretrainInvocation(_ member: SweepMember, files: SweepMemberFiles, resume: Bool) -> SweepInvocation {
        var arguments = launch.prefix + [cola, "pretrain", "--config", config.baseConfig, "--run-dir", files.directory]
        if let dataRoot = config.dataRoot { arguments += ["--data-root", dataRoot] }
        let runName = "\(config.name)-\(member.id.replacingOccurrences(of: "/", with: "-"))"
        for override in config.overrides + member.overrides + ["name=\(runName)"] {
            arguments += ["--set", override]
        }
        if resume { arguments.append("--resume") }
        return SweepInvocation(member: member.id, step: .pretrain, arguments: arguments, environment: launch.environment)
    }

    /// The transfer-suite command of `member`.
    public func evaluationInvocation(_ member: SweepMember, files: SweepMemberFiles) -> SweepInvocation {
        SweepInvocation(member: member.id, step: .evaluate,
                        arguments: [cola, "eval", "--checkpoint", files.latestCheckpoint] + evaluationArguments(out: files.evaluation))
    }

    private func evaluationArguments(out: String) -> [String] {
        var arguments: [String] = []
        let base = try? config.loadBase()
        if let root = config.evaluationDataRoot ?? base?.evaluation.dataRoot ?? config.dataRoot {
            arguments += ["--data-root", root]
        }
        let tasks = config.tasks ?? base?.evaluation.tasks ?? []
        if !tasks.isEmpty { arguments += ["--tasks", tasks.joined(separator: ",")] }
        return arguments + config.evaluationArguments + ["--out", out, "--scores", "\(directory)/scores.csv"]
    }

    @discardableResult
    private func writeReport(_ plan: SweepPlan) throws -> SweepSummary {
        let report = SweepReport(plan: plan, directory: directory)
        try report.write()
        return report.summary
    }
}
