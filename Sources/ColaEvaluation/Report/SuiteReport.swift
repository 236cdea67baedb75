import Foundation

/// The results of a suite run and their three renderings: `results.json`, `results.md`, and
/// rows of the cumulative `scores.csv`.
public struct SuiteReport: Sendable {
    /// Display name of the embedder under test (checkpoint step, `random-…`, `logmel-stats`).
    public var embedder: String
    /// Its identity (includes the checkpoint's content hash).
    public var embedderIdentity: String
    /// Display names of the floors.
    public var floors: [String]
    /// Hash of the protocol settings and the pretraining configuration.
    public var configHash: String
    /// One result per task, in run order.
    public var tasks: [TaskResult]

    /// A report of `tasks` scored with `embedder` and `floors`.
    public init(embedder: String, embedderIdentity: String, floors: [String], configHash: String, tasks: [TaskResult]) {
        self.embedder = embedder
        self.embedderIdentity = embedderIdentity
        self.floors = floors
        self.configHash = configHash
        self.tasks = tasks
    }

    /// Mean test accuracy over the scored tasks (`nil` when none scored).
    public var meanAccuracy: Double? { Self.mean(tasks.compactMap { $0.score?.accuracy }) }

    /// Mean accuracy of floor `name` over the tasks where it scored.
    public func meanAccuracy(floor name: String) -> Double? { Self.mean(tasks.compactMap { $0.floors[name]?.accuracy }) }

    private static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The JSON object written to `results.json`:
    /// `{"tasks": {"<task>": {"accuracy": …, "train_clips": …, "test_clips": …, "classes": …, …}}, "mean_accuracy": …}`.
    /// Skipped and failed tasks carry `skipped`/`failed` (the reason) and no accuracy.
    public var json: [String: Any] {
        var tasksObject: [String: Any] = [:]
        for task in tasks {
            var entry: [String: Any] = ["title": task.title, "status": task.status.rawValue]
            switch task.status {
            case .scored:
                guard let score = task.score else { break }
                entry["accuracy"] = score.accuracy
                if let ap = score.averagePrecision { entry["mAP"] = ap }
                entry["train_clips"] = task.trainClips
                entry["valid_clips"] = task.validClips
                entry["test_clips"] = task.testClips
                entry["test_windows"] = task.testWindows
                entry["classes"] = task.classes
                entry["seconds"] = task.seconds
                entry["embedding_seconds"] = score.embeddingSeconds
                entry["probe_seconds"] = score.probeSeconds
                entry["embeddings_cached"] = score.cached
                entry["valid_accuracy"] = score.validAccuracy.map { $0 as Any } ?? NSNull()
                entry["best_epoch"] = score.bestEpoch
                entry["epochs"] = score.epochs
                Self.addSkippedClips(of: task, to: &entry)
                var floorsObject: [String: Any] = [:]
                for (name, floor) in task.floors {
                    var floorEntry: [String: Any] = ["accuracy": floor.accuracy, "best_epoch": floor.bestEpoch]
                    if let ap = floor.averagePrecision { floorEntry["mAP"] = ap }
                    floorsObject[name] = floorEntry
                }
                if !floorsObject.isEmpty { entry["floors"] = floorsObject }
            case .skipped:
                entry["skipped"] = task.reason ?? "no data"
                if let path = task.lookedFor { entry["looked_for"] = path }
            case .failed:
                entry["failed"] = task.reason ?? "unknown"
                if task.classes > 0 { entry["classes"] = task.classes }
                Self.addSkippedClips(of: task, to: &entry)
            }
            tasksObject[task.name] = entry
        }
        var object: [String: Any] = [
            "tasks": tasksObject,
            "mean_accuracy": meanAccuracy.map { $0 as Any } ?? NSNull(),
            "tasks_scored": tasks.filter { $0.status == .scored }.count,
            "tasks_skipped": tasks.filter { $0.status == .skipped }.map(\.name),
            "tasks_failed": tasks.filter { $0.status == .failed }.map(\.name),
            "embedder": embedder,
            "embedder_identity": embedderIdentity,
            "config_hash": configHash,
        ]
        var floorMeans: [String: Any] = [:]
        for name in floors { floorMeans[name] = meanAccuracy(floor: name).map { $0 as Any } ?? NSNull() }
        if !floorMeans.isEmpty { object["floor_mean_accuracy"] = floorMeans }
        return object
    }

