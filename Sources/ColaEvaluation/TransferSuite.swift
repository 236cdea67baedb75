import ColaCore
import Foundation

/// Where and how a suite run reads and writes.
public struct TransferSuiteOptions: Sendable {
    /// The folder holding one folder per task.
    public var dataRoot: String
    /// Tasks to run, in order.
    public var tasks: [SuiteTask]
    /// Where `results.json` and `results.md` go.
    public var outputDirectory: String
    /// Where embeddings are cached.
    public var cacheDirectory: String
    /// The cumulative score table rows are appended to (`nil`: none).
    public var scoresFile: String?
    /// The protocol.
    public var settings: EvaluationProtocol
    /// Text naming the pretraining run's configuration, folded into the config hash of `scores.csv`.
    public var configurationText: String

    /// Options for `tasks` under `dataRoot`, writing to `outputDirectory`, with `scores.csv` next
    /// to it and the default cache.
    public init(dataRoot: String, tasks: [SuiteTask], outputDirectory: String) {
        self.dataRoot = dataRoot
        self.tasks = tasks
        self.outputDirectory = outputDirectory
        self.cacheDirectory = EmbeddingCache.defaultDirectory
        let parent = (outputDirectory as NSString).deletingLastPathComponent
        self.scoresFile = (parent.isEmpty ? "." : parent) + "/scores.csv"
        self.settings = EvaluationProtocol()
        self.configurationText = ""
    }
}

/// Runs the transfer suite: for each task, import, embed (cached), probe, score, for the
/// embedder under test and for each floor embedder, then writes the report.
///
/// This is the library entry point of `cola eval` and of `cola pretrain`'s rank 0 after training:
/// ```
/// let suite = TransferSuite(embedder: ModelEmbedder(...), floors: [LogMelStatisticsEmbedder()], options: options)
/// let report = try suite.run { print($0) }        // also writes results.json, results.md, scores.csv
/// ```
public final class TransferSuite {
    /// The embedder scored.
    public let embedder: any ClipEmbedder
    /// Embedders scored beside it as floors (e.g. log-mel statistics, random encoder).
    public let floors: [any ClipEmbedder]
    /// The run's options.
    public let options: TransferSuiteOptions

    /// A suite run of `embedder` with `floors` beside it.
    public init(embedder: any ClipEmbedder, floors: [any ClipEmbedder] = [], options: TransferSuiteOptions) {
        self.embedder = embedder
        self.floors = floors.filter { $0.identity != embedder.identity }
        self.options = options
    }

    /// Runs every task, writes `results.json`, `results.md` and the `scores.csv` rows, and
    /// returns the report. `log` receives one line per step.
    @discardableResult
    public func run(log: (String) -> Void = { _ in }) throws -> SuiteReport {
        let evaluation = TaskEvaluation(settings: options.settings, cache: EmbeddingCache(directory: options.cacheDirectory))
        var results: [TaskResult] = []
        for task in options.tasks {
            let result = runTask(task, evaluation: evaluation, log: log)
            results.append(result)
        }
        let report = SuiteReport(
            embedder: embedder.displayName, embedderIdentity: embedder.identity, floors: floors.map(\.displayName),
            configHash: StableHash.hex(options.settings.hash + "|" + options.configurationText), tasks: results,
            shots: options.settings.shots, draws: options.settings.drawCount)
        try report.write(to: options.outputDirectory)
        if let scoresFile = options.scoresFile { try report.appendScores(to: scoresFile) }
        log("wrote \(options.outputDirectory)/results.json and results.md" + (options.scoresFile.map { ", appended to \($0)" } ?? ""))
        return report
    }

