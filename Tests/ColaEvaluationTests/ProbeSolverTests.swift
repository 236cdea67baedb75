import ColaCore
import Foundation
import XCTest
@testable import ColaEvaluation

/// The probe's parts on small inputs built here: the objective's gradient, L-BFGS, how `C` is
/// chosen, cross-validation folds, few-shot draws and the bootstrap interval.
final class ProbeSolverTests: XCTestCase {
    /// `clipsPerClass` clips of `classes` classes, `windows` rows each, `width` features:
    /// a class-dependent mean plus seeded noise.
    private func split(classes: Int, clipsPerClass: [Int], windows: Int = 2, width: Int = 3, seed: UInt64 = 1) -> EmbeddedSplit {
        var generator = SeededGenerator(state: seed)
        func noise() -> Float { Float(generator.next() >> 40) / Float(1 << 24) * 2 - 1 }
        var split = EmbeddedSplit(width: width)
        for (label, count) in clipsPerClass.enumerated() where label < classes {
            for _ in 0..<count {
                let clip = Int32(split.labels.count)
                split.labels.append(Int32(label))
                for _ in 0..<windows {
                    split.rows += (0..<width).map { j in (j == label % width ? 1 : 0) + noise() }
                    split.clipOfRow.append(clip)
                }
            }
        }
        return split
    }

    func testObjectiveGradientMatchesCentralDifferences() {
        let data = split(classes: 3, clipsPerClass: [4, 5, 3], width: 4)
        let objective = MultinomialLogisticObjective(rows: data.rows, labels: data.rowLabels, width: 4, classes: 3, inverseRegularization: 0.7)
        var generator = SeededGenerator(state: 3)
        let point = (0..<objective.parameterCount).map { _ in Double(generator.next() >> 11) / Double(1 << 53) - 0.5 }
        var gradient = [Double](repeating: 0, count: point.count)
        _ = objective.meanValue(at: point, gradient: &gradient)
        var worst = 0.0
        var scratch = gradient
        for i in point.indices {
            var plus = point, minus = point
            plus[i] += 1e-3
            minus[i] -= 1e-3
            let numeric = (objective.meanValue(at: plus, gradient: &scratch) - objective.meanValue(at: minus, gradient: &scratch)) / 2e-3
            worst = max(worst, abs(numeric - gradient[i]))
        }
        print("objective gradient vs central differences: max |Δ| \(worst)")
        XCTAssertLessThan(worst, 2e-5)
    }

    func testLBFGSFindsTheMinimumOfAnIllConditionedQuadratic() {
        // f(x) = ½ Σ dᵢ (xᵢ − i)², d from 1 to 1000.
        let scales = (0..<20).map { pow(1000, Double($0) / 19) }
        var solver = LimitedMemoryBFGS()
        solver.gradientTolerance = 1e-9
        let result = solver.minimize(from: [Double](repeating: 0, count: 20)) { x, gradient in
            var value = 0.0
            for i in x.indices {
                gradient[i] = scales[i] * (x[i] - Double(i))
                value += 0.5 * scales[i] * (x[i] - Double(i)) * (x[i] - Double(i))
            }
            return value
        }
        XCTAssertTrue(result.converged)
        for i in 0..<20 { XCTAssertEqual(result.point[i], Double(i), accuracy: 1e-8) }
        XCTAssertLessThan(result.iterations, 330, "scipy's L-BFGS-B (maxcor 10) takes 220 iterations here")
    }

    func testAutomaticSelectionUsesValidationThenCrossValidationThenTheFixedC() {
        let options = ProbeOptions()
        let train = split(classes: 3, clipsPerClass: [6, 6, 6])
        XCTAssertEqual(RegularizationSearch.method(train: train, valid: split(classes: 3, clipsPerClass: [1, 1, 1]), classes: 3, options: options), .validation)
        XCTAssertEqual(RegularizationSearch.method(train: train, valid: split(classes: 3, clipsPerClass: [1, 0, 1]), classes: 3, options: options),
                       .crossValidation(folds: 5), "a class without validation clips")
        let fewClips = split(classes: 3, clipsPerClass: [5, 9, 9])
        XCTAssertEqual(RegularizationSearch.method(train: fewClips, valid: EmbeddedSplit(width: 3), classes: 3, options: options), .fixed,
                       "fewer than 6 clips in a class")
        var crossValidation = options
        crossValidation.selection = .crossValidation
        XCTAssertEqual(RegularizationSearch.method(train: fewClips, valid: EmbeddedSplit(width: 3), classes: 3, options: crossValidation), .crossValidation(folds: 5))
        let threeShot = split(classes: 3, clipsPerClass: [3, 3, 3])
        XCTAssertEqual(RegularizationSearch.method(train: threeShot, valid: EmbeddedSplit(width: 3), classes: 3, options: crossValidation), .crossValidation(folds: 3))
        let oneShot = split(classes: 3, clipsPerClass: [1, 1, 1])
        XCTAssertEqual(RegularizationSearch.method(train: oneShot, valid: EmbeddedSplit(width: 3), classes: 3, options: options), .fixed)
        let outcome = RegularizationSearch.run(train: oneShot, valid: EmbeddedSplit(width: 3), classes: 3, options: options)
        XCTAssertEqual(outcome.fit.regularization, options.fixedRegularization)
        XCTAssertNil(outcome.heldOutAccuracy)
    }

