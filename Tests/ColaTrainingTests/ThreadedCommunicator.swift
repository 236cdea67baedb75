import ColaDistributed
import Foundation

/// N ranks as threads of one process, with real collective semantics over shared memory, so
/// unit tests can compare an N-rank step against one process without mpirun.
final class ThreadedWorld: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var arrived = 0
    private var generation = 0
    fileprivate var slots: [UnsafeMutableRawPointer?]

    init(size: Int) {
        self.size = size
        slots = Array(repeating: nil, count: size)
    }

    fileprivate func barrier() {
        condition.lock()
        let mine = generation
        arrived += 1
        if arrived == size {
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
        condition.unlock()
    }

    /// Runs `body(rank, communicator)` on `size` threads and returns their results in rank order.
    func run<R>(_ body: @escaping @Sendable (ThreadedCommunicator) throws -> R) throws -> [R] {
        nonisolated(unsafe) var results: [Result<R, Error>?] = Array(repeating: nil, count: size)
        let group = DispatchGroup()
        let lock = NSLock()
        for rank in 0..<size {
            group.enter()
            let thread = Thread {
                let outcome = Result { try body(ThreadedCommunicator(world: self, rank: rank)) }
                lock.lock()
                results[rank] = outcome
                lock.unlock()
                group.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        return try results.map { try $0!.get() }
    }
}

/// One rank of a ``ThreadedWorld``.
final class ThreadedCommunicator: Communicator {
    let rank: Int
    let world: ThreadedWorld
    var size: Int { world.size }

    init(world: ThreadedWorld, rank: Int) {
        self.world = world
        self.rank = rank
    }

    func barrier() throws { world.barrier() }

    private func share(_ pointer: UnsafeRawPointer) {
        world.slots[rank] = UnsafeMutableRawPointer(mutating: pointer)
        world.barrier()
    }

    private func slot<T>(_ r: Int, _: T.Type) -> UnsafeMutablePointer<T> {
        world.slots[r]!.assumingMemoryBound(to: T.self)
    }

    func broadcast<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, root: Int) throws {
        share(buffer.baseAddress!)
        if rank != root { buffer.baseAddress!.update(from: slot(root, T.self), count: buffer.count) }
        world.barrier()
    }

    func allreduce<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, operator: ReductionOperator) throws {
        precondition(`operator` == .sum, "tests only sum")
        share(buffer.baseAddress!)
        // Sum in rank order, as a deterministic reduction would.
        var total = [T](repeating: 0, count: buffer.count)
        for r in 0..<size {
            let source = slot(r, T.self)
            for i in 0..<buffer.count { total[i] += source[i] }
        }
        world.barrier()
        total.withUnsafeBufferPointer { buffer.baseAddress!.update(from: $0.baseAddress!, count: buffer.count) }
        world.barrier()
    }

    func startAllreduce<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, operator: ReductionOperator) throws -> PendingCollective {
        try allreduce(buffer, operator: `operator`)
        return try LocalCommunicator().startAllreduce(buffer, operator: `operator`)
    }

    func allgather<T: CommunicatorScalar>(_ send: UnsafeBufferPointer<T>, into receive: UnsafeMutableBufferPointer<T>) throws {
        share(send.baseAddress!)
        for r in 0..<size {
            (receive.baseAddress! + r * send.count).update(from: slot(r, T.self), count: send.count)
        }
        world.barrier()
    }

    func reduceScatter<T: CommunicatorScalar>(_ send: UnsafeBufferPointer<T>, into receive: UnsafeMutableBufferPointer<T>) throws {
        share(send.baseAddress!)
        for i in 0..<receive.count {
            var total: T = 0
            for r in 0..<size { total += slot(r, T.self)[rank * receive.count + i] }
            receive[i] = total
        }
        world.barrier()
    }
}
