/// A communicator of one process: every collective is the identity.
///
/// Lets everything above the communication layer run and be tested without `mpirun`.
public final class LocalCommunicator: Communicator {
    public let rank = 0
    public let size = 1

    public init() {}

    public func barrier() throws {}

    public func broadcast<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, root: Int) throws {
        guard root == 0 else { throw CommunicatorError(operation: "broadcast", message: "root \(root) out of range 0..<1") }
    }

    public func allreduce<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, operator: ReductionOperator) throws {}

    public func startAllreduce<T: CommunicatorScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, operator: ReductionOperator
    ) throws -> PendingCollective {
        CompletedCollective()
    }

    public func allgather<T: CommunicatorScalar>(_ send: UnsafeBufferPointer<T>, into receive: UnsafeMutableBufferPointer<T>) throws {
        try copy(send, into: receive, operation: "allgather")
    }

    public func reduceScatter<T: CommunicatorScalar>(_ send: UnsafeBufferPointer<T>, into receive: UnsafeMutableBufferPointer<T>) throws {
        try copy(send, into: receive, operation: "reduceScatter")
    }

    private func copy<T>(_ send: UnsafeBufferPointer<T>, into receive: UnsafeMutableBufferPointer<T>, operation: String) throws {
        guard receive.count == send.count else {
            throw CommunicatorError(operation: operation, message: "receive holds \(receive.count) elements, expected \(send.count)")
        }
        _ = receive.initialize(from: send)
    }
}

/// A collective that finished when it started.
final class CompletedCollective: PendingCollective {
    func test() throws -> Bool { true }
    func wait() throws {}
}
