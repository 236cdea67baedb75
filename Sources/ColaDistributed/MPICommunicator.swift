import CMPI

/// The MPI world communicator (Open MPI), initialized with `MPI_THREAD_FUNNELED`.
///
/// This is the only file that imports `CMPI`. Errors return instead of aborting
/// (`MPI_ERRORS_RETURN`) and become ``CommunicatorError``. Messages longer than
/// ``maxElementsPerMessage`` are split, since MPI counts are 32-bit.
/// Create one per process; MPI is finalized when it is released.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    /// The most elements one MPI call moves; longer buffers go in several calls.
    public let maxElementsPerMessage: Int

    private let world: MPI_Comm
    private let ownsInitialization: Bool

    /// Initializes MPI (once per process) and joins the world communicator.
    ///
    /// - Parameter maxElementsPerMessage: Split point for long buffers (tests set it small).
    public init(maxElementsPerMessage: Int = 1 << 28) throws {
        precondition(maxElementsPerMessage > 0 && maxElementsPerMessage <= Int(Int32.max))
        self.maxElementsPerMessage = maxElementsPerMessage
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        if initialized == 0 {
            var provided: Int32 = 0
            try MPICommunicator.check(MPI_Init_thread(nil, nil, cola_mpi_thread_funneled(), &provided), "MPI_Init_thread")
            guard provided >= cola_mpi_thread_funneled() else {
                throw CommunicatorError(operation: "MPI_Init_thread", message: "MPI_THREAD_FUNNELED not granted (got level \(provided))")
            }
        }
        ownsInitialization = initialized == 0
        world = cola_mpi_comm_world()
        try MPICommunicator.check(MPI_Comm_set_errhandler(world, cola_mpi_errors_return()), "MPI_Comm_set_errhandler")
        var rank: Int32 = 0
        var size: Int32 = 0
        try MPICommunicator.check(MPI_Comm_rank(world, &rank), "MPI_Comm_rank")
        try MPICommunicator.check(MPI_Comm_size(world, &size), "MPI_Comm_size")
        self.rank = Int(rank)
        self.size = Int(size)
    }

    deinit {
        if ownsInitialization {
            var finalized: Int32 = 0
            MPI_Finalized(&finalized)
            if finalized == 0 { MPI_Finalize() }
        }
    }

    /// The MPI library's own version line, e.g. `Open MPI v4.1.4, ...`.
    public static var libraryVersion: String {
        var buffer = [CChar](repeating: 0, count: Int(cola_mpi_max_library_version_string()))
        var length: Int32 = 0
        MPI_Get_library_version(&buffer, &length)
        return text(ofNulTerminated: buffer).split(separator: "\n").first.map(String.init) ?? ""
    }

    /// The name of the host this rank runs on.
    public var processorName: String {
        var buffer = [CChar](repeating: 0, count: Int(cola_mpi_max_processor_name()))
        var length: Int32 = 0
        MPI_Get_processor_name(&buffer, &length)
        return text(ofNulTerminated: buffer)
    }

    /// Aborts every rank of the job with `code`; for a rank that cannot continue.
    public func abort(code: Int32) -> Never {
        MPI_Abort(world, code)
        fatalError("MPI_Abort returned")
    }

    public func barrier() throws {
        try Self.check(MPI_Barrier(world), "MPI_Barrier")
    }

    public func broadcast<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, root: Int) throws {
        try checkRoot(root)
        try forEachChunk(buffer.count) { offset, count in
            try Self.check(MPI_Bcast(buffer.baseAddress! + offset, count, Self.datatype(T.self), Int32(root), world), "MPI_Bcast")
        }
    }

    public func allreduce<T: CommunicatorScalar>(_ buffer: UnsafeMutableBufferPointer<T>, operator: ReductionOperator) throws {
        try forEachChunk(buffer.count) { offset, count in
            try Self.check(
                MPI_Allreduce(cola_mpi_in_place(), buffer.baseAddress! + offset, count,
                              Self.datatype(T.self), Self.op(`operator`), world),
                "MPI_Allreduce")
        }
    }

    public func startAllreduce<T: CommunicatorScalar>(
        _ buffer: UnsafeMutableBufferPointer<T>, operator: ReductionOperator
    ) throws -> PendingCollective {
        let pending = MPIPendingCollective()
        try forEachChunk(buffer.count) { offset, count in
            var request = cola_mpi_request_null()
            try Self.check(
                MPI_Iallreduce(cola_mpi_in_place(), buffer.baseAddress! + offset, count,
                               Self.datatype(T.self), Self.op(`operator`), world, &request),
                "MPI_Iallreduce")
            pending.requests.append(request)
        }
        return pending
    }

    public func allgather<T: CommunicatorScalar>(_ send: UnsafeBufferPointer<T>, into receive: UnsafeMutableBufferPointer<T>) throws {
        try checkGathered(send.count, receive.count, operation: "MPI_Allgather")
        guard send.count > 0 else { return }
        if send.count <= maxElementsPerMessage {
            try Self.check(
                MPI_Allgather(send.baseAddress, Int32(send.count), Self.datatype(T.self),
                              receive.baseAddress, Int32(send.count), Self.datatype(T.self), world),
                "MPI_Allgather")
            return
        }
        // Long blocks: each rank broadcasts its block in turn, in chunks.
        for owner in 0..<size {
            let block = UnsafeMutableBufferPointer(rebasing: receive[(owner * send.count)..<((owner + 1) * send.count)])
            if owner == rank { _ = block.initialize(from: send) }
            try broadcast(block, root: owner)
        }
    }

    public func reduceScatter<T: CommunicatorScalar>(_ send: UnsafeBufferPointer<T>, into receive: UnsafeMutableBufferPointer<T>) throws {
        try checkGathered(receive.count, send.count, operation: "MPI_Reduce_scatter_block")
        guard receive.count > 0 else { return }
        if receive.count <= maxElementsPerMessage {
            try Self.check(
                MPI_Reduce_scatter_block(send.baseAddress, receive.baseAddress, Int32(receive.count),
                                         Self.datatype(T.self), cola_mpi_sum(), world),
                "MPI_Reduce_scatter_block")
            return
        }
        // Long blocks: reduce each rank's block to its owner, in chunks.
        for owner in 0..<size {
            let block = UnsafeBufferPointer(rebasing: send[(owner * receive.count)..<((owner + 1) * receive.count)])
            try forEachChunk(receive.count) { offset, count in
                try Self.check(
                    MPI_Reduce(block.baseAddress! + offset, receive.baseAddress! + offset, count,
                               Self.datatype(T.self), cola_mpi_sum(), Int32(owner), world),
                    "MPI_Reduce")
            }
        }
    }

    private func forEachChunk(_ total: Int, _ body: (Int, Int32) throws -> Void) throws {
        var offset = 0
        while offset < total {
            let count = min(maxElementsPerMessage, total - offset)
            try body(offset, Int32(count))
            offset += count
        }
    }

    private func checkRoot(_ root: Int) throws {
        guard (0..<size).contains(root) else {
            throw CommunicatorError(operation: "MPI_Bcast", message: "root \(root) out of range 0..<\(size)")
        }
    }

    private func checkGathered(_ block: Int, _ whole: Int, operation: String) throws {
        guard whole == block * size else {
            throw CommunicatorError(operation: operation, message: "buffer of \(whole) elements, expected \(size) × \(block)")
        }
    }

    private static func datatype<T: CommunicatorScalar>(_: T.Type) -> MPI_Datatype {
        switch T.scalarKind {
        case .float32: return cola_mpi_float()
        case .float64: return cola_mpi_double()
        case .int64: return cola_mpi_int64()
        case .uint8: return cola_mpi_uint8()
        }
    }

    private static func op(_ reduction: ReductionOperator) -> MPI_Op {
        switch reduction {
        case .sum: return cola_mpi_sum()
        case .max: return cola_mpi_max()
        case .min: return cola_mpi_min()
        }
    }

    fileprivate static func check(_ code: Int32, _ operation: String) throws {
        guard code != cola_mpi_success() else { return }
        var buffer = [CChar](repeating: 0, count: Int(cola_mpi_max_error_string()))
        var length: Int32 = 0
        MPI_Error_string(code, &buffer, &length)
        throw CommunicatorError(operation: operation, message: text(ofNulTerminated: buffer))
    }
}

/// The MPI requests of one nonblocking collective (several when the buffer was split).
final class MPIPendingCollective: PendingCollective {
    /// Typed by inference: `MPI_Request` is a pointer in Open MPI (imported as optional) and an
    /// integer in MPICH, and `MPI_Testall`/`MPI_Waitall` take an array of exactly that.
    var requests = Array(repeating: cola_mpi_request_null(), count: 0)

    func test() throws -> Bool {
        var done: Int32 = 0
        try MPICommunicator.check(
            MPI_Testall(Int32(requests.count), &requests, &done, cola_mpi_statuses_ignore()), "MPI_Testall")
        return done != 0
    }

    func wait() throws {
        try MPICommunicator.check(MPI_Waitall(Int32(requests.count), &requests, cola_mpi_statuses_ignore()), "MPI_Waitall")
    }
}

/// The text of a C character buffer up to its first NUL.
private func text(ofNulTerminated buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
