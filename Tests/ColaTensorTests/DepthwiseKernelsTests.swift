import XCTest
@testable import ColaTensor

final class DepthwiseKernelsTests: XCTestCase {
    /// The weight gradient in double precision, term by term, as the definition reads.
    private func naiveGradient(x: FeatureMap, dy: FeatureMap, k: Int, s: Int, p: Int) -> [Double] {
        let c = x.channels
        var out = [Double](repeating: 0, count: c * k * k)
        for n in 0..<dy.batch {
            for oy in 0..<dy.height {
                for ox in 0..<dy.width {
                    for ky in 0..<k {
                        for kx in 0..<k {
                            let iy = oy * s + ky - p, ix = ox * s + kx - p
                            guard iy >= 0, iy < x.height, ix >= 0, ix < x.width else { continue }
                            for ch in 0..<c {
                                let g = Double(dy.pointer[((n * dy.height + oy) * dy.width + ox) * c + ch])
                                let v = Double(x.pointer[((n * x.height + iy) * x.width + ix) * c + ch])
                                out[(ch * k + ky) * k + kx] += g * v
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    func testWeightGradientMatchesTheDefinitionForFullAndPartialChannelBlocks() {
        var state: UInt64 = 42
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24) - 0.5
        }
        for (channels, k, s, size) in [(40, 5, 1, 9), (40, 5, 2, 10), (16, 3, 2, 7), (24, 5, 2, 5), (8, 1, 1, 4)] {
            let p = s == 1 ? k / 2 : k / 2 - 1
            let outSize = (size + p + k / 2 - k) / s + 1
            let batch = 3
            let xs = FloatBuffer((0..<(batch * size * size * channels)).map { _ in next() })
            let gs = FloatBuffer((0..<(batch * outSize * outSize * channels)).map { _ in next() })
            let x = FeatureMap(xs.pointer, batch: batch, channels: channels, height: size, width: size)
            let dy = FeatureMap(gs.pointer, batch: batch, channels: channels, height: outSize, width: outSize)
            let gradient = FloatBuffer((0..<(channels * k * k)).map { _ in 1 })
            DepthwiseKernels.accumulateWeightGradient(x: x, dy: dy, kernel: k, stride: s, paddingBefore: p, into: gradient.pointer)
            let expected = naiveGradient(x: x, dy: dy, k: k, s: s, p: p)
            let error = (0..<expected.count).map { abs(Double(gradient[$0]) - 1 - expected[$0]) }.max()!
            print("depthwise weight gradient C\(channels) k\(k) s\(s) \(size)×\(size): max abs error \(error)")
            XCTAssertLessThan(error, 1e-5)
        }
    }
}
