/// Appends little-endian scalars and raw arrays to a byte buffer (checkpoint files).
struct BinaryWriter {
    private(set) var bytes: [UInt8] = []

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ string: String) {
        let utf8 = Array(string.utf8)
        append(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    mutating func append(_ floats: UnsafeBufferPointer<Float>) {
        // Cola only runs on little-endian machines (x86-64, arm64), so the floats go as they are.
        bytes.append(contentsOf: UnsafeRawBufferPointer(floats))
    }

    mutating func appendBytes(_ raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }
}

/// Reads what ``BinaryWriter`` wrote; every read past the end is a ``CheckpointError``.
struct BinaryReader {
    let bytes: [UInt8]
    let path: String
    private(set) var position = 0

    init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    var remaining: Int { bytes.count - position }

    private func need(_ count: Int, _ what: String) throws {
        guard count >= 0, remaining >= count else {
            throw CheckpointError(path: path, problem: "truncated: \(what) needs \(count) bytes at offset \(position), \(remaining) left")
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: String) throws -> T {
        try need(MemoryLayout<T>.size, what)
        var value = T.zero
        withUnsafeMutableBytes(of: &value) { target in
            target.copyBytes(from: bytes[position..<(position + MemoryLayout<T>.size)])
        }
        position += MemoryLayout<T>.size
        return T(littleEndian: value)
    }

    mutating func readString(_ what: String) throws -> String {
        let count = Int(try read(UInt32.self, what))
        try need(count, what)
        defer { position += count }
        return String(decoding: bytes[position..<(position + count)], as: UTF8.self)
    }

    mutating func readFloats(count: Int, _ what: String) throws -> [Float] {
        try need(count * 4, what)
        var floats = [Float](repeating: 0, count: count)
        floats.withUnsafeMutableBytes { target in
            target.copyBytes(from: bytes[position..<(position + count * 4)])
        }
        position += count * 4
        return floats
    }

    mutating func readBytes(count: Int, _ what: String) throws -> [UInt8] {
        try need(count, what)
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }
}
