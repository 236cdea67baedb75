import XCTest
@testable import ColaDistributed

/// Records which slices were allreduced, in order, and sums nothing (one process).
private final class RecordingCommunicator: Communicator {
    let rank = 0
    let size = 1
    var started: [(base: UnsafeMutableRawPointer, count: Int)] = []

    func barrier() throws {}
    func broadcast<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, root: Int) throws {}
    func allreduce<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, operator: ReductionOperator) throws {}
    func startAllreduce<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, operator: ReductionOperator) throws -> PendingCollective {
        started.append((UnsafeMutableRawPointer(buffer.baseAddress!), buffer.count))
        return CompletedCollective()
    }
    func allgather<T: CommunicatorScalar>(_ send: UnsafeBufferPointer<T>, into receive: UnsafeMutableBufferPointer<T>) throws {}
    func reduceScatter<T: CommunicatorScalar>(_ send: UnsafeBufferPointer<T>, into receive: UnsafeMutableBufferPointer<T>) throws {}
}

final class GradientBucketsTests: XCTestCase {
    /// Parameter sizes like a small network: conv weights, biases, a large dense layer.
    private let sizes = [576, 64, 73_728, 128, 3, 300_000, 512, 262_144, 512, 512]

    private var ranges: [Range<Int>] {
        var offset = 0
        return sizes.map { size in defer { offset += size }; return offset..<(offset + size) }
    }

    func testBucketsCoverTheBufferExactlyOnceInReverseOrder() {
        for bucketElements in [1, 100, 65_536, 262_144, 1 << 30] {
            let buckets = GradientBuckets(parameterRanges: ranges, bucketElements: bucketElements, communicator: LocalCommunicator())
            var covered = [Int](repeating: 0, count: sizes.reduce(0, +))
            var previousLower = covered.count
            for bucket in buckets.buckets {
                XCTAssertEqual(bucket.range.upperBound, previousLower, "buckets are contiguous, last parameters first")
                previousLower = bucket.range.lowerBound
                for i in bucket.range { covered[i] += 1 }
                XCTAssertEqual(bucket.parameters, bucket.parameters.sorted(by: >))
                XCTAssertTrue(bucket.range.count >= bucketElements || bucket.range.lowerBound == 0,
                              "only the first-layer bucket may be smaller than the target")
            }
            XCTAssertEqual(previousLower, 0)
            XCTAssertTrue(covered.allSatisfy { $0 == 1 }, "every element in exactly one bucket (target \(bucketElements))")
            XCTAssertEqual(buckets.buckets.flatMap(\.parameters), Array(sizes.indices.reversed()))
        }
        let four = GradientBuckets(parameterRanges: ranges, megabytes: 1, communicator: LocalCommunicator())
        XCTAssertEqual(four.buckets.map(\.parameters), [[9, 8, 7], [6, 5], [4, 3, 2, 1, 0]])
    }

    func testBucketsStartInOrderOnlyWhenComplete() throws {
        let communicator = RecordingCommunicator()
        let buckets = GradientBuckets(parameterRanges: ranges, bucketElements: 262_144, communicator: communicator)
        var gradients = [Float](repeating: 1, count: buckets.elementCount)
        try gradients.withUnsafeMutableBufferPointer { g in
            buckets.begin(gradients: g)
            let base = UnsafeMutableRawPointer(g.baseAddress!)
            // Bucket 1 completes before bucket 0: it must wait for bucket 0.
            for index in buckets.buckets[1].parameters { try buckets.markReady(ranges[index]) }
            XCTAssertTrue(communicator.started.isEmpty)
            let first = buckets.buckets[0]
            // Report bucket 0 in two pieces.
            try buckets.markReady(first.range.lowerBound..<(first.range.lowerBound + 10))
            XCTAssertTrue(communicator.started.isEmpty)
            try buckets.markReady((first.range.lowerBound + 10)..<first.range.upperBound)
            XCTAssertEqual(communicator.started.count, 2)
            try buckets.progress()
            try buckets.finish(scale: 0.5)
            let offsets = communicator.started.map { ($0.base - base) / 4 }
            XCTAssertEqual(offsets, buckets.buckets.map(\.range.lowerBound))
            XCTAssertEqual(communicator.started.map(\.count), buckets.buckets.map(\.range.count))
        }
        XCTAssertTrue(gradients.allSatisfy { $0 == 0.5 }, "finish scales the reduced gradients")
    }

    func testParameterChecksumSeesOneBit() {
        var values: [Float] = [1, 2, 3]
        let a = values.withUnsafeBufferPointer { ParameterSync.checksum($0) }
        values[1] = Float(bitPattern: values[1].bitPattern ^ 1)
        let b = values.withUnsafeBufferPointer { ParameterSync.checksum($0) }
        XCTAssertNotEqual(a, b)
    }
}
