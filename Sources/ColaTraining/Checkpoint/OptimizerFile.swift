import Foundation

/// Adam's state in a checkpoint: step count and both moment buffers over the parameter layout.
public struct OptimizerSnapshot: Equatable, Sendable {
    /// Adam steps taken (bias correction depends on it).
    public var step: Int
    public var firstMoment: [Float]
    public var secondMoment: [Float]

    public init(step: Int, firstMoment: [Float], secondMoment: [Float]) {
        precondition(firstMoment.count == secondMoment.count, "optimizer moments differ in size")
        self.step = step
        self.firstMoment = firstMoment
        self.secondMoment = secondMoment
    }
}

/// `optimizer.bin`: magic `COLAADAM`, version, step, element count, first then second moment
/// (float32), CRC-32.
public enum OptimizerFile {
    static let magic = Array("COLAADAM".utf8)
    /// The format version this build writes and reads.
    public static let version: UInt32 = 1

    /// The file's bytes for `snapshot`.
    public static func encode(_ snapshot: OptimizerSnapshot) -> [UInt8] {
        var writer = BinaryWriter()
        writer.appendBytes(magic)
        writer.append(version)
        writer.append(Int64(snapshot.step))
        writer.append(Int64(snapshot.firstMoment.count))
        snapshot.firstMoment.withUnsafeBufferPointer { writer.append($0) }
        snapshot.secondMoment.withUnsafeBufferPointer { writer.append($0) }
        return Checksummed.seal(writer.bytes)
    }

    /// Parses and verifies an `optimizer.bin`; `path` names it in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws -> OptimizerSnapshot {
        var reader = BinaryReader(bytes: try Checksummed.open(bytes, path: path), path: path)
        try Checksummed.expectHeader(&reader, magic: magic, version: version, kind: "optimizer")
        let step = Int(try reader.read(Int64.self, "step"))
        let count = Int(try reader.read(Int64.self, "element count"))
        guard step >= 0, count >= 0 else { throw CheckpointError(path: path, problem: "negative step or size") }
        let m = try reader.readFloats(count: count, "first moment")
        let v = try reader.readFloats(count: count, "second moment")
        guard reader.remaining == 0 else { throw CheckpointError(path: path, problem: "\(reader.remaining) unexpected trailing bytes") }
        return OptimizerSnapshot(step: step, firstMoment: m, secondMoment: v)
    }

    /// Reads and verifies an `optimizer.bin` file.
    public static func read(path: String) throws -> OptimizerSnapshot {
        try decode(try Checksummed.readFile(path), path: path)
    }
}
