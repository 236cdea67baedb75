import Foundation

/// NumPy's `.npy` format, version 1.0, for float32 arrays: magic `\x93NUMPY`, version 1.0, a
/// little-endian UInt16 header length, a Python-dict header padded with spaces to a multiple of
/// 64 bytes and ended by `\n`, then the values little-endian in C order
/// (numpy/lib/format.py, `write_array_header_1_0`).
public enum NPYFile {
    /// The bytes of a `<f4` array of `shape` holding `values` (row-major).
    public static func encode(_ values: [Float], shape: [Int]) -> [UInt8] {
        precondition(shape.reduce(1, *) == values.count, "NPYFile: \(values.count) values for shape \(shape)")
        let dimensions = shape.count == 1 ? "\(shape[0])," : shape.map(String.init).joined(separator: ", ")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dimensions)), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let length = UInt16(header.utf8.count)
        bytes += [UInt8(length & 0xFF), UInt8(length >> 8)]
        bytes += Array(header.utf8)
        bytes.reserveCapacity(bytes.count + 4 * values.count)
        for value in values {
            let bits = value.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { bytes += $0 }
        }
        return bytes
    }

    /// Writes `values` of `shape` to `path`.
    public static func write(_ values: [Float], shape: [Int], to path: String) throws {
        try Data(encode(values, shape: shape)).write(to: URL(fileURLWithPath: path))
    }
}
