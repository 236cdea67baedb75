import ColaTensor
import Foundation
import XCTest
@testable import ColaEvaluation

/// Cola's logistic-regression probe against scikit-learn's `LogisticRegression(C, lbfgs)` on the
/// same float32 features (`Fixtures/probe_reference.json`, written by
/// `benchmarks/reference/probe_reference.py`): objective, log-loss, accuracy and coefficients.
final class ProbeReferenceTests: XCTestCase {
    /// The fixture: features, labels, and scikit-learn's fit per C.
    private struct Reference: Decodable {
        struct Fit: Decodable {
            var C: Double
            var objective: Double
            var train_log_loss: Double
            var train_accuracy: Double
            var test_log_loss: Double
            var test_accuracy: Double
            var iterations: Int
            var coefficients: [[Double]]
            var intercepts: [Double]
        }

        var width: Int
        var classes: Int
        var train_features: [String]
        var train_labels: [Int32]
        var test_features: [String]
        var test_labels: [Int32]
        var multiclass: [Fit]
        var binary: [Fit]
    }

    private func reference() throws -> Reference {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/probe_reference.json").path
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Rows of the given labels only (all when `keep` is nil), as float32.
    private func rows(_ values: [String], _ labels: [Int32], width: Int, keep: Set<Int32>?) -> (rows: [Float], labels: [Int32]) {
        var kept: [Float] = []
        var keptLabels: [Int32] = []
        for (row, label) in labels.enumerated() where keep?.contains(label) ?? true {
            kept += values[(row * width)..<((row + 1) * width)].map { Float($0)! }
            keptLabels.append(label)
        }
        return (kept, keptLabels)
    }

    /// Mean log-loss and accuracy of `probe` on `rows`, in double precision.
    private func logLossAndAccuracy(_ probe: LinearProbe, rows: [Float], labels: [Int32]) -> (Double, Double) {
        let logits = probe.logits(rows, count: labels.count)
        var loss = 0.0
        var correct = 0
        for (row, label) in labels.enumerated() {
            let z = (0..<probe.classes).map { Double(logits[row * probe.classes + $0]) }
            let peak = z.max()!
            loss += peak + log(z.reduce(0) { $0 + exp($1 - peak) }) - z[Int(label)]
            if z.firstIndex(of: peak) == Int(label) { correct += 1 }
        }
        return (loss / Double(labels.count), Double(correct) / Double(labels.count))
    }

    private func compare(_ fits: [Reference.Fit], classes: Int, keep: Set<Int32>?, reference: Reference) {
        let train = rows(reference.train_features, reference.train_labels, width: reference.width, keep: keep)
        let test = rows(reference.test_features, reference.test_labels, width: reference.width, keep: keep)
        var options = ProbeOptions()
        options.tolerance = 1e-7
        for expected in fits {
            let fit = LogisticRegression.fit(rows: train.rows, labels: train.labels, width: reference.width, classes: classes,
                                             regularization: expected.C, options: options)
            let (trainLoss, trainAccuracy) = logLossAndAccuracy(fit.probe, rows: train.rows, labels: train.labels)
            let (testLoss, testAccuracy) = logLossAndAccuracy(fit.probe, rows: test.rows, labels: test.labels)
            // scikit-learn's coefficients: one row per class, or one row (class 1 − class 0) for two classes.
            var coefficientDifference = 0.0
            var interceptDifference = 0.0
            let width = reference.width
            for (row, coefficients) in expected.coefficients.enumerated() {
                for j in 0..<width {
                    let mine = classes == 2
                        ? Double(fit.probe.weights[j * 2 + 1] - fit.probe.weights[j * 2])
                        : Double(fit.probe.weights[j * classes + row])
                    coefficientDifference = max(coefficientDifference, abs(mine - coefficients[j]))
                }
            }
            let myIntercepts = classes == 2 ? [Double(fit.probe.bias[1] - fit.probe.bias[0])] : fit.probe.bias.map(Double.init)
            let myCenter = myIntercepts.reduce(0, +) / Double(myIntercepts.count)
            let theirCenter = expected.intercepts.reduce(0, +) / Double(expected.intercepts.count)
            for (mine, theirs) in zip(myIntercepts, expected.intercepts) {
                interceptDifference = max(interceptDifference, abs((mine - (classes == 2 ? 0 : myCenter)) - (theirs - (classes == 2 ? 0 : theirCenter))))
            }
            let largest = expected.coefficients.flatMap { $0 }.map(abs).max()!
            print(String(format: "%@ C=%g: objective %.6f vs %.6f (rel %.1e), train log-loss %.6f vs %.6f, test log-loss %.6f vs %.6f, "
                + "accuracy train %.4f/%.4f test %.4f/%.4f, max |Δcoef| %.2e (largest coef %.2f), max |Δintercept| %.2e, iterations %d vs %d%@",
                classes == 2 ? "binary" : "multiclass", expected.C, fit.objective, expected.objective, abs(fit.objective / expected.objective - 1),
                trainLoss, expected.train_log_loss, testLoss, expected.test_log_loss, trainAccuracy, expected.train_accuracy,
                testAccuracy, expected.test_accuracy, coefficientDifference, largest, interceptDifference, fit.iterations, expected.iterations,
                fit.converged ? "" : " (not converged)"))
            XCTAssertTrue(fit.converged, "C=\(expected.C)")
            XCTAssertEqual(fit.objective, expected.objective, accuracy: 1e-6 * expected.objective, "C=\(expected.C)")
            XCTAssertEqual(trainLoss, expected.train_log_loss, accuracy: 1e-5, "C=\(expected.C)")
            XCTAssertEqual(testLoss, expected.test_log_loss, accuracy: 1e-5, "C=\(expected.C)")
            XCTAssertEqual(trainAccuracy, expected.train_accuracy, "C=\(expected.C)")
            XCTAssertEqual(testAccuracy, expected.test_accuracy, "C=\(expected.C)")
            XCTAssertLessThan(coefficientDifference, 1e-3 * max(largest, 1), "C=\(expected.C)")
            XCTAssertLessThan(interceptDifference, 1e-3, "C=\(expected.C)")
        }
    }

    func testMulticlassProbeMatchesScikitLearn() throws {
        let reference = try reference()
        compare(reference.multiclass, classes: reference.classes, keep: nil, reference: reference)
    }

    func testBinaryProbeMatchesScikitLearnsBinomialModel() throws {
        let reference = try reference()
        compare(reference.binary, classes: 2, keep: [0, 1], reference: reference)
    }

    func testSolverIsBitIdenticalAcrossRunsAndBLASThreadCounts() throws {
        let reference = try reference()
        let train = rows(reference.train_features, reference.train_labels, width: reference.width, keep: nil)
        func fit() -> LogisticRegression.Fit {
            LogisticRegression.fit(rows: train.rows, labels: train.labels, width: reference.width, classes: reference.classes,
                                   regularization: 1, options: ProbeOptions())
        }
        let threads = BLAS.threadCount
        defer { BLAS.setThreadCount(threads) }
        BLAS.setThreadCount(2)
        let first = fit()
        let second = fit()
        BLAS.setThreadCount(1)
        let single = fit()
        XCTAssertEqual(first.probe, second.probe, "twice on 2 threads")
        XCTAssertEqual(first.probe, single.probe, "2 threads vs 1")
        XCTAssertEqual(first.objective.bitPattern, single.objective.bitPattern)
        XCTAssertEqual(first.iterations, single.iterations)
    }
}
