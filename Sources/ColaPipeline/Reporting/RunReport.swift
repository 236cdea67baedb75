import ColaEvaluation
import ColaTraining
import Foundation

/// The files `cola report` writes into a single run directory: `report.md` (the learning-rate
/// rule, final training figures and the transfer table), `plots/loss_curve.svg` and
/// `plots/contrastive_accuracy.svg`.
public struct RunReport {
    public let directory: String
    public let log: MetricsLog
    /// The run's `eval/results.json`, if the transfer suite ran.
    public let results: TransferResults?

    /// Reads `metrics.jsonl` and `eval/results.json` (or `results.json`, for an eval output folder).
    public static func load(directory: String) throws -> RunReport {
        let metricsPath = "\(directory)/metrics.jsonl"
        let results = TransferResults.readIfValid(at: "\(directory)/eval/results.json")
            ?? TransferResults.readIfValid(at: "\(directory)/results.json")
        guard FileManager.default.fileExists(atPath: metricsPath) || results != nil else {
            throw SweepError.nothingToReport(directory: directory)
        }
        return RunReport(directory: directory, log: MetricsLog.read(at: metricsPath), results: results)
    }

    public init(directory: String, log: MetricsLog, results: TransferResults?) {
        self.directory = directory
        self.log = log
        self.results = results
    }

    /// Writes `report.md` and, when there are metrics, the loss and contrastive-accuracy plots.
    public func write() throws {
        try SweepReport.writeAtomically(markdown, to: "\(directory)/report.md")
        guard !log.records.isEmpty else { return }
        try FileManager.default.createDirectory(atPath: "\(directory)/plots", withIntermediateDirectories: true)
        try SweepReport.writeAtomically(lossPlot.svg, to: "\(directory)/plots/loss_curve.svg")
        if let accuracyPlot {
            try SweepReport.writeAtomically(accuracyPlot.svg, to: "\(directory)/plots/contrastive_accuracy.svg")
        }
    }

    /// Final training figures and, when present, transfer accuracy per task.
    public var markdown: String {
        var text = "# Run report: \(URL(fileURLWithPath: directory).lastPathComponent)\n\n"
        if let last = log.records.last {
            var training = MarkdownTable(header: ["last step", "loss", "contrastive accuracy", "median clips/s"])
            training.rows = [[String(last.step), fixedText(last.loss, decimals: 3), percentText(last.accuracy),
                              fixedText(log.medianClipsPerSecond, decimals: 1)]]
            let rule = RecordedLearningRate.schedule(runDirectory: directory).map { "Learning rate: \($0.rule).\n\n" } ?? ""
            text += "## Pretraining\n\n" + rule + training.markdown
                + "\nPlots: `plots/loss_curve.svg`, `plots/contrastive_accuracy.svg`.\n\n"
        }
        if let results {
            var table = MarkdownTable(header: ["task", "accuracy (%)", "classes", "train clips", "test clips"])
            table.rows = results.tasks.keys.sorted().map { name in
                let task = results.tasks[name]!
                guard let score = task.score else { return [name, task.status.rawValue, "–", "–", "–"] }
                return [name, percentText(score.accuracy), String(task.classes), String(task.trainClips), String(task.testClips)]
            } + [["mean", percentText(results.meanAccuracy), "", "", ""]]
            text += "## Transfer suite\n\n" + table.markdown
        }
        return text
    }

    /// Contrastive loss against the step.
    public var lossPlot: LinePlot {
        LinePlot(title: "Contrastive loss — \(URL(fileURLWithPath: directory).lastPathComponent)", xLabel: "step",
                 yLabel: "loss", xScale: .linear,
                 series: [LinePlot.Series(name: "loss", points: log.records.map { (Double($0.step), $0.loss) }, color: LinePlot.palette[0], strokeWidth: 2)])
    }

    /// Contrastive top-1 accuracy (%) against the step, when the log has it.
    public var accuracyPlot: LinePlot? {
        let points = log.records.compactMap { r in r.accuracy.map { (x: Double(r.step), y: $0 * 100) } }
        guard !points.isEmpty else { return nil }
        return LinePlot(title: "Contrastive accuracy — \(URL(fileURLWithPath: directory).lastPathComponent)", xLabel: "step",
                        yLabel: "top-1 accuracy (%)", xScale: .linear,
                        series: [LinePlot.Series(name: "contrastive accuracy", points: points, color: LinePlot.palette[1], strokeWidth: 2)])
    }
}
