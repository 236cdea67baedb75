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
    /// Few-shot clips per class (`nil`: every training clip).
    public var shots: Int?
    /// Few-shot draws per score.
    public var draws: Int

    /// A report of `tasks` scored with `embedder` and `floors`.
    public init(embedder: String, embedderIdentity: String, floors: [String], configHash: String, tasks: [TaskResult],
                shots: Int? = nil, draws: Int = 1) {
        self.embedder = embedder
        self.embedderIdentity = embedderIdentity
        self.floors = floors
        self.configHash = configHash
        self.tasks = tasks
        self.shots = shots
        self.draws = draws
    }

    /// Mean test accuracy over the scored tasks (`nil` when none scored).
    public var meanAccuracy: Double? { Self.mean(tasks.compactMap { $0.score?.accuracy }) }

    /// Mean accuracy of floor `name` over the tasks where it scored.
    public func meanAccuracy(floor name: String) -> Double? { Self.mean(tasks.compactMap { $0.floors[name]?.accuracy }) }

    private static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// What `results.json` holds (``TransferResults``, the one definition its readers share).
    public var results: TransferResults {
        var results = TransferResults(tasks: Dictionary(tasks.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last }), meanAccuracy: meanAccuracy)
        results.tasksScored = tasks.filter { $0.status == .scored }.count
        results.tasksSkipped = tasks.filter { $0.status == .skipped }.map(\.name)
        results.tasksFailed = tasks.filter { $0.status == .failed }.map(\.name)
        results.embedder = embedder
        results.embedderIdentity = embedderIdentity
        results.configHash = configHash
        if !floors.isEmpty {
            results.floorMeanAccuracy = Dictionary(floors.map { ($0, meanAccuracy(floor: $0)) }, uniquingKeysWith: { _, last in last })
        }
        results.shots = shots
        results.draws = shots == nil ? nil : draws
        return results
    }

    /// The Markdown table written to `results.md`: accuracy with its 95% bootstrap interval
    /// over test clips (and, with few-shot draws, ± their standard deviation), the floors beside it.
    public var markdown: String {
        let floorHeader = floors.map { " \($0) |" }.joined()
        let fewShot = shots.map { " Few-shot: \($0) training clips per class, mean ± standard deviation over \(draws) draw\(draws == 1 ? "" : "s")." } ?? ""
        var lines = [
            "# Transfer suite: \(embedder)",
            "",
            "Linear probe on frozen embeddings: L2-regularized logistic regression solved by L-BFGS, C chosen on held-out clips; "
                + "test accuracy per clip from logits averaged over 1 s windows, 95% bootstrap interval over test clips in brackets.\(fewShot) Floors beside the score.",
            "",
            "| task | classes | train clips | test clips | accuracy |\(floorHeader) seconds | note |",
            "|---|---:|---:|---:|---:|\(floors.map { _ in "---:|" }.joined())---:|---|",
        ]
        for task in tasks {
            switch task.status {
            case .scored:
                let floorCells = floors.map { " \(Self.cell(task.floors[$0])) |" }.joined()
                var notes: [String] = []
                if let score = task.score { notes.append(Self.probeNote(score)) }
                if !task.skippedClips.isEmpty { notes.append(Self.skippedNote(task.skippedClips)) }
                let note = notes.joined(separator: "; ")
                lines.append("| \(task.name) | \(task.classes) | \(task.trainClips) | \(task.testClips) | \(Self.cell(task.score)) |\(floorCells) \(String(format: "%.1f", task.seconds)) | \(note) |")
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

    /// `80.0% [70.0, 90.0]`, `80.0 ± 3.1% [70.0, 90.0]` with draws, then the mAP likewise.
    static func cell(_ score: ProbeScore?) -> String {
        guard let score else { return "–" }
        func value(_ value: Double, spread: Double?, interval: ScoreInterval?) -> String {
            let main = spread.map { String(format: "%.1f ± %.1f%%", 100 * value, 100 * $0) } ?? percent(value)
            return main + (interval.map { String(format: " [%.1f, %.1f]", 100 * $0.lower, 100 * $0.upper) } ?? "")
        }
        let accuracy = value(score.accuracy, spread: score.accuracyStandardDeviation, interval: score.accuracyInterval)
        return accuracy + (score.averagePrecision.map { " (mAP \(value($0, spread: nil, interval: score.averagePrecisionInterval)))" } ?? "")
    }

    /// How the probe's C was chosen and whether the solver converged, e.g. `C 0.316 (validation)`.
    static func probeNote(_ score: ProbeScore) -> String {
        var note = ""
        if let regularization = score.regularization, let first = regularization.first {
            let values = Set(regularization).count == 1 ? String(format: "%g", first) : "\(String(format: "%g", regularization.min()!))–\(String(format: "%g", regularization.max()!))"
            note = "C \(values)" + (score.selection.map { " (\($0))" } ?? "")
        }
        if score.converged == false { note += note.isEmpty ? "not converged" : ", not converged" }
        return note
    }

    /// Writes `results.json` and `results.md` into `directory` (created when missing).
    public func write(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try results.jsonData().write(to: URL(fileURLWithPath: directory + "/results.json"))
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
