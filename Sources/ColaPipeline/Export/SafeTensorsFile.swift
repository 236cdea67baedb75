import Foundation

/// The safetensors format (huggingface/safetensors, `docs/source/index.mdx`) for float32
/// tensors: an 8-byte little-endian header length N, N bytes of JSON
/// `{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ..., "__metadata__": {"key": "value"}}`
/// (padded with spaces to a multiple of 8), then the tensors' bytes, little-endian, row-major,
/// offsets relative to the end of the header and covering the data without gaps or overlaps.
public struct SafeTensorsFile: Equatable, Sendable {
    /// One tensor.
    public struct Tensor: Equatable, Sendable {
        /// Its shape (`[]` for a scalar).
        public var shape: [Int]
        /// Its values, row-major.
        public var values: [Float]

        /// A tensor of `shape` holding `values`.
        public init(shape: [Int], values: [Float]) {
            precondition(shape.reduce(1, *) == values.count, "SafeTensorsFile: \(values.count) values for shape \(shape)")
            self.shape = shape
            self.values = values
        }
    }

    /// Tensors by name.
    public var tensors: [String: Tensor]
    /// The `__metadata__` strings.
    public var metadata: [String: String]

    /// A file holding `tensors` and `metadata`.
    public init(tensors: [String: Tensor], metadata: [String: String]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The file's bytes; tensors are laid out in name order.
    public func encode() throws -> [UInt8] {
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let tensor = tensors[name]!
            let end = offset + 4 * tensor.values.count
            header[name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, end]] as [String: Any]
            offset = end
        }
        var json = Array(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes]))
        json += [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes += $0 }
        bytes += json
        for name in names {
            for value in tensors[name]!.values {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
            }
        }
        return bytes
    }

    /// Writes the file to `path` (through a temporary name, then renamed).
    public func write(to path: String) throws {
        let temporary = path + ".tmp"
        try Data(try encode()).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            throw SafeTensorsError(path: path, problem: "cannot rename \(temporary) to it (errno \(errno))")
        }
    }

    /// Reads and checks the file at `path`.
    public static func read(path: String) throws -> SafeTensorsFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SafeTensorsError(path: path, problem: "cannot read the file (\(error.localizedDescription))")
        }
        return try decode(Array(data), path: path)
    }

    /// Parses `bytes` (the contents of `path`, named in errors).
    public static func decode(_ bytes: [UInt8], path: String) throws -> SafeTensorsFile {
        func fail(_ problem: String) -> SafeTensorsError { SafeTensorsError(path: path, problem: problem) }
        guard bytes.count >= 8 else { throw fail("\(bytes.count) bytes, shorter than the 8-byte header length (truncated or not a safetensors file)") }
        let headerLength = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw fail("header length \(headerLength) exceeds the \(bytes.count - 8) bytes after it (truncated or not a safetensors file)")
        }
        let dataStart = 8 + Int(headerLength)
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart]))
        } catch {
            throw fail("the header is not JSON (\(error.localizedDescription))")
        }
        guard let header = parsed as? [String: Any] else { throw fail("the header is not a JSON object") }
        var metadata: [String: String] = [:]
        if let raw = header["__metadata__"] {
            guard let strings = raw as? [String: String] else { throw fail("__metadata__ is not an object of strings") }
            metadata = strings
        }
        let dataCount = bytes.count - dataStart
        var spans: [(begin: Int, end: Int, name: String)] = []
        var tensors: [String: Tensor] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any] else { throw fail("tensor \(name): not an object") }
            guard let dtype = entry["dtype"] as? String, dtype == "F32" else {
                throw fail("tensor \(name): dtype \(entry["dtype"] ?? "missing"), expected F32")
            }
            guard let shape = (entry["shape"] as? [NSNumber])?.map(\.intValue), shape.allSatisfy({ $0 >= 0 }) else {
                throw fail("tensor \(name): shape missing or not a list of non-negative integers")
            }
            guard let offsets = (entry["data_offsets"] as? [NSNumber])?.map(\.intValue), offsets.count == 2,
                  offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw fail("tensor \(name): data_offsets missing or not [begin, end]")
            }
            let count = shape.reduce(1, *)
            guard offsets[1] - offsets[0] == 4 * count else {
                throw fail("tensor \(name): data_offsets \(offsets) hold \(offsets[1] - offsets[0]) bytes, shape \(shape) needs \(4 * count)")
            }
            guard offsets[1] <= dataCount else {
                throw fail("tensor \(name): data_offsets \(offsets) run past the \(dataCount) data bytes (truncated file)")
            }
            spans.append((offsets[0], offsets[1], name))
            var values = [Float](repeating: 0, count: count)
            let base = dataStart + offsets[0]
            for index in 0..<count {
                let at = base + 4 * index
                let bits = UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
                values[index] = Float(bitPattern: bits)
            }
            tensors[name] = Tensor(shape: shape, values: values)
        }
        var covered = 0
        for span in spans.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            guard span.begin == covered else {
                throw fail("tensor \(span.name) starts at data byte \(span.begin), expected \(covered) (gap or overlap between tensors)")
            }
            covered = span.end
        }
        guard covered == dataCount else {
            throw fail("the tensors cover \(covered) of \(dataCount) data bytes (trailing bytes or a damaged header)")
        }
        return SafeTensorsFile(tensors: tensors, metadata: metadata)
    }
}

/// A safetensors file that cannot be read: names the file and what is wrong.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable {
    /// The file.
    public let path: String
    /// What is wrong.
    public let problem: String

    public var description: String { "\(path): \(problem)" }
}