    func testNoValidationSplitIsCarvedFromFewerThanSixClipsPerClass() {
        func task(clipsPerClass: Int) -> TaskData {
            let train = (0..<(2 * clipsPerClass)).map { LabeledClip(path: "/t/\($0).wav", label: $0 % 2, source: "s\($0)") }
            return TaskData(name: "t", classNames: ["a", "b"], train: train, valid: [], test: train)
        }
        let few = TransferSuite.withValidationSplit(task(clipsPerClass: 5), probe: ProbeOptions())
        XCTAssertEqual([few.train.count, few.valid.count], [10, 0])
        let enough = TransferSuite.withValidationSplit(task(clipsPerClass: 10), probe: ProbeOptions())
        XCTAssertEqual([enough.train.count, enough.valid.count], [18, 2], "10% of each class's sources")
    }

    func testValidationPicksTheBestHeldOutCAndTheProbeFittedAtIt() {
        let train = split(classes: 3, clipsPerClass: [8, 8, 8], seed: 5)
        let valid = split(classes: 3, clipsPerClass: [4, 4, 4], seed: 6)
        var options = ProbeOptions()
        options.grid = [0.001, 0.1, 10]
        let outcome = RegularizationSearch.run(train: train, valid: valid, classes: 3, options: options)
        XCTAssertEqual(outcome.method, .validation)
        let direct = LogisticRegression.fit(rows: train.rows, labels: train.rowLabels, width: 3, classes: 3, regularization: outcome.fit.regularization, options: options)
        let scores = ClipScores(rowLogits: outcome.fit.probe.logits(valid.rows, count: valid.rowCount), split: valid, classCount: 3)
        XCTAssertEqual(outcome.heldOutAccuracy, scores.accuracy)
        XCTAssertEqual(outcome.fit.objective, direct.objective, accuracy: 1e-5 * direct.objective, "warm start reaches the same optimum")
        for candidate in options.grid {
            let fit = LogisticRegression.fit(rows: train.rows, labels: train.rowLabels, width: 3, classes: 3, regularization: candidate, options: options)
            let accuracy = ClipScores(rowLogits: fit.probe.logits(valid.rows, count: valid.rowCount), split: valid, classCount: 3).accuracy
            XCTAssertLessThanOrEqual(accuracy, scores.accuracy, "C=\(candidate) scores no better than the chosen \(outcome.fit.regularization)")
        }
    }

    func testStratifiedFoldsHoldEveryClipOnceAndEveryClassEvenly() {
        let data = split(classes: 3, clipsPerClass: [7, 5, 3])
        let folds = RegularizationSearch.stratifiedFolds(data, classes: 3, folds: 3, seed: 11)
        XCTAssertEqual(folds.flatMap { $0 }.sorted(), Array(0..<15))
        for fold in folds {
            let counts = (0..<3).map { c in fold.filter { data.labels[$0] == Int32(c) }.count }
            XCTAssertTrue([2, 3].contains(counts[0]) && [1, 2].contains(counts[1]) && counts[2] == 1, "\(counts)")
        }
        XCTAssertEqual(folds, RegularizationSearch.stratifiedFolds(data, classes: 3, folds: 3, seed: 11), "seeded")
        XCTAssertNotEqual(folds, RegularizationSearch.stratifiedFolds(data, classes: 3, folds: 3, seed: 12))
    }

    func testFewShotDrawsTakeKClipsPerClassSeededByDraw() {
        var data = split(classes: 3, clipsPerClass: [10, 10, 2])
        data.clipOfRow.removeAll { $0 == 0 }  // clip 0 unreadable: no rows
        data.rows.removeFirst(2 * 3)
        let first = FewShotDraw.clips(of: data, classes: 3, shots: 3, seed: 0, draw: 0)
        let counts = (0..<3).map { c in first.filter { data.labels[$0] == Int32(c) }.count }
        XCTAssertEqual(counts, [3, 3, 2], "a class with fewer clips gives all it has")
        XCTAssertFalse(first.contains(0), "never an unreadable clip")
        XCTAssertEqual(first, FewShotDraw.clips(of: data, classes: 3, shots: 3, seed: 0, draw: 0))
        XCTAssertNotEqual(first, FewShotDraw.clips(of: data, classes: 3, shots: 3, seed: 0, draw: 1))
        let subset = data.keepingClips(first)
        XCTAssertEqual(subset.clipCount, 8)
        XCTAssertEqual(subset.rowCount, 16)
        XCTAssertEqual(subset.labels, first.map { data.labels[$0] })
    }

    func testBootstrapIntervalOfAnAccuracyHasTheBinomialWidth() throws {
        // 100 clips, 80 correct: the normal approximation gives 0.80 ± 1.96 × 0.04 = [0.72, 0.88].
        let correct = (0..<100).map { $0 < 80 ? 1.0 : 0.0 }
        let interval = try XCTUnwrap(BootstrapInterval.percentile95(count: 100, resamples: 1000, seed: 0) { indices in
            indices.reduce(0) { $0 + correct[$1] } / Double(indices.count)
        })
        print("bootstrap 95% interval of 80/100: [\(interval.lower), \(interval.upper)]")
        XCTAssertEqual(interval.lower, 0.72, accuracy: 0.021)
        XCTAssertEqual(interval.upper, 0.88, accuracy: 0.021)
        let again = BootstrapInterval.percentile95(count: 100, resamples: 1000, seed: 0) { indices in
            indices.reduce(0) { $0 + correct[$1] } / Double(indices.count)
        }
        XCTAssertEqual(again, interval, "seeded")
    }
}
