import Foundation
import XCTest
@testable import ColaTensor

final class BatchNormSwishKernelTests: XCTestCase {
    func testVectorExpIsWithinTwoUlpOfExp() {
        var worst = 0.0
        var x = Double(VectorExp.lowerBound)
        while x <= Double(VectorExp.upperBound) {
            var v = SIMD16<Float>()
            for i in 0..<16 { v[i] = Float(x + Double(i) * 1e-3) }
            let e = VectorExp.exp(v)
            for i in 0..<16 where v[i] <= VectorExp.upperBound {
                let exact = Foundation.exp(Double(v[i]))
                worst = max(worst, abs(Double(e[i]) - exact) / exact)
            }
            x += 0.0137
        }
        print("vector exp on [\(VectorExp.lowerBound), \(VectorExp.upperBound)]: max relative error \(worst)")
        XCTAssertLessThan(worst, 2.5e-7)
        let clamped = VectorExp.sigmoid(SIMD8<Float>(-200, -90, -20, 0, 20, 90, 200, .infinity))
        XCTAssertEqual(clamped[3], 0.5)
        XCTAssertEqual(clamped[6], 1)
        XCTAssertEqual(clamped[7], 1)
        XCTAssertGreaterThanOrEqual(clamped[0], 0)
        XCTAssertLessThan(clamped[0], 1e-37)
    }

    /// Mean 1000 with standard deviation 0.01: a one-pass Σx² in float would lose the variance.
    func testStatisticsKeepTheVarianceOfChannelsFarFromZero() {
        let rows = 3000, channels = 24
        var state: UInt64 = 12345
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let x = (0..<(rows * channels)).map { i in Float(1000 + Double(i % channels) + 0.02 * (uniform() - 0.5)) }
        var mean = [Float](repeating: 0, count: channels), variance = mean
        BatchNormSwishKernels.statistics(x, rows: rows, channels: channels, mean: &mean, variance: &variance)
        var worstMean = 0.0, worstVariance = 0.0
        for c in 0..<channels {
            var m = 0.0
            for r in 0..<rows { m += Double(x[r * channels + c]) }
            m /= Double(rows)
            var v = 0.0
            for r in 0..<rows { v += (Double(x[r * channels + c]) - m) * (Double(x[r * channels + c]) - m) }
            v /= Double(rows)
            worstMean = max(worstMean, abs(Double(mean[c]) - m) / abs(m))
            worstVariance = max(worstVariance, abs(Double(variance[c]) - v) / v)
        }
        print("batch statistics at mean 1000, std 0.006: max relative error mean \(worstMean), variance \(worstVariance)")
        XCTAssertLessThan(worstMean, 1e-7)
        XCTAssertLessThan(worstVariance, 1e-4)
    }
}
