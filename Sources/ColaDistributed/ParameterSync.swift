import ColaCore

/// Checks that every rank holds bit-identical parameters (`--check-sync`).
public enum ParameterSync {
    /// An order-sensitive 64-bit FNV-1a hash of the values' bit patterns.
    public static func checksum(_ values: UnsafeBufferPointer<Float>) -> UInt64 {
        var hash = StableHash()
        for value in values { hash.combine(word: UInt64(value.bitPattern)) }
        return hash.value
    }

    /// Every rank's checksum of `values`, in rank order (a collective: all ranks call it).
    public static func checksums(_ values: UnsafeBufferPointer<Float>, communicator: Communicator) throws -> [UInt64] {
        let mine = Int64(bitPattern: checksum(values))
        return try communicator.allgather([mine]).map { UInt64(bitPattern: $0) }
    }

    /// Throws ``ParameterSyncError`` naming the ranks whose parameters differ from rank 0's.
    public static func verify(_ values: UnsafeBufferPointer<Float>, step: Int, communicator: Communicator) throws {
        let all = try checksums(values, communicator: communicator)
        let differing = all.indices.filter { all[$0] != all[0] }
        guard differing.isEmpty else { throw ParameterSyncError(step: step, checksums: all, differing: differing) }
    }
}

/// Ranks whose parameters diverged: training would silently train different models.
public struct ParameterSyncError: Error, CustomStringConvertible {
    public let step: Int
    public let checksums: [UInt64]
    public let differing: [Int]

    public var description: String {
        let list = checksums.enumerated().map { "rank \($0.offset): \(String($0.element, radix: 16))" }.joined(separator: ", ")
        return "--check-sync: parameters differ across ranks after step \(step) (ranks \(differing) differ from rank 0; checksums \(list))"
    }
}