    private func runTask(_ task: SuiteTask, evaluation: TaskEvaluation, log: (String) -> Void) -> TaskResult {
        let started = Date()
        var result = TaskResult(name: task.name, title: task.title)
        var data: TaskData
        do {
            // Screened before a validation split is carved, so bad files take no validation slot
            // and are reported in the split their metadata gave.
            data = Self.withValidationSplit(ClipScreen.screen(try task.load(dataRoot: options.dataRoot)
                .limitingTrainClips(to: options.settings.maxTrainClips)
                .limitingTestClips(to: options.settings.maxTestClips)), probe: options.settings.probe)
            result.skippedClips = data.skipped
            logSkipped(data, log: log)
            try data.requireUsableClips(maxFraction: options.settings.maxBadFraction)
        } catch let error as TaskImportError {
            if let path = error.missingPath {
                result.status = .skipped
                result.reason = "\(error)"
                result.lookedFor = path
                log("\(task.name): skipped: \(error)")
            } else {
                result.status = .failed
                result.reason = "\(error)"
                log("\(task.name): failed: \(error)")
            }
            return result
        } catch {
            result.status = .failed
            result.reason = "\(error)"
            log("\(task.name): failed: \(error)")
            return result
        }
        result.classes = data.classNames.count
        result.metric = data.metric
        guard data.classNames.count >= 2, !data.train.isEmpty, !data.test.isEmpty else {
            result.status = .failed
            result.reason = "needs ≥ 2 classes and non-empty train and test splits; has \(data.classNames.count) classes, \(data.train.count)/\(data.valid.count)/\(data.test.count) train/valid/test clips"
            log("\(task.name): failed: \(result.reason!)")
            return result
        }
        log("\(task.name): \(data.classNames.count) classes, \(data.train.count)/\(data.valid.count)/\(data.test.count) train/valid/test clips")
        do {
            let (score, splits, trainClips) = try Self.score(data, by: embedder, evaluation: evaluation)
            let failed = Self.decodeFailures(in: splits, of: data)
            result.score = score
            result.trainClips = trainClips
            result.validClips = options.settings.shots == nil || data.metric == .multilabel ? splits[1].scoredClipCount : 0
            result.testClips = splits[2].scoredClipCount
            result.testWindows = splits[2].rowCount
            log("\(task.name): \(embedder.displayName) \(SuiteReport.cell(score)) (\(SuiteReport.probeNote(score)), \(score.iterations ?? 0) iterations, "
                + "embed \(score.cached == true ? "cached" : String(format: "%.1f s", score.embeddingSeconds ?? 0)), probe \(String(format: "%.1f s", score.probeSeconds ?? 0)))")
            for floor in floors {
                let (floorScore, _, _) = try Self.score(data, by: floor, evaluation: evaluation)
                result.floors[floor.displayName] = floorScore
                log("\(task.name): floor \(floor.displayName) \(SuiteReport.cell(floorScore)) (\(SuiteReport.probeNote(floorScore)))")
            }
            if !failed.isEmpty {
                log("\(task.name): \(failed.count) clips failed to decode while embedded (their embeddings are not cached; fix or remove the files):")
                for clip in failed { log(Self.logLine(clip, task: task.name)) }
                data.skipped += failed
                result.skippedClips = data.skipped
                try data.requireUsableClips(maxFraction: options.settings.maxBadFraction)
            }
            result.status = .scored
        } catch {
            result.status = .failed
            result.reason = "\(error)"
            log("\(task.name): failed: \(error)")
        }
        result.seconds = Date().timeIntervalSince(started)
        return result
    }

    /// `data` with a validation split carved from its training clips when it has none
    /// (``TaskData/withValidationSplit()``), unless a class has fewer than
    /// ``ProbeOptions/minimumClipsForCrossValidation`` training clips: then the probe trains on
    /// all of them with the fixed `C`, as in few-shot runs: carving one clip per class out of three
    /// leaves two to train on and picks `C` on one clip per class. On the salted 3-clips-per-class
    /// task of docs/eval.md (chance 16.7%) the carved split scored 23.3% [15.8, 31.7] (`C` 0.01 on
    /// six validation clips), all clips at `C = 1` 27.5% [20.0, 35.8].
    static func withValidationSplit(_ data: TaskData, probe: ProbeOptions) -> TaskData {
        guard data.valid.isEmpty, data.metric != .multilabel else { return data.withValidationSplit() }
        var clipsPerClass = [Int](repeating: 0, count: data.classNames.count)
        for clip in data.train where clip.label < clipsPerClass.count { clipsPerClass[clip.label] += 1 }
        let smallest = clipsPerClass.filter { $0 > 0 }.min() ?? 0
        return smallest < probe.minimumClipsForCrossValidation ? data : data.withValidationSplit()
    }

    /// Embeds and scores `task`: one-vs-rest probes for a multilabel task, else one probe (on
    /// each few-shot draw). Also returns the training clips a probe saw.
    static func score(_ task: TaskData, by embedder: any ClipEmbedder, evaluation: TaskEvaluation) throws -> (score: ProbeScore, splits: [EmbeddedSplit], trainClips: Int) {
        if task.metric == .multilabel {
            let (score, splits) = try OneVsRestEvaluation(evaluation: evaluation).run(task, embedder: embedder)
            return (score, splits, splits[0].scoredClipCount)
        }
        let (score, splits, probe) = try evaluation.run(task, embedder: embedder)
        return (score, splits, probe.draws[0].trainClips)
    }

    /// Logs how many of the task's listed clips were skipped, by reason, and names them (the
    /// first ``loggedSkippedClips``; results.json has all).
    private func logSkipped(_ data: TaskData, log: (String) -> Void) {
        guard !data.skipped.isEmpty else { return }
        let allowed = String(format: "%g", 100 * options.settings.maxBadFraction)
        log("\(data.name): skipped \(data.skipped.count) of \(data.listedClipCount) listed clips (\(data.skipped.reasonSummary)); the task fails above \(allowed)%:")
        for clip in data.skipped.prefix(Self.loggedSkippedClips) { log(Self.logLine(clip, task: data.name)) }
        if data.skipped.count > Self.loggedSkippedClips {
            log("\(data.name):   … and \(data.skipped.count - Self.loggedSkippedClips) more (all in results.json)")
        }
    }

    /// Skipped clips named one per line in the log.
    static let loggedSkippedClips = 20

    /// `task:   train missing /path/x.wav (no such file)`.
    static func logLine(_ clip: SkippedClip, task: String) -> String {
        "\(task):   \(clip.split.rawValue) \(clip.reason.rawValue) \(clip.clip) (\(clip.detail))"
    }

    /// The clips of `task` that failed to decode while its splits were embedded.
    static func decodeFailures(in splits: [EmbeddedSplit], of task: TaskData) -> [SkippedClip] {
        zip(TaskSplit.allCases, zip([task.train, task.valid, task.test], splits)).flatMap { split, pair in
            pair.1.unreadable.map { SkippedClip(clip: pair.0[$0.index].key, split: split, error: $0.error) }
        }
    }
}
