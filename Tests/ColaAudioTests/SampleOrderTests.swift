import XCTest
@testable import ColaAudio

final class SampleOrderTests: XCTestCase {
    func testPermutationIsSeededAndDiffersPerEpoch() {
        let order = SampleOrder(itemCount: 1000, seed: 7)
        XCTAssertEqual(order.permutation(epoch: 0).sorted(), Array(0..<1000))
        XCTAssertEqual(order.permutation(epoch: 0), SampleOrder(itemCount: 1000, seed: 7).permutation(epoch: 0))
        XCTAssertNotEqual(order.permutation(epoch: 0), order.permutation(epoch: 1))
        XCTAssertNotEqual(order.permutation(epoch: 0), SampleOrder(itemCount: 1000, seed: 8).permutation(epoch: 0))
    }

    /// Every item once per epoch on 1, 2, 3 and 5 ranks, with a batch that straddles epochs.
    func testEveryItemExactlyOncePerEpochOnAnyRankCount() {
        let items = 97
        let order = SampleOrder(itemCount: items, seed: 3)
        for worldSize in [1, 2, 3, 5] {
            let globalBatch = 6 * worldSize
            var seen = [[Int]](repeating: [], count: 3)
            var position = 0
            while position < 3 * items {
                for rank in 0..<worldSize {
                    let step = order.stepItems(globalPosition: position, globalBatch: globalBatch, rank: rank, worldSize: worldSize)
                    XCTAssertEqual(step.items.count, globalBatch / worldSize)
                    let positions = order.positions(globalPosition: position, globalBatch: globalBatch, rank: rank, worldSize: worldSize)
                    for (p, item) in zip(positions, step.items) where p < 3 * items { seen[p / items].append(item) }
                }
                position += globalBatch
            }
            for epoch in 0..<3 {
                XCTAssertEqual(seen[epoch].sorted(), Array(0..<items), "N=\(worldSize) epoch \(epoch)")
            }
        }
    }

    func testResumeMidEpochOnADifferentRankCount() {
        let items = 120
        let order = SampleOrder(itemCount: items, seed: 11)
        for (before, after) in [(2, 3), (3, 5), (5, 1), (1, 2)] {
            var used = [Int]()
            var position = 0
            for _ in 0..<4 {  // four steps of 4 per rank on `before` ranks
                for rank in 0..<before {
                    used += order.stepItems(globalPosition: position, globalBatch: 4 * before, rank: rank, worldSize: before).items
                }
                position += 4 * before
            }
            while position < items {  // resume at the saved position on `after` ranks
                let batch = min(3 * after, items - position) / after * after
                let globalBatch = batch > 0 ? batch : after
                for rank in 0..<after {
                    let positions = order.positions(globalPosition: position, globalBatch: globalBatch, rank: rank, worldSize: after)
                    used += positions.filter { $0 < items }.map(order.item(atPosition:))
                }
                position += globalBatch
            }
            XCTAssertEqual(used.sorted(), Array(0..<items), "\(before) → \(after) ranks")
        }
    }

    func testRankTakesTheStridedSliceOfTheGlobalBatch() {
        let order = SampleOrder(itemCount: 50, seed: 1)
        let permutation = order.permutation(epoch: 0)
        let step = order.stepItems(globalPosition: 10, globalBatch: 6, rank: 1, worldSize: 3)
        XCTAssertEqual(step.items, [permutation[11], permutation[14]])
        XCTAssertEqual(step.nextPosition, 16)
    }
}
