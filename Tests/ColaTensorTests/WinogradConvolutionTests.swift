import XCTest
@testable import ColaTensor

final class WinogradConvolutionTests: XCTestCase {
    /// A convolution problem in blocks of 8 channels with random input, weights and output gradient.
    private struct Problem {
        let batch: Int, inputChannels: Int, outputChannels: Int, height: Int, width: Int
        let x: FloatBuffer, w: FloatBuffer, dy: FloatBuffer

        init(batch: Int, inputChannels: Int, outputChannels: Int, height: Int, width: Int, seed: UInt64) {
            self.batch = batch
            self.inputChannels = inputChannels
            self.outputChannels = outputChannels
            self.height = height
            self.width = width
            var state = seed
            func next() -> Float {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Float(state >> 40) / Float(1 << 24) - 0.5
            }
            x = FloatBuffer((0..<(batch * inputChannels * height * width)).map { _ in next() })
            w = FloatBuffer((0..<(outputChannels * inputChannels * 9)).map { _ in next() })
            dy = FloatBuffer((0..<(batch * outputChannels * height * width)).map { _ in next() })
        }

        func map(_ buffer: FloatBuffer, channels: Int) -> FeatureMap {
            FeatureMap(buffer.pointer, batch: batch, channels: channels, height: height, width: width, storage: .blocks8)
        }

        /// Index of (n, c, y, x) in a map of `channels` in blocks of 8.
        func index(_ n: Int, _ c: Int, _ y: Int, _ x: Int, channels: Int) -> Int {
            (((n * (channels / 8) + c / 8) * height + y) * width + x) * 8 + c % 8
        }

        /// Calls `body(n, co, ci, y, x, iy, ix, tap)` for every term of the 'same' 3×3 convolution.
        func forEachTerm(_ body: (Int, Int, Int, Int, Int, Int, Int, Int) -> Void) {
            for n in 0..<batch {
                for co in 0..<outputChannels {
                    for ci in 0..<inputChannels {
                        for y in 0..<height {
                            for x in 0..<width {
                                for ky in 0..<3 {
                                    let iy = y + ky - 1
                                    guard iy >= 0 && iy < height else { continue }
                                    for kx in 0..<3 {
                                        let ix = x + kx - 1
                                        guard ix >= 0 && ix < width else { continue }
                                        body(n, co, ci, y, x, iy, ix, (co * inputChannels + ci) * 9 + ky * 3 + kx)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        /// Output, input gradient and weight gradient by the definition, in double precision.
        func reference() -> (y: [Double], dx: [Double], dw: [Double]) {
            var y = [Double](repeating: 0, count: dy.count), dx = [Double](repeating: 0, count: x.count)
            var dw = [Double](repeating: 0, count: w.count)
            forEachTerm { n, co, ci, oy, ox, iy, ix, tap in
                let out = index(n, co, oy, ox, channels: outputChannels), input = index(n, ci, iy, ix, channels: inputChannels)
                y[out] += Double(w[tap]) * Double(x[input])
                dx[input] += Double(w[tap]) * Double(dy[out])
                dw[tap] += Double(dy[out]) * Double(x[input])
            }
            return (y, dx, dw)
        }

        /// Output, input gradient and weight gradient (accumulated onto `initialGradient`) by Winograd.
        func winograd(initialGradient: Float = 0) -> (y: FloatBuffer, dx: FloatBuffer, dw: FloatBuffer) {
            let workspace = WinogradWorkspace()
            let input = map(x, channels: inputChannels)
            let transformed = FloatBuffer(count: WinogradConvolution.transformedCount(input))
            let y = FloatBuffer(count: dy.count)
            WinogradConvolution.forward(input, keepingTransformedInputIn: transformed.pointer, weights: w.pointer,
                                        output: map(y, channels: outputChannels), workspace: workspace)
            let retransformed = FloatBuffer(count: transformed.count)
            WinogradConvolution.transformInput(input, into: retransformed.pointer)
            XCTAssertEqual((0..<transformed.count).filter { transformed[$0] != retransformed[$0] }.count, 0,
                           "the forward's transformed input differs from transformInput's")
            let dx = FloatBuffer(count: x.count)
            WinogradConvolution.backwardData(outputGradient: map(dy, channels: outputChannels), weights: w.pointer,
                                             inputGradient: map(dx, channels: inputChannels), workspace: workspace)
            let dw = FloatBuffer([Float](repeating: initialGradient, count: w.count))
            WinogradConvolution.accumulateWeightGradient(transformedInput: transformed.pointer, inputChannels: inputChannels,
                                                         outputGradient: map(dy, channels: outputChannels), into: dw.pointer,
                                                         workspace: workspace)
            return (y, dx, dw)
        }
    }

    /// Largest difference relative to the largest reference magnitude.
    private func relativeError(_ actual: FloatBuffer, _ expected: [Double], offset: Double = 0) -> Double {
        let scale = expected.map(abs).max()!
        return (0..<expected.count).map { abs(Double(actual[$0]) - offset - expected[$0]) }.max()! / scale
    }

    func testForwardAndBothGradientsMatchTheDirectConvolutionIncludingBordersAndPartialTiles() {
        // The last spans two chunks of tiles (160 tiles, the rightmost column partial).
        let shapes = [(2, 16, 24, 8, 8), (1, 8, 16, 7, 10), (3, 8, 8, 5, 3), (2, 64, 32, 12, 8), (1, 16, 8, 1, 2), (2, 8, 16, 40, 30)]
        for (i, (batch, cin, cout, height, width)) in shapes.enumerated() {
            let problem = Problem(batch: batch, inputChannels: cin, outputChannels: cout, height: height, width: width,
                                  seed: UInt64(7 + i))
            let expected = problem.reference()
            let actual = problem.winograd(initialGradient: 0.25)
            let y = relativeError(actual.y, expected.y), dx = relativeError(actual.dx, expected.dx)
            let dw = relativeError(actual.dw, expected.dw, offset: 0.25)
            print("Winograd F(4,3) N\(batch) \(cin)→\(cout) \(height)×\(width): max relative error forward \(y), "
                  + "backward data \(dx), backward weights \(dw)")
            // Measured up to 5.5e-6 (64 input channels); oneDNN's own F(4,3) rounds alike.
            XCTAssertLessThan(y, 1e-5)
            XCTAssertLessThan(dx, 1e-5)
            XCTAssertLessThan(dw, 1e-5)
        }
    }

    func testResultsAreBitIdenticalWithOneAndTwoThreads() {
        let threads = OneDNN.threadCount
        defer { OneDNN.setThreadCount(threads) }
        // 4 × 5 × 7 = 140 tiles: more than one chunk of the forward and backward-data passes.
        let problem = Problem(batch: 4, inputChannels: 64, outputChannels: 32, height: 20, width: 28, seed: 3)
        OneDNN.setThreadCount(1)
        let one = problem.winograd()
        OneDNN.setThreadCount(2)
        let two = problem.winograd()
        for (a, b, name) in [(one.y, two.y, "forward"), (one.dx, two.dx, "backward data"), (one.dw, two.dw, "backward weights")] {
            let differing = (0..<a.count).filter { a[$0] != b[$0] }.count
            XCTAssertEqual(differing, 0, "\(name): \(differing) of \(a.count) values differ between 1 and 2 threads")
        }
    }
}
