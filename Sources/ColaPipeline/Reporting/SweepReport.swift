import ColaTraining
import Foundation

/// The files `cola sweep` and `cola report` write into a sweep directory: `summary.json`,
/// `summary.md`, `plots/accuracy_vs_negatives.svg` and `plots/loss_curves.svg`.
public struct SweepReport {
    public let summary: SweepSummary
    /// Each member's metrics log, by member id.
    public let logs: [String: MetricsLog]
    public let directory: String

    /// Reads the members of `plan` from `directory`.
    public init(plan: SweepPlan, directory: String) {
        self.summary = SweepSummary.collect(plan: plan, directory: directory)
        self.logs = Dictionary(uniqueKeysWithValues: plan.members.map {
            ($0.id, MetricsLog.read(at: SweepMemberFiles(sweepDirectory: directory, memberID: $0.id).metrics))
        })
        self.directory = directory
    }

    public init(summary: SweepSummary, logs: [String: MetricsLog], directory: String) {
        self.summary = summary
        self.logs = logs
        self.directory = directory
    }

    /// Reads `sweep.json` in `directory` and the members' files.
    public static func load(directory: String) throws -> SweepReport {
        let path = "\(directory)/sweep.json"
        guard let data = FileManager.default.contents(atPath: path) else { throw SweepError.nothingToReport(directory: directory) }
        return SweepReport(plan: try JSONDecoder().decode(SweepPlan.self, from: data), directory: directory)
    }

    /// Writes the summary, the table and both plots.
    public func write() throws {
        try FileManager.default.createDirectory(atPath: "\(directory)/plots", withIntermediateDirectories: true)
        try Self.writeAtomically(Self.json(summary), to: "\(directory)/summary.json")
        try Self.writeAtomically(markdown, to: "\(directory)/summary.md")
        try Self.writeAtomically(accuracyPlot.svg, to: "\(directory)/plots/accuracy_vs_negatives.svg")
        try Self.writeAtomically(lossPlot.svg, to: "\(directory)/plots/loss_curves.svg")
    }

    /// `summary.md`: the learning-rate rule, one row per member with its training figures and
    /// transfer accuracies (%), and with seeds a table of mean ± standard deviation over them.
    public var markdown: String {
        let tasks = summary.taskNames
        let showVariant = summary.variants.count > 1
        let seeds = summary.hasSeeds
        var header = ["member", "batch", "negatives"]
        if showVariant { header += ["similarity", "negatives from"] }
        if seeds { header.append("seed") }
        header += ["steps", "clips", "peak lr", "final loss", "clips/s", "status"] + tasks + ["mean"]
        var table = MarkdownTable(header: header)
        for entry in summary.members {
            var row = [entry.id, String(entry.batchSize), String(entry.negatives)]
            if showVariant { row += [entry.similarity.rawValue, entry.negativesMode.rawValue] }
            if seeds { row.append(entry.seed.map(String.init) ?? "–") }
            row += [String(entry.steps), String(entry.examples), entry.peakLearningRate.map(LearningRateSchedule.number) ?? "–",
                    fixedText(entry.finalLoss, decimals: 3), fixedText(entry.clipsPerSecond, decimals: 1), entry.status.rawValue]
            row += tasks.map { percentText(entry.tasks[$0]) } + [percentText(entry.meanAccuracy)]
            table.rows.append(row)
        }
        for baseline in summary.baselines {
            var row = [baseline.name, "–", "–"]
            if showVariant { row += ["–", "–"] }
            if seeds { row.append("–") }
            row += ["–", "–", "–", "–", "–", "floor"] + tasks.map { percentText(baseline.tasks[$0]) } + [percentText(baseline.meanAccuracy)]
            table.rows.append(row)
        }
        var text = """
            # Sweep \(summary.name)

            Transfer accuracy (%) of a linear probe on the frozen encoder, per task, after pretraining
            with each batch size; negatives per anchor = global batch − 1 (global negatives) or
            per-rank batch − 1 (local negatives). \(summary.ranks) rank(s) per member. Floor rows: encoders
            without pretraining that `cola eval` scores beside every checkpoint (mean over the same tasks).
            \(learningRateText)
            \(table.markdown)
            """
        text += "\n" + (seeds ? seedMarkdown : "")
        return text + "Plots: `plots/accuracy_vs_negatives.svg`, `plots/loss_curves.svg`.\n"
    }

    /// The rules the members ran with, for any batch size (peak per member in the table).
    private var learningRateText: String {
        var rules: [String: [String]] = [:]
        var order: [String] = []
        for entry in summary.members {
            guard let rule = entry.learningRateRuleForAnyBatch else { continue }
            if rules[rule] == nil { order.append(rule) }
            rules[rule, default: []].append(entry.id)
        }
        switch order.count {
        case 0: return ""
        case 1 where rules[order[0]]!.count == summary.members.count:
            return "Learning rate (every member, B = batch size): \(order[0]).\n"
        default:
            return "Learning rates (B = batch size): " + order.map { "\($0) (\(rules[$0]!.joined(separator: ", ")))" }
                .joined(separator: "; ") + ".\n"
        }
    }

