import XCTest
@testable import ColaDistributed

final class LocalCommunicatorTests: XCTestCase {
    func testCollectivesOfOneRankAreIdentities() throws {
        let communicator = LocalCommunicator()
        XCTAssertEqual(communicator.rank, 0)
        XCTAssertEqual(communicator.size, 1)
        XCTAssertTrue(communicator.isRoot)

        var values: [Float] = [1, -2, 3.5]
        try communicator.allreduce(&values)
        XCTAssertEqual(values, [1, -2, 3.5])
        try communicator.broadcast(&values, root: 0)
        XCTAssertEqual(values, [1, -2, 3.5])
        XCTAssertEqual(try communicator.allgather(values), [1, -2, 3.5])
        var counts: [Int64] = [7]
        try communicator.allreduce(&counts, operator: .max)
        XCTAssertEqual(counts, [7])
        XCTAssertEqual(try communicator.broadcastBytes(Array("config".utf8)), Array("config".utf8))
    }

    func testNonblockingAllreduceCompletes() throws {
        var values: [Double] = [4, 5]
        let pending = try values.withUnsafeMutableBufferPointer {
            try LocalCommunicator().startAllreduce($0, operator: .sum)
        }
        XCTAssertTrue(try pending.test())
        try pending.wait()
        XCTAssertEqual(values, [4, 5])
    }

    func testMismatchedSizesAndRootsAreErrors() throws {
        let communicator = LocalCommunicator()
        var values: [Float] = [1, 2]
        XCTAssertThrowsError(try communicator.broadcast(&values, root: 1))
        let send: [Float] = [1, 2]
        var receive = [Float](repeating: 0, count: 3)
        XCTAssertThrowsError(try send.withUnsafeBufferPointer { s in
            try receive.withUnsafeMutableBufferPointer { try communicator.reduceScatter(s, into: $0) }
        })
    }

    func testSelfTestPassesOnOneRank() throws {
        let outcomes = try CollectiveSelfTest(communicator: LocalCommunicator()).run(sizes: [1, 1000, 65_537])
        XCTAssertEqual(outcomes.count, 15)
        XCTAssertTrue(outcomes.allSatisfy(\.passed))
    }
}
