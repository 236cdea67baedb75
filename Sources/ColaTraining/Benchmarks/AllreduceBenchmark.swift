import ColaDistributed
import Foundation

/// Bucketed gradient allreduce timing: a flat buffer the size of a model's gradients, cut into
/// buckets as training does, all buckets started at once and waited (no compute to overlap).
public struct AllreduceBenchmark: Sendable {
    /// One measured configuration.
    public struct Result: Codable, Sendable {
        public var elements: Int
        public var bucketMegabytes: Double
        public var buckets: Int
        public var ranks: Int
        /// Median seconds per full allreduce of the buffer.
        public var seconds: Double
        /// Bytes of the buffer / seconds (GB/s).
        public var algorithmGBps: Double
        /// Algorithm bandwidth × 2(n−1)/n: what each link carries in a ring (GB/s).
        public var busGBps: Double

        enum CodingKeys: String, CodingKey {
            case elements, bucketMegabytes = "bucket_mb", buckets, ranks, seconds
            case algorithmGBps = "algorithm_gbps", busGBps = "bus_gbps"
        }
    }

    public let elements: Int
    public let bucketSizes: [Double]
    public let repetitions: Int

    public init(elements: Int, bucketSizes: [Double], repetitions: Int) {
        self.elements = elements
        self.bucketSizes = bucketSizes
        self.repetitions = repetitions
    }

    /// Runs on every rank (a collective); every rank returns the same numbers (max over ranks).
    public func run(communicator: Communicator) throws -> [Result] {
        // Parameter-sized pieces like a CNN's tensors so buckets form as in training.
        var ranges: [Range<Int>] = []
        var offset = 0
        while offset < elements {
            let size = min(elements - offset, [4_608, 64, 589_824, 256, 131_072][ranges.count % 5])
            ranges.append(offset..<(offset + size))
            offset += size
        }
        var gradients = [Float](repeating: 1, count: elements)
        var results: [Result] = []
        for megabytes in bucketSizes {
            let buckets = GradientBuckets(parameterRanges: ranges, megabytes: megabytes, communicator: communicator)
            var times: [Double] = []
            for repetition in 0..<(repetitions + 1) {
                try communicator.barrier()
                var elapsed = [try BenchmarkClock.timed {
                    try gradients.withUnsafeMutableBufferPointer { g in
                        buckets.begin(gradients: g)
                        try buckets.finish(scale: 1 / Float(communicator.size))
                    }
                }.seconds]
                try communicator.allreduce(&elapsed, operator: .max)
                if repetition > 0 { times.append(elapsed[0]) }  // the first warms up
            }
            let median = times.sorted()[times.count / 2]
            let bytes = Double(elements * 4)
            let n = Double(communicator.size)
            let algorithm = bytes / median / 1e9
            results.append(Result(elements: elements, bucketMegabytes: megabytes, buckets: buckets.buckets.count,
                                  ranks: communicator.size, seconds: median, algorithmGBps: algorithm,
                                  busGBps: n > 1 ? algorithm * 2 * (n - 1) / n : 0))
        }
        return results
    }
}
