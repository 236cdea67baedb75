import XCTest
@testable import ColaTensor

final class BLASTests: XCTestCase {
    /// Reference product in Double, row-major.
    private func naiveProduct(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transA: Bool, transB: Bool) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let av = transA ? a[p * m + i] : a[i * k + p]
                    let bv = transB ? b[j * k + p] : b[p * n + j]
                    sum += Double(av) * Double(bv)
                }
                c[i * n + j] = sum
            }
        }
        return c
    }

    func testSgemmMatchesNaiveProductForEveryTransposition() {
        var generator = SystemRandomNumberGenerator()
        let (m, n, k) = (37, 53, 129)
        for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = (0..<(m * k)).map { _ in Float.random(in: -1...1, using: &generator) }
            let b = (0..<(k * n)).map { _ in Float.random(in: -1...1, using: &generator) }
            var c = [Float](repeating: 0, count: m * n)
            BLAS.sgemm(transA ? .transposed : .none, transB ? .transposed : .none, m: m, n: n, k: k, a: a, b: b, c: &c)
            let expected = naiveProduct(a, b, m: m, n: n, k: k, transA: transA, transB: transB)
            let maxDiff = zip(c, expected).map { abs(Double($0) - $1) }.max()!
            print("sgemm transA=\(transA) transB=\(transB) \(m)×\(n)×\(k): max abs diff \(maxDiff)")
            XCTAssertLessThan(maxDiff, 1e-4)
        }
    }

    func testSgemmAccumulatesWithBeta() {
        let a: [Float] = [1, 2, 3, 4]
        let b: [Float] = [5, 6, 7, 8]
        var c: [Float] = [1, 1, 1, 1]
        BLAS.sgemm(m: 2, n: 2, k: 2, alpha: 2, a: a, b: b, beta: 3, c: &c)
        XCTAssertEqual(c, [41, 47, 89, 103] as [Float], "2 · A·B + 3")
    }

    func testThreadCountIsSettable() {
        let before = BLAS.threadCount
        BLAS.setThreadCount(1)
        XCTAssertEqual(BLAS.threadCount, 1)
        BLAS.setThreadCount(before)
        XCTAssertFalse(BLAS.coreName.isEmpty)
    }

    func testOneDNNReportsVersionAndThreads() {
        let parts = OneDNN.version.split(separator: ".").compactMap { Int($0) }
        XCTAssertEqual(parts.count, 3, OneDNN.version)
        XCTAssertTrue([2, 3].contains(parts.first ?? 0), "oneDNN \(OneDNN.version): Cola builds against 2.x and 3.x")
        XCTAssertGreaterThanOrEqual(OneDNN.threadCount, 1)
    }
}
