import Foundation
@testable import ColaPipeline

/// A fresh folder under the system temporary directory, removed by the caller.
func makeSweepTestDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("cola-sweep-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes a base run config and a sweep file into `folder`; returns the sweep config.
func writeSweepFiles(in folder: String, sweepYAML: String) throws -> SweepConfig {
    try """
        name: base
        model:
          encoder: cnn
        training:
          batch_size: 64
          steps: 10
        evaluation:
          tasks: [spcv1, nsynth]
          data_root: data/standins-tiny
        """.write(toFile: "\(folder)/base.yaml", atomically: true, encoding: .utf8)
    try sweepYAML.write(toFile: "\(folder)/sweep.yaml", atomically: true, encoding: .utf8)
    return try SweepConfig.load(path: "\(folder)/sweep.yaml")
}

/// Transfer results in the `cola eval` format, with a skipped task; each task carries two floors
/// (log-mel statistics at half, a random encoder at a quarter of the task's accuracy) when `floors`.
func transferResultsJSON(_ accuracies: [String: Double], floors: Bool = false) -> String {
    let tasks = accuracies.keys.sorted().map { task in
        let accuracy = accuracies[task]!
        let floorEntries = floors ? #", "floors": {"logmel-stats": {"accuracy": \#(accuracy / 2), "best_epoch": 3}, "random-cnn": {"accuracy": \#(accuracy / 4), "best_epoch": 1}}"# : ""
        return #""\#(task)": {"accuracy": \#(accuracy), "train_clips": 100, "valid_clips": 10, "test_clips": 40, "classes": 10\#(floorEntries)}"#
    }
    let mean = accuracies.values.reduce(0, +) / Double(accuracies.count)
    return #"{"tasks": {\#(tasks.joined(separator: ", ")), "voxceleb": {"skipped": "no data", "looked_for": "voxceleb/iden_split.txt"}}, "#
        + #""mean_accuracy": \#(mean), "tasks_scored": \#(accuracies.count), "tasks_skipped": ["voxceleb"], "embedder": "checkpoint"}"#
}

/// A stand-in for the subprocesses: records each invocation and writes the files a real
/// pretrain (effective config with a cosine, sqrt-scaled schedule; checkpoints, metrics) or eval
/// (results.json) would, or stops part-way.
final class RecordingMemberRunner: SweepMemberRunner {
    /// Thrown to simulate the sweep being killed.
    struct Interrupted: Error {}

    private(set) var invocations: [SweepInvocation] = []
    /// Invocation number (0-based) during which the "machine goes down": a pretrain leaves a
    /// checkpoint but no finished run, an eval leaves half a results.json.
    var interruptAt: Int?
    /// Members whose pretraining exits with status 1.
    var failingMembers: Set<String> = []
    /// Members whose pretraining exits cleanly one step short, as after SIGTERM.
    var stopEarly: Set<String> = []

    /// A checkpoint folder with the trainer's `state.json` and the `latest` symlink.
    private func writeCheckpoint(step: Int, in runDir: String) throws {
        let name = String(format: "step-%06d", step)
        let folder = "\(runDir)/checkpoints/\(name)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try #"{"step": \#(step), "data_position": 0}"#.write(toFile: "\(folder)/state.json", atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: "\(runDir)/checkpoints/latest")
        try FileManager.default.createSymbolicLink(atPath: "\(runDir)/checkpoints/latest", withDestinationPath: name)
    }

    func run(_ invocation: SweepInvocation) throws {
        let number = invocations.count
        invocations.append(invocation)
        let interrupted = number == interruptAt
        switch invocation.step {
        case .pretrain:
            let runDir = value(after: "--run-dir", in: invocation.arguments)!
            let batch = Int(value(ofSetting: "training.batch_size", in: invocation.arguments)!)!
            let steps = Int(value(ofSetting: "training.steps", in: invocation.arguments)!)!
            try """
                training:
                  batch_size: \(batch)
                  steps: \(steps)
                  lr_schedule: cosine
                  lr_scaling: sqrt
                  base_batch_size: 64
                  warmup_steps: 2
                  min_learning_rate_fraction: 0
                """.write(toFile: "\(runDir)/config.yaml", atomically: true, encoding: .utf8)
            try writeCheckpoint(step: 1, in: runDir)
            if failingMembers.contains(invocation.member) {
                throw SweepError.commandFailed(member: invocation.member, step: "pretrain", status: 1, command: invocation.commandLine)
            }
            let lines = (1...steps).map { step in
                #"{"step": \#(step), "loss": \#(log(Double(batch)) / Double(step)), "top1": 0.5, "lr": 0.001, "clips_per_s": 60.0, "data_wait_ms": 1.0, "comm_ms": 2.0}"#
            }
            try (lines.joined(separator: "\n") + "\n").write(toFile: "\(runDir)/metrics.jsonl", atomically: true, encoding: .utf8)
            if interrupted { throw Interrupted() }
            try writeCheckpoint(step: stopEarly.contains(invocation.member) ? steps - 1 : steps, in: runDir)
        case .evaluate:
            let out = value(after: "--out", in: invocation.arguments)!
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            if interrupted {
                try #"{"tasks": {"spcv1": {"accura"#.write(toFile: "\(out)/results.json", atomically: true, encoding: .utf8)
                throw Interrupted()
            }
            // Member ids: [variant/]b<batch>[/s<seed>]; seed k adds k/100 to every accuracy.
            let parts = invocation.member.split(separator: "/")
            let batch = Int(parts.last { $0.hasPrefix("b") && Int($0.dropFirst()) != nil }!.dropFirst())!
            let seed = parts.last { $0.hasPrefix("s") && Int($0.dropFirst()) != nil }.map { Double(Int($0.dropFirst())!) } ?? 0
            let gain = log2(Double(batch)) / 100 + seed / 100
            try transferResultsJSON(["spcv1": 0.3 + gain, "nsynth": 0.5 + gain / 2], floors: true)
                .write(toFile: "\(out)/results.json", atomically: true, encoding: .utf8)
        }
    }

    /// `pretrain`/`evaluate` steps per member, in order, as `b64:pretrain`.
    var steps: [String] { invocations.map { "\($0.member):\($0.step.rawValue)" } }

    func value(after flag: String, in arguments: [String]) -> String? {
        arguments.firstIndex(of: flag).map { arguments[$0 + 1] }
    }

    func value(ofSetting key: String, in arguments: [String]) -> String? {
        arguments.last { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
    }
}