    /// Mean ± sample standard deviation over the finished seeds of each group, floors repeated.
    private var seedMarkdown: String {
        let tasks = summary.taskNames
        let showVariant = summary.variants.count > 1
        var header = ["group", "batch", "negatives"]
        if showVariant { header += ["similarity", "negatives from"] }
        header += ["steps", "seeds", "final loss"] + tasks + ["mean"]
        var table = MarkdownTable(header: header)
        for group in summary.groups {
            var row = [group.id, String(group.batchSize), String(group.negatives)]
            if showVariant { row += [group.similarity.rawValue, group.negativesMode.rawValue] }
            row += [String(group.steps), "\(group.finished)/\(group.seeds.count)", spreadText(group.finalLoss, scale: 1, decimals: 3)]
            row += tasks.map { spreadText(group.tasks[$0], scale: 100, decimals: 1) } + [spreadText(group.meanAccuracy, scale: 100, decimals: 1)]
            table.rows.append(row)
        }
        for baseline in summary.baselines {
            var row = [baseline.name, "–", "–"]
            if showVariant { row += ["–", "–"] }
            row += ["–", "–", "floor"] + tasks.map { percentText(baseline.tasks[$0]) } + [percentText(baseline.meanAccuracy)]
            table.rows.append(row)
        }
        return """
            ## Over seeds

            Mean ± sample standard deviation (n − 1) over the seeds with results (`seeds`: finished / planned);
            one seed shows its value alone.

            \(table.markdown)

            """
    }

    private static let variantDashes: [String?] = [nil, "8 4", "2 3", "10 3 2 3"]

    /// Mean (thick, black) and per-task transfer accuracy (%) against negatives per anchor, log x;
    /// one dash pattern per variant; with seeds, each point the mean over them and an error bar of
    /// ± one standard deviation; each floor's mean as a dashed reference line.
    public var accuracyPlot: LinePlot {
        let tasks = summary.taskNames
        let variants = summary.variants
        var series: [LinePlot.Series] = []
        func line(_ name: String, _ groups: [SweepSummary.Group], _ value: (SweepSummary.Group) -> SweepSummary.Spread?,
                  color: String, width: Double, dash: String?) -> LinePlot.Series {
            let spreads = groups.compactMap { group in value(group).map { (x: Double(group.negatives), spread: $0) } }
            let bars = spreads.compactMap { point in
                point.spread.standardDeviation.map { (x: point.x, low: (point.spread.mean - $0) * 100, high: (point.spread.mean + $0) * 100) }
            }
            return LinePlot.Series(name: name, points: spreads.map { ($0.x, $0.spread.mean * 100) }, color: color, strokeWidth: width,
                                   dash: dash, showsMarkers: true, errorBars: bars)
        }
        for (variantIndex, variant) in variants.enumerated() {
            let groups = summary.groups.filter { $0.variant == variant }
            let suffix = variants.count > 1 ? " (\(variant.name))" : ""
            let dash = Self.variantDashes[variantIndex % Self.variantDashes.count]
            series.append(line("mean" + suffix, groups, \.meanAccuracy, color: "#000000", width: 3, dash: dash))
            for (taskIndex, task) in tasks.enumerated() {
                series.append(line(task + suffix, groups, { $0.tasks[task] }, color: LinePlot.palette[taskIndex % LinePlot.palette.count],
                                   width: 1.5, dash: dash))
            }
        }
        var plot = LinePlot(title: "Transfer accuracy vs negatives — \(summary.name)",
                            xLabel: "negatives per anchor (log scale)",
                            yLabel: summary.hasSeeds ? "transfer accuracy (%), mean ± std over seeds" : "transfer accuracy (%)",
                            xScale: .logarithmic, series: series)
        plot.xTicks = Array(Set(summary.members.map { Double($0.negatives) })).sorted()
        let floorColors = ["#7f7f7f", "#b5651d", "#4b0082"]
        plot.referenceLines = summary.baselines.enumerated().map { index, baseline in
            LinePlot.ReferenceLine(name: "mean, \(baseline.name)", y: baseline.meanAccuracy * 100, color: floorColors[index % floorColors.count])
        }
        return plot
    }

    /// Contrastive loss against clips seen, one line per member (colour by batch size, dash by variant,
    /// one line per seed).
    public var lossPlot: LinePlot {
        let batches = Array(Set(summary.members.map(\.batchSize))).sorted()
        let variants = summary.variants
        let series = summary.members.map { entry -> LinePlot.Series in
            let records = logs[entry.id]?.records ?? []
            let colorIndex = batches.firstIndex(of: entry.batchSize) ?? 0
            let variantIndex = variants.firstIndex(of: entry.variant) ?? 0
            let seed = entry.seed.map { " seed \($0)" } ?? ""
            let name = (variants.count > 1 ? "B=\(entry.batchSize) (\(entry.variant.name))" : "B=\(entry.batchSize)") + seed
            return LinePlot.Series(
                name: name, points: records.map { (Double($0.step * entry.batchSize), $0.loss) },
                color: LinePlot.palette[colorIndex % LinePlot.palette.count], strokeWidth: 1.5,
                dash: Self.variantDashes[variantIndex % Self.variantDashes.count])
        }
        return LinePlot(title: "Contrastive loss — \(summary.name)", xLabel: "clips seen (step × batch size)",
                        yLabel: "loss (chance = ln B)", xScale: .linear, series: series)
    }

    /// `62.3 ± 1.2` (values × `scale`), the mean alone for one seed, `–` for none.
    private func spreadText(_ spread: SweepSummary.Spread?, scale: Double, decimals: Int) -> String {
        guard let spread else { return "–" }
        let mean = fixedText(spread.mean * scale, decimals: decimals)
        return spread.standardDeviation.map { "\(mean) ± \(fixedText($0 * scale, decimals: decimals))" } ?? mean
    }

    /// Pretty-printed JSON with sorted keys.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    /// Writes through a temporary file and a rename, so a reader (or a concurrent array task)
    /// never sees half a file.
    static func writeAtomically(_ text: String, to path: String) throws {
        let temporary = "\(path).tmp-\(getpid())"
        try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        if rename(temporary, path) != 0 {
            let code = errno
            try? FileManager.default.removeItem(atPath: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path, NSUnderlyingErrorKey: POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)])
        }
    }
}
