import ColaModel
import ColaTraining
import Foundation
import XCTest
@testable import ColaPipeline

final class ReportPlotTests: XCTestCase {
    private func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    /// The x coordinates of the polyline named `name`.
    private func polylineXs(_ name: String, in svg: String) -> [Double] {
        let line = svg.split(separator: "\n").first { $0.contains(#"data-name="\#(name)""#) && $0.hasPrefix("<polyline") }!
        let points = line.components(separatedBy: #"points=""#)[1].prefix { $0 != "\"" }
        return points.split(separator: " ").map { Double($0.split(separator: ",")[0])! }
    }

    func testLogarithmicAxisSpacesDoublingsEquallyAndTicksAtPowersOfTwo() {
        let plot = LinePlot(title: "t", xLabel: "x", yLabel: "y", xScale: .logarithmic, series: [
            LinePlot.Series(name: "a", points: [(32, 1), (64, 2), (128, 3), (1024, 4)], color: "#000"),
        ])
        let xs = [32.0, 64, 128, 1024].map { plot.position(x: $0) }
        XCTAssertEqual(xs[1] - xs[0], xs[2] - xs[1], accuracy: 1e-9)
        XCTAssertEqual(xs[3] - xs[2], 3 * (xs[1] - xs[0]), accuracy: 1e-9, "128 → 1024 is three doublings")
        XCTAssertEqual(plot.xTickValues, [32, 64, 128, 256, 512, 1024])
        let svg = plot.svg
        for label in ["32", "64", "128", "256", "512", "1024"] {
            XCTAssertTrue(svg.contains(#"class="x-tick""#) && svg.contains(">\(label)</text>"), label)
        }
        XCTAssertEqual(count(#"class="x-tick""#, in: svg), 6)
        let drawn = polylineXs("a", in: svg)
        print("log-x positions:", drawn)
        XCTAssertEqual(drawn, xs.map { ($0 * 10).rounded() / 10 })
    }

    func testLinearAxisTicksAreNiceStepsAndYAxisCoversTheData() {
        let plot = LinePlot(title: "t", xLabel: "x", yLabel: "y", xScale: .linear, series: [
            LinePlot.Series(name: "loss", points: [(0, 4.2), (500, 3.1), (1000, 2.05)], color: "#000"),
        ])
        XCTAssertEqual(plot.xTickValues, [0, 200, 400, 600, 800, 1000])
        XCTAssertEqual(plot.yDomain, 2.0...4.5)
        XCTAssertEqual(plot.yTickValues, [2, 2.5, 3, 3.5, 4, 4.5])
        XCTAssertEqual(plot.position(y: 4.5), plot.frame.top, accuracy: 1e-9)
        XCTAssertEqual(plot.position(y: 2), plot.frame.top + plot.frame.height, accuracy: 1e-9)
        XCTAssertTrue(plot.svg.contains(">2.5</text>"))
    }

    func testOnePolylinePerSeriesAndADashedReferenceLine() {
        var plot = LinePlot(title: "A & B", xLabel: "x", yLabel: "y", xScale: .logarithmic, series: (0..<3).map { i in
            LinePlot.Series(name: "s\(i)", points: [(31, Double(i)), (63, Double(i) + 1)], color: LinePlot.palette[i], showsMarkers: true)
        })
        plot.referenceLines = [LinePlot.ReferenceLine(name: "random", y: 0.5)]
        let svg = plot.svg
        XCTAssertEqual(count("<polyline", in: svg), 3)
        XCTAssertEqual(count("<circle", in: svg), 6)
        XCTAssertEqual(count(#"class="reference""#, in: svg), 1)
        XCTAssertTrue(svg.contains("A &amp; B"), "text is escaped")
        XCTAssertTrue(svg.hasPrefix("<?xml") && svg.hasSuffix("</svg>\n"))
    }

    func testErrorBarsSpanLowToHighWithCapsAndWidenTheYAxis() {
        let plot = LinePlot(title: "t", xLabel: "x", yLabel: "y", xScale: .logarithmic, series: [
            LinePlot.Series(name: "mean", points: [(31, 50), (63, 55)], color: "#000", errorBars: [(31, 40, 60), (63, 54, 56)]),
        ])
        XCTAssertEqual(plot.yDomain, 40...60, "the bars, not only the points")
        let svg = plot.svg
        XCTAssertEqual(count(#"class="error-bar""#, in: svg), 2)
        let first = svg.split(separator: "\n").first { $0.contains(#"class="error-bar""#) }!
        let x = fixedText(plot.position(x: 31), decimals: 1)
        let low = fixedText(plot.position(y: 40), decimals: 1), high = fixedText(plot.position(y: 60), decimals: 1)
        XCTAssertTrue(first.contains(#"d="M\#(x) \#(low) V\#(high) "#), String(first))
        XCTAssertEqual(first.components(separatedBy: " H").count - 1, 2, "a cap at each end")
    }

    func testSweepWithSeedsPlotsGroupMeansWithOneStandardDeviationBars() {
        let report = SweepReport(summary: sweepSummaryFixture(seeds: [0, 1, 2]), logs: [:], directory: "/unused")
        let plot = report.accuracyPlot
        XCTAssertEqual(plot.series.count, 2 * 3, "per variant: mean + 2 tasks, not per seed")
        let mean = plot.series[0]
        for (point, expected) in zip(mean.points, [45.0, 46, 47]) {
            XCTAssertEqual(point.y, expected, accuracy: 1e-9, "means over seeds 0, 1, 2 (seed 1's values)")
        }
        XCTAssertEqual(mean.errorBars.count, 3)
        for (bar, point) in zip(mean.errorBars, mean.points) {
            XCTAssertEqual(bar.high - point.y, 1, accuracy: 1e-9, "one standard deviation of 0.00, 0.01, 0.02 in %")
            XCTAssertEqual(point.y - bar.low, 1, accuracy: 1e-9)
        }
        XCTAssertEqual(count(#"class="error-bar""#, in: plot.svg), 6 * 3)
        XCTAssertTrue(plot.yLabel.contains("mean ± std over seeds"))
        XCTAssertTrue(SweepReport(summary: sweepSummaryFixture(), logs: [:], directory: "/unused").accuracyPlot.series
            .allSatisfy { $0.errorBars.isEmpty }, "one run per point: no bars")
    }

    func testEmptyPlotSaysNoData() {
        let plot = LinePlot(title: "t", xLabel: "x", yLabel: "y", xScale: .logarithmic, series: [LinePlot.Series(name: "a", points: [], color: "#000")])
        XCTAssertTrue(plot.svg.contains("no data yet"))
    }

    func testTickLabelsAndNiceSteps() {
        XCTAssertEqual(LinePlot.label(65536), "65536")
        XCTAssertEqual(LinePlot.label(200_000), "200k")
        XCTAssertEqual(LinePlot.label(0.25), "0.25")
        XCTAssertEqual(LinePlot.label(-2), "-2")
        XCTAssertEqual(LinePlot.niceStep(span: 1000), 200)
        XCTAssertEqual(LinePlot.niceStep(span: 2.5), 0.5)
        XCTAssertEqual(LinePlot.niceStep(span: 37), 10)
    }

    func testSweepAccuracyPlotHasMeanAndEveryTaskPerVariantAtLogNegatives() throws {
        let report = SweepReport(summary: sweepSummaryFixture(), logs: [:], directory: "/unused")
        let svg = report.accuracyPlot.svg
        XCTAssertEqual(count("<polyline", in: svg), 2 * 3, "mean + 2 tasks, for 2 variants")
        let xs = polylineXs("mean (bilinear-global)", in: svg)
        XCTAssertEqual(xs.count, 3)
        XCTAssertEqual((xs[1] - xs[0]) / (xs[2] - xs[1]), log(63.0 / 31) / log(127.0 / 63), accuracy: 0.005,
                       "31 → 63 → 127 negatives: distances proportional to the log ratios")
        for tick in ["31", "63", "127"] { XCTAssertTrue(svg.contains(">\(tick)</text>"), tick) }
        XCTAssertEqual(count(#"class="reference""#, in: svg), 1, "one floor")
    }

    func testSweepLossPlotHasOneCurvePerMemberOverClipsSeen() {
        var logs: [String: MetricsLog] = [:]
        for member in sweepSummaryFixture().members {
            logs[member.id] = MetricsLog(records: (1...3).map { MetricsLog.Record(step: $0, loss: 4 - Double($0)) })
        }
        let report = SweepReport(summary: sweepSummaryFixture(), logs: logs, directory: "/unused")
        let plot = report.lossPlot
        XCTAssertEqual(count("<polyline", in: plot.svg), 6)
        XCTAssertEqual(plot.series[2].points.map(\.x), [64, 128, 192], "step × batch")
        XCTAssertEqual(plot.series[2].name, "B=64 (bilinear-global)")
    }
}

/// Three batch sizes × two variants, two tasks, with a baseline; with `seeds`, each member once per
/// seed, seed k's accuracies shifted by k/100 (so each group's mean is seed 1's and its standard
/// deviation 0.01 over seeds 0, 1, 2).
func sweepSummaryFixture(seeds: [UInt64]? = nil) -> SweepSummary {
    var members: [SweepSummary.Entry] = []
    let seedList: [UInt64?] = seeds ?? [nil]
    for seed in seedList {
        for batch in [32, 64, 128] {
            for (similarity, mode) in [(Similarity.bilinear, TrainingConfig.Negatives.global), (.cosine, .global)] {
                let gain = log2(Double(batch)) / 100 + Double(seed ?? 1) / 100 - 0.01
                let group = "\(similarity.rawValue)-\(mode.rawValue)/b\(batch)"
                let id = seed.map { "\(group)/s\($0)" } ?? group
                members.append(SweepSummary.Entry(
                    id: id, batchSize: batch, similarity: similarity, negativesMode: mode, negatives: batch - 1, steps: 10,
                    examples: 10 * batch, seed: seed, groupID: group, status: .finished,
                    learningRateRule: "constant; lr 1e-3", learningRateRuleForAnyBatch: "constant; lr 1e-3", peakLearningRate: 1e-3,
                    finalLoss: 1.5, finalContrastiveAccuracy: 0.9, clipsPerSecond: 55.25, meanAccuracy: 0.4 + gain,
                    tasks: ["nsynth": 0.5 + gain, "spcv1": 0.3 + gain]))
            }
        }
    }
    let baseline = SweepSummary.Baseline(name: "random encoder", meanAccuracy: 0.2, tasks: ["nsynth": 0.25, "spcv1": 0.15])
    return SweepSummary(name: "fixture", ranks: 2, members: members, baselines: [baseline])
}
