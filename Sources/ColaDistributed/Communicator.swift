/// Element types that collectives move: each maps to one MPI datatype.
public protocol CommunicatorScalar: Numeric, Sendable {
    /// Which wire type the element is.
    static var scalarKind: ScalarKind { get }
}

/// The wire types collectives support.
public enum ScalarKind: Sendable {
    case float32, float64, int64, uint8
}

extension Float: CommunicatorScalar { public static var scalarKind: ScalarKind { .float32 } }
extension Double: CommunicatorScalar { public static var scalarKind: ScalarKind { .float64 } }
extension Int64: CommunicatorScalar { public static var scalarKind: ScalarKind { .int64 } }
extension UInt8: CommunicatorScalar { public static var scalarKind: ScalarKind { .uint8 } }

/// Reduction operators.
public enum ReductionOperator: Sendable {
    case sum, max, min
}

/// A collective started without waiting for it (``Communicator/startAllreduce(_:operator:)``).
///
/// The buffer it was started on must stay alive and untouched until ``wait()`` returns or
/// ``test()`` returns `true`.
public protocol PendingCollective: AnyObject {
    /// Progresses the operation; `true` once it has completed.
    func test() throws -> Bool
    /// Blocks until the operation has completed.
    func wait() throws
}

/// The group of processes training one model: MPI ranks, or a single process in tests.
///
/// Every rank must call each collective in the same order with matching sizes.
public protocol Communicator: AnyObject {
    /// This process's index in `0..<size`.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }

    /// Returns when every rank has entered the barrier.
    func barrier() throws
    /// Copies `buffer` on `root` into `buffer` on every rank.
    func broadcast<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, root: Int) throws
    /// Replaces `buffer` on every rank with the element-wise reduction over ranks.
    func allreduce<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, operator: ReductionOperator) throws
    /// Starts an in-place allreduce of `buffer` and returns without waiting.
    func startAllreduce<T: CommunicatorScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, operator: ReductionOperator
    ) throws -> PendingCollective
    /// Concatenates every rank's `send` in rank order into `receive` (`size × send.count` elements).
    func allgather<T: CommunicatorScalar>(_ send: UnsafeBufferPointer<T>, into receive: UnsafeMutableBufferPointer<T>) throws
    /// Sums `send` (`size × receive.count` elements) over ranks and gives rank r the r-th block.
    func reduceScatter<T: CommunicatorScalar>(_ send: UnsafeBufferPointer<T>, into receive: UnsafeMutableBufferPointer<T>) throws
}

extension Communicator {
    /// Whether this process is rank 0, the one that prints, writes checkpoints and evaluates.
    public var isRoot: Bool { rank == 0 }

    /// Allreduce of a Swift array in place.
    public func allreduce<T: CommunicatorScalar>(_ values: inout [T], operator: ReductionOperator = .sum) throws {
        try values.withUnsafeMutableBufferPointer { try allreduce($0, operator: `operator`) }
    }

    /// Broadcast of a Swift array in place (sizes must already agree).
    public func broadcast<T: CommunicatorScalar>(_ values: inout [T], root: Int = 0) throws {
        try values.withUnsafeMutableBufferPointer { try broadcast($0, root: root) }
    }

    /// Allgather of a Swift array: every rank's values in rank order.
    public func allgather<T: CommunicatorScalar>(_ values: [T]) throws -> [T] {
        var gathered = [T](repeating: 0, count: values.count * size)
        try values.withUnsafeBufferPointer { send in
            try gathered.withUnsafeMutableBufferPointer { try allgather(send, into: $0) }
        }
        return gathered
    }

    /// Broadcasts `bytes` from `root`, whatever their length on the other ranks.
    public func broadcastBytes(_ bytes: [UInt8], root: Int = 0) throws -> [UInt8] {
        var length = [Int64(rank == root ? bytes.count : 0)]
        try broadcast(&length, root: root)
        var buffer = rank == root ? bytes : [UInt8](repeating: 0, count: Int(length[0]))
        try broadcast(&buffer, root: root)
        return buffer
    }
}

/// A collective that failed, with the library's message.
public struct CommunicatorError: Error, CustomStringConvertible {
    /// The collective or call, e.g. `MPI_Allreduce`.
    public let operation: String
    /// The library's explanation.
    public let message: String

    public init(operation: String, message: String) {
        self.operation = operation
        self.message = message
    }

    public var description: String { "\(operation) failed: \(message)" }
}
