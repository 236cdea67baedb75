import Foundation

/// The trailing CRC-32 shared by the binary checkpoint files.
enum Checksummed {
    static func seal(_ body: [UInt8]) -> [UInt8] {
        var writer = BinaryWriter()
        writer.appendBytes(body)
        writer.append(body.withUnsafeBytes { CRC32.checksum($0) })
        return writer.bytes
    }

    /// The body of a sealed file after checking its CRC-32.
    static func open(_ bytes: [UInt8], path: String) throws -> [UInt8] {
        guard bytes.count >= 16 else {
            throw CheckpointError(path: path, problem: "only \(bytes.count) bytes: the file is truncated")
        }
        let body = Array(bytes[..<(bytes.count - 4)])
        var tail = BinaryReader(bytes: Array(bytes[(bytes.count - 4)...]), path: path)
        let stored = try tail.read(UInt32.self, "checksum")
        let computed = body.withUnsafeBytes { CRC32.checksum($0) }
        guard stored == computed else {
            throw CheckpointError(path: path, problem: String(
                format: "checksum mismatch (stored %08x, computed %08x): the file is corrupt or was cut short", stored, computed))
        }
        return body
    }

    static func expectHeader(_ reader: inout BinaryReader, magic: [UInt8], version: UInt32, kind: String) throws {
        let found = try reader.readBytes(count: magic.count, "magic")
        guard found == magic else {
            throw CheckpointError(path: reader.path, problem: "not a Cola \(kind) file (magic \(String(decoding: found, as: UTF8.self).debugDescription))")
        }
        let stored = try reader.read(UInt32.self, "version")
        guard stored == version else {
            throw CheckpointError(path: reader.path, problem: "format version \(stored); this build reads version \(version)")
        }
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CheckpointError(path: path, problem: "cannot read the file (missing or unreadable)")
        }
        return [UInt8](data)
    }
}
