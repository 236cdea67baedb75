import ArgumentParser
import ColaPipeline
import ColaTraining
import Foundation

/// `cola report`: regenerate tables and plots from the JSON files of a run or sweep directory.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Regenerate tables and plots from a run or sweep directory.",
        discussion: """
            A sweep directory (with sweep.json) gets summary.json, summary.md and
            plots/{accuracy_vs_negatives,loss_curves}.svg; a run directory (with metrics.jsonl or
            eval/results.json) gets report.md, plots/loss_curve.svg and plots/contrastive_accuracy.svg.
            Example: cola report runs/demo
            """
    )

    @Argument(help: "A run directory (runs/<name>) or a sweep directory (runs/<sweep>).")
    var directory: String

    func run() throws {
        if FileManager.default.fileExists(atPath: "\(directory)/sweep.json") {
            let report = try SweepReport.load(directory: directory)
            try report.write()
            print(report.markdown)
            print("wrote \(directory)/summary.json, summary.md, plots/accuracy_vs_negatives.svg, plots/loss_curves.svg")
        } else {
            let report = try RunReport.load(directory: directory)
            try report.write()
            print(report.markdown)
            print("wrote \(directory)/report.md" + (report.log.records.isEmpty ? "" : ", plots/loss_curve.svg, plots/contrastive_accuracy.svg"))
        }
    }
}