    /// The Markdown table written to `results.md`.
    public var markdown: String {
        let floorHeader = floors.map { " \($0) |" }.joined()
        var lines = [
            "# Transfer suite: \(embedder)",
            "",
            "Linear probe on frozen embeddings (Adam 1e-3, early stopping on validation); test accuracy per clip from logits averaged over 1 s windows. Floors beside the score.",
            "",
            "| task | classes | train clips | test clips | accuracy |\(floorHeader) seconds | note |",
            "|---|---:|---:|---:|---:|\(floors.map { _ in "---:|" }.joined())---:|---|",
        ]
        func cell(_ score: ProbeScore?) -> String {
            guard let score else { return "–" }
            return SuiteReport.percent(score.accuracy) + (score.averagePrecision.map { " (mAP \(SuiteReport.percent($0)))" } ?? "")
        }
        for task in tasks {
            switch task.status {
            case .scored:
                let floorCells = floors.map { " \(cell(task.floors[$0])) |" }.joined()
                var notes: [String] = []
                if !task.skippedClips.isEmpty { notes.append(Self.skippedNote(task.skippedClips)) }
                if let score = task.score, score.validAccuracy == nil { notes.append("no validation clips: last of \(score.epochs) epochs") }
                let note = notes.joined(separator: "; ")
                lines.append("| \(task.name) | \(task.classes) | \(task.trainClips) | \(task.testClips) | \(cell(task.score)) |\(floorCells) \(String(format: "%.1f", task.seconds)) | \(note) |")
            case .skipped, .failed:
                let floorCells = floors.map { _ in " – |" }.joined()
                let note = "\(task.status.rawValue): \(task.reason ?? "")".replacingOccurrences(of: "|", with: "\\|")
                lines.append("| \(task.name) | \(task.classes > 0 ? "\(task.classes)" : "–") | – | – | – |\(floorCells) – | \(note) |")
            }
        }
        let meanFloors = floors.map { " \(meanAccuracy(floor: $0).map(SuiteReport.percent) ?? "–") |" }.joined()
        lines.append("| **mean** | | | | **\(meanAccuracy.map(SuiteReport.percent) ?? "–")** |\(meanFloors) | over \(tasks.filter { $0.status == .scored }.count) scored tasks |")
        lines.append("")
        lines.append("Embedder identity `\(embedderIdentity)`, config hash `\(configHash)`.")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `results.json` and `results.md` into `directory` (created when missing).
    public func write(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: directory + "/results.json"))
        try Data(markdown.utf8).write(to: URL(fileURLWithPath: directory + "/results.md"))
    }

    /// Appends `checkpoint,task,metric,value,config_hash` rows (accuracy, mAP where scored; the
    /// floors under their own names; the mean as task `mean`) to `path`, writing the header first
    /// when the file is new.
    public func appendScores(to path: String) throws {
        var rows: [String] = []
        func add(_ who: String, _ task: String, _ metric: String, _ value: Double) {
            rows.append([who, task, metric, String(format: "%.6f", value), configHash].map(Self.csvField).joined(separator: ","))
        }
        for task in tasks {
            guard let score = task.score else { continue }
            add(embedder, task.name, "accuracy", score.accuracy)
            if let ap = score.averagePrecision { add(embedder, task.name, "mAP", ap) }
            for name in floors {
                guard let floor = task.floors[name] else { continue }
                add(name, task.name, "accuracy", floor.accuracy)
                if let ap = floor.averagePrecision { add(name, task.name, "mAP", ap) }
            }
        }
        if let mean = meanAccuracy { add(embedder, "mean", "accuracy", mean) }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        if !FileManager.default.fileExists(atPath: path) {
            try Data("checkpoint,task,metric,value,config_hash\n".utf8).write(to: URL(fileURLWithPath: path))
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw ScoreTableError(path: path, reason: "cannot open for appending")
        }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(rows.map { $0 + "\n" }.joined().utf8))
    }

    /// `skipped_clips` (each clip with split, reason, detail) and `skipped_clip_counts` (per reason).
    private static func addSkippedClips(of task: TaskResult, to entry: inout [String: Any]) {
        entry["skipped_clips"] = task.skippedClips.map {
            ["clip": $0.clip, "split": $0.split.rawValue, "reason": $0.reason.rawValue, "detail": $0.detail]
        }
        entry["skipped_clip_counts"] = Dictionary(uniqueKeysWithValues: task.skippedClips.countsByReason.map { ($0.key.rawValue, $0.value) })
    }

    /// `4 clips skipped (missing 1, unreadable 3): a.wav, b.wav, …` with at most five file names.
    private static func skippedNote(_ clips: [SkippedClip]) -> String {
        let names = clips.prefix(5).map { ($0.clip as NSString).lastPathComponent }.joined(separator: ", ")
        return "\(clips.count) clips skipped (\(clips.reasonSummary)): \(names)\(clips.count > 5 ? ", …" : "")"
    }

    static func percent(_ value: Double) -> String { String(format: "%.1f%%", 100 * value) }

    private static func csvField(_ text: String) -> String {
        text.contains(",") || text.contains("\"") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}

/// The cumulative score table cannot be written.
public struct ScoreTableError: Error, CustomStringConvertible {
    /// The table's path.
    public let path: String
    /// What went wrong.
    public let reason: String

    public var description: String { "\(path): \(reason)" }
}
