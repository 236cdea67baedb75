import ColaModel
import Foundation

/// The model's tensors as stored in a checkpoint: trained parameters and non-trained buffers
/// (batch-norm running statistics), each a ``ParameterTable`` over one flat Float array.
public struct ModelSnapshot: Equatable, Sendable {
    public var parameterTable: ParameterTable
    public var parameters: [Float]
    /// Tensors that are state but not trained (batch-norm running mean and variance).
    public var bufferTable: ParameterTable
    public var buffers: [Float]

    public init(parameterTable: ParameterTable, parameters: [Float],
                bufferTable: ParameterTable = ParameterTable(), buffers: [Float] = []) {
        precondition(parameters.count == parameterTable.count && buffers.count == bufferTable.count,
                     "snapshot: data sizes do not match their tables")
        self.parameterTable = parameterTable
        self.parameters = parameters
        self.bufferTable = bufferTable
        self.buffers = buffers
    }
}

/// `model.bin`: magic `COLAMODL`, format version, then for `parameters` and `buffers` the table
/// (name, shape) followed by float32 little-endian data, and a CRC-32 of everything before it.
///
/// Entries keep the model's registration order, so offsets are implied; names are the PyTorch
/// reference's `state_dict` keys, which lets a converter map the file onto the reference model.
public enum ModelFile {
    static let magic = Array("COLAMODL".utf8)
    /// The format version this build writes and reads.
    public static let version: UInt32 = 1

    /// The file's bytes for `snapshot`.
    public static func encode(_ snapshot: ModelSnapshot) -> [UInt8] {
        var writer = BinaryWriter()
        writer.appendBytes(magic)
        writer.append(version)
        writer.append(UInt32(2))
        for (name, table, data) in [("parameters", snapshot.parameterTable, snapshot.parameters),
                                    ("buffers", snapshot.bufferTable, snapshot.buffers)] {
            writer.append(name)
            writer.append(UInt32(table.entries.count))
            for entry in table.entries {
                writer.append(entry.name)
                writer.append(UInt32(entry.shape.count))
                entry.shape.forEach { writer.append(Int64($0)) }
            }
            writer.append(Int64(data.count))
            data.withUnsafeBufferPointer { writer.append($0) }
        }
        return Checksummed.seal(writer.bytes)
    }

    /// Parses and verifies a `model.bin`; `path` names it in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws -> ModelSnapshot {
        var reader = BinaryReader(bytes: try Checksummed.open(bytes, path: path), path: path)
        try Checksummed.expectHeader(&reader, magic: magic, version: version, kind: "model")
        let sections = try reader.read(UInt32.self, "section count")
        guard sections == 2 else { throw CheckpointError(path: path, problem: "expected 2 sections, found \(sections)") }
        var tables: [ParameterTable] = []
        var data: [[Float]] = []
        for expected in ["parameters", "buffers"] {
            let name = try reader.readString("section name")
            guard name == expected else { throw CheckpointError(path: path, problem: "expected section '\(expected)', found '\(name)'") }
            var table = ParameterTable()
            let entries = try reader.read(UInt32.self, "entry count")
            for _ in 0..<entries {
                let tensor = try reader.readString("tensor name")
                let rank = try reader.read(UInt32.self, "rank of \(tensor)")
                guard rank >= 1, rank <= 8 else { throw CheckpointError(path: path, problem: "tensor \(tensor): bad rank \(rank)") }
                var shape: [Int] = []
                for _ in 0..<rank { shape.append(Int(try reader.read(Int64.self, "shape of \(tensor)"))) }
                guard shape.allSatisfy({ $0 > 0 }), table[tensor] == nil else {
                    throw CheckpointError(path: path, problem: "tensor \(tensor): bad shape \(shape) or duplicate name")
                }
                table.register(tensor, shape: shape)
            }
            let count = Int(try reader.read(Int64.self, "\(expected) element count"))
            guard count == table.count else {
                throw CheckpointError(path: path, problem: "\(expected): \(count) elements stored, table needs \(table.count)")
            }
            tables.append(table)
            data.append(try reader.readFloats(count: count, "\(expected) data"))
        }
        guard reader.remaining == 0 else { throw CheckpointError(path: path, problem: "\(reader.remaining) unexpected trailing bytes") }
        return ModelSnapshot(parameterTable: tables[0], parameters: data[0], bufferTable: tables[1], buffers: data[1])
    }

    /// Reads and verifies a `model.bin` file.
    public static func read(path: String) throws -> ModelSnapshot {
        try decode(try Checksummed.readFile(path), path: path)
    }
}
