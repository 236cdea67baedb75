/// Checks every collective across the ranks of a communicator against values each rank can
/// predict, for buffer sizes from one element to 16 Mi elements.
///
/// Used by `cola doctor --collectives` and the `mpirun -np 2` integration test.
public struct CollectiveSelfTest {
    /// One checked collective at one size.
    public struct Outcome: Sendable {
        public let collective: String
        public let elements: Int
        /// Largest absolute difference from the expected values on this rank.
        public let maxError: Double
        public var passed: Bool { maxError == 0 }
    }

    /// Element counts tried: 1, primes and off-by-ones around powers of two, up to 16 Mi.
    public static let defaultSizes = [1, 7, 1000, 65_537, (1 << 20) + 3, 16 << 20]

    private let communicator: Communicator

    public init(communicator: Communicator) {
        self.communicator = communicator
    }

    /// Runs allreduce (blocking and nonblocking), broadcast, allgather and reduce-scatter.
    public func run(sizes: [Int] = defaultSizes) throws -> [Outcome] {
        var outcomes: [Outcome] = []
        for n in sizes {
            outcomes.append(try allreduce(n, nonblocking: false))
            outcomes.append(try allreduce(n, nonblocking: true))
            outcomes.append(try broadcast(n))
            outcomes.append(try allgather(n))
            outcomes.append(try reduceScatter(n))
        }
        return outcomes
    }

    // Values are small integers, exact in Float, so results must match bit for bit.
    private static func value(rank: Int, index: Int) -> Float { Float((rank + 1) * (index % 97 + 1)) }

    private var rankSum: Int { communicator.size * (communicator.size + 1) / 2 }

    private func allreduce(_ n: Int, nonblocking: Bool) throws -> Outcome {
        var buffer = (0..<n).map { Self.value(rank: communicator.rank, index: $0) }
        if nonblocking {
            try buffer.withUnsafeMutableBufferPointer { try communicator.startAllreduce($0, operator: .sum).wait() }
        } else {
            try communicator.allreduce(&buffer)
        }
        let error = buffer.enumerated().reduce(0.0) { worst, item in
            max(worst, abs(Double(item.element) - Double(rankSum * (item.offset % 97 + 1))))
        }
        return Outcome(collective: nonblocking ? "iallreduce" : "allreduce", elements: n, maxError: error)
    }

    private func broadcast(_ n: Int) throws -> Outcome {
        let root = communicator.size - 1
        var buffer = (0..<n).map { communicator.rank == root ? Float($0 % 251) : -1 }
        try communicator.broadcast(&buffer, root: root)
        let error = buffer.enumerated().reduce(0.0) { max($0, abs(Double($1.element) - Double($1.offset % 251))) }
        return Outcome(collective: "broadcast", elements: n, maxError: error)
    }

    private func allgather(_ n: Int) throws -> Outcome {
        let block = max(1, n / communicator.size)
        let mine = (0..<block).map { Self.value(rank: communicator.rank, index: $0) }
        let gathered = try communicator.allgather(mine)
        var error = 0.0
        for owner in 0..<communicator.size {
            for i in 0..<block {
                error = max(error, abs(Double(gathered[owner * block + i]) - Double(Self.value(rank: owner, index: i))))
            }
        }
        return Outcome(collective: "allgather", elements: block * communicator.size, maxError: error)
    }

    private func reduceScatter(_ n: Int) throws -> Outcome {
        let block = max(1, n / communicator.size)
        let send = (0..<(block * communicator.size)).map { Self.value(rank: communicator.rank, index: $0) }
        var receive = [Float](repeating: 0, count: block)
        try send.withUnsafeBufferPointer { s in
            try receive.withUnsafeMutableBufferPointer { try communicator.reduceScatter(s, into: $0) }
        }
        var error = 0.0
        for i in 0..<block {
            let global = communicator.rank * block + i
            error = max(error, abs(Double(receive[i]) - Double(rankSum * (global % 97 + 1))))
        }
        return Outcome(collective: "reduce_scatter", elements: block * communicator.size, maxError: error)
    }
}
