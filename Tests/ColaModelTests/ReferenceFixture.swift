import ColaCore
import Foundation

/// A `.colafix` file written by `benchmarks/reference/cola_reference.py`: named float tensors from
/// the PyTorch reference (inputs, parameters before the step, outputs, gradients, buffers after).
///
/// Format (little-endian): magic `COLAFIX1`, UInt32 tensor count, then per tensor UInt32 name
/// length, UTF-8 name, UInt32 rank, rank × Int64 dims, UInt32 encoding and its payload:
/// - 0 dense: product(dims) × Float32, row-major (PyTorch layout);
/// - 1 generated: Float32 offset, Float32 scale, UInt64 key; the values are
///   `offset + scale · t_i` with `t_i` from SplitMix64 (see `generatedValues`), bit-identical to
///   the Python writer, so parameters need no storage;
/// - 2 sampled: UInt32 n, n × UInt32 ascending flat indices, n × Float32 values, Float32 L2 norm
///   of the whole tensor. Large gradients and final parameters are stored this way.
///
/// `tolerance.<name>` holds the absolute tolerance the reference derived for `<name>` from float64,
/// channels-last float32 and perturbed-input runs (one value, or one per element for
/// `trajectory.loss`); `compare(_:with:)` applies it. docs/reference.md lists the tensors.
struct ReferenceFixture {
    /// One stored tensor.
    struct Tensor {
        /// Shape in PyTorch layout.
        let shape: [Int]
        /// How the values are stored.
        let storage: Storage

        /// Number of elements of the full tensor.
        var count: Int { shape.reduce(1, *) }
    }

    /// The values of a tensor as the file holds them.
    enum Storage {
        /// Every value, row-major.
        case dense([Float])
        /// Values made by `ReferenceFixture.generatedValues(key:offset:scale:count:)`.
        case generated(offset: Float, scale: Float, key: UInt64)
        /// Some elements (flat indices, ascending) and the L2 norm of the whole tensor.
        case sampled(indices: [Int], values: [Float], norm: Float)
    }

    /// The file this fixture was read from.
    let path: String
    /// Tensor names in file order.
    let names: [String]
    /// Tensors by name.
    let tensors: [String: Tensor]

    /// Reads and checks a fixture file; throws `ReferenceFixtureError` naming the file and offset.
    init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReferenceFixtureError.unreadable(path: path)
        }
        var reader = FixtureByteReader(bytes: [UInt8](data), path: path)
        let magic = try reader.bytes(8)
        guard magic == Array("COLAFIX1".utf8) else {
            throw ReferenceFixtureError.badMagic(path: path, found: magic)
        }
        let count = Int(try reader.scalar(UInt32.self))
        var names: [String] = []
        var tensors: [String: Tensor] = [:]
        for _ in 0..<count {
            let nameOffset = reader.offset
            let nameBytes = try reader.bytes(Int(try reader.scalar(UInt32.self)))
            guard let name = String(validating: nameBytes, as: UTF8.self), tensors[name] == nil else {
                throw ReferenceFixtureError.badName(path: path, offset: nameOffset)
            }
            let rank = Int(try reader.scalar(UInt32.self))
            let shape = try (0..<rank).map { _ in Int(try reader.scalar(Int64.self)) }
            let elements = shape.reduce(1, *)
            let encodingOffset = reader.offset
            let storage: Storage
            switch try reader.scalar(UInt32.self) {
            case 0:
                storage = .dense(try reader.floats(elements))
            case 1:
                let offset = try reader.scalar(Float.self)
                let scale = try reader.scalar(Float.self)
                storage = .generated(offset: offset, scale: scale, key: try reader.scalar(UInt64.self))
            case 2:
                let sampled = Int(try reader.scalar(UInt32.self))
                let indices = try (0..<sampled).map { _ in Int(try reader.scalar(UInt32.self)) }
                guard indices.allSatisfy({ $0 < elements }) else {
                    throw ReferenceFixtureError.badEncoding(path: path, name: name, offset: encodingOffset)
                }
                let values = try reader.floats(sampled)
                storage = .sampled(indices: indices, values: values, norm: try reader.scalar(Float.self))
            default:
                throw ReferenceFixtureError.badEncoding(path: path, name: name, offset: encodingOffset)
            }
            names.append(name)
            tensors[name] = Tensor(shape: shape, storage: storage)
        }
        guard reader.offset == reader.bytes.count else {
            throw ReferenceFixtureError.trailingBytes(path: path, offset: reader.offset)
        }
        self.path = path
        self.names = names
        self.tensors = tensors
    }

    /// Reads a fixture committed in `Tests/ColaModelTests/Fixtures`, e.g. `"cnn_bilinear.colafix"`.
    static func committed(_ file: String) throws -> ReferenceFixture {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        return try ReferenceFixture(contentsOf: directory.appendingPathComponent("Fixtures/\(file)").path)
    }

    /// Shape and every value of a dense or generated tensor; nil when absent or sampled
    /// (compare sampled tensors with `compare(_:with:)`).
    subscript(name: String) -> (shape: [Int], values: [Float])? {
        guard let tensor = tensors[name] else { return nil }
        switch tensor.storage {
        case .dense(let values):
            return (tensor.shape, values)
        case .generated(let offset, let scale, let key):
            return (tensor.shape, Self.generatedValues(key: key, offset: offset, scale: scale, count: tensor.count))
        case .sampled:
            return nil
        }
    }

    /// Names of the parameters and buffers the reference started from (the generated tensors),
    /// in `state_dict` order.
    var stateNames: [String] {
        names.filter { if case .generated = tensors[$0]!.storage { true } else { false } }
    }

    /// Compares `actual` (every element of the tensor, row-major) with the stored tensor `name`,
    /// over the stored elements, against `tolerance.<name>`; nil when `name` is absent. Throws when
    /// the element count differs.
    func compare(_ name: String, with actual: [Float]) throws -> ReferenceComparison? {
        guard let tensor = tensors[name] else { return nil }
        guard actual.count == tensor.count else {
            throw ReferenceFixtureError.countMismatch(path: path, name: name, expected: tensor.count, actual: actual.count)
        }
        let tolerance = self["tolerance.\(name)"]?.values
        switch tensor.storage {
        case .dense(let values):
            return ReferenceComparison(name: name, indices: values.indices, reference: values, actual: actual, referenceNorm: nil, tolerance: tolerance)
        case .generated:
            return ReferenceComparison(name: name, indices: actual.indices, reference: self[name]!.values, actual: actual, referenceNorm: nil, tolerance: tolerance)
        case .sampled(let indices, let values, let norm):
            return ReferenceComparison(name: name, indices: indices, reference: values, actual: actual, referenceNorm: norm, tolerance: tolerance)
        }
    }

    /// `offset + scale · t_i`, `t_i = 2 u_i − 1`, `u_i` SplitMix64's i-th uniform (top 24 bits)
    /// from state `key`. Every step but the final addition is exact in Float (scale is a power of
    /// two), so this equals the Python writer bit for bit.
    static func generatedValues(key: UInt64, offset: Float, scale: Float, count: Int) -> [Float] {
        var generator = SeededGenerator(state: key)
        return (0..<count).map { _ in offset + (generator.nextUniform() * 2 - 1) * scale }
    }
}

/// Differences between Cola's tensor and the reference's, over the elements the fixture stores.
struct ReferenceComparison: CustomStringConvertible {
    /// Tensor name.
    let name: String
    /// Number of elements compared.
    let compared: Int
    /// max |actual − reference|.
    let maxAbsDiff: Float
    /// max |reference| over the compared elements.
    let maxAbsReference: Float
    /// ‖actual‖₂ / ‖reference‖₂ − 1 over the whole tensor, for sampled tensors (their full norm is stored).
    let normRatioError: Float?
    /// max over compared elements of |actual − reference| / tolerance; nil without `tolerance.<name>`.
    let toleranceRatio: Float?

    /// `maxAbsDiff / maxAbsReference` (0 when both are 0).
    var relativeToMax: Float { maxAbsReference > 0 ? maxAbsDiff / maxAbsReference : maxAbsDiff }
    /// Every compared element is within the fixture's tolerance (false without one).
    var passes: Bool { toleranceRatio.map { $0 <= 1 } ?? false }

    /// `tolerance`: one value for all elements, or one per compared element.
    init<Indices: Sequence<Int>>(name: String, indices: Indices, reference: [Float], actual: [Float], referenceNorm: Float?, tolerance: [Float]?) {
        var compared = 0
        var maxDiff: Float = 0
        var maxReference: Float = 0
        var worstRatio: Float = 0
        for (slot, index) in indices.enumerated() {
            let diff = abs(actual[index] - reference[slot])
            maxDiff = max(maxDiff, diff)
            maxReference = max(maxReference, abs(reference[slot]))
            if let tolerance {
                let allowed = tolerance.count == 1 ? tolerance[0] : tolerance[min(slot, tolerance.count - 1)]
                worstRatio = max(worstRatio, diff.isNaN ? .infinity : diff / allowed)
            }
            compared += 1
        }
        self.name = name
        self.compared = compared
        self.maxAbsDiff = maxDiff
        self.maxAbsReference = maxReference
        self.toleranceRatio = tolerance == nil ? nil : worstRatio
        if let referenceNorm, referenceNorm > 0 {
            let norm = actual.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            normRatioError = Float(norm / Double(referenceNorm) - 1)
        } else {
            normRatioError = nil
        }
    }

    var description: String {
        let norm = normRatioError.map { String(format: ", norm ratio − 1 %.2e", $0) } ?? ""
        let tolerance = toleranceRatio.map { String(format: ", %.2f of tolerance", $0) } ?? ""
        return String(format: "%@: %d compared, max abs diff %.3e, max |ref| %.3e, rel %.2e", name, compared, maxAbsDiff, maxAbsReference, relativeToMax) + norm + tolerance
    }
}

/// A fixture file that cannot be used, with the file and byte offset.
enum ReferenceFixtureError: Error, CustomStringConvertible {
    case unreadable(path: String)
    case badMagic(path: String, found: [UInt8])
    case truncated(path: String, offset: Int, needed: Int)
    case badName(path: String, offset: Int)
    case badEncoding(path: String, name: String, offset: Int)
    case trailingBytes(path: String, offset: Int)
    case countMismatch(path: String, name: String, expected: Int, actual: Int)

    var description: String {
        switch self {
        case .unreadable(let path):
            "\(path): cannot read the file (regenerate with benchmarks/reference/cola_reference.py)"
        case .badMagic(let path, let found):
            "\(path): not a Cola fixture, magic is \(found) instead of COLAFIX1"
        case .truncated(let path, let offset, let needed):
            "\(path): truncated, needs \(needed) more bytes at offset \(offset)"
        case .badName(let path, let offset):
            "\(path): tensor name at offset \(offset) is not UTF-8 or repeats an earlier name"
        case .badEncoding(let path, let name, let offset):
            "\(path): tensor \(name) has an unknown encoding or out-of-range index at offset \(offset)"
        case .trailingBytes(let path, let offset):
            "\(path): unexpected bytes after the last tensor at offset \(offset)"
        case .countMismatch(let path, let name, let expected, let actual):
            "\(path): tensor \(name) has \(expected) elements, compared with \(actual)"
        }
    }
}

/// Little-endian reads over the bytes of one fixture file.
private struct FixtureByteReader {
    let bytes: [UInt8]
    let path: String
    var offset = 0

    mutating func bytes(_ count: Int) throws -> [UInt8] {
        guard count >= 0, offset + count <= bytes.count else {
            throw ReferenceFixtureError.truncated(path: path, offset: offset, needed: offset + count - bytes.count)
        }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    mutating func scalar<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        guard offset + size <= bytes.count else {
            throw ReferenceFixtureError.truncated(path: path, offset: offset, needed: offset + size - bytes.count)
        }
        let value = bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
        offset += size
        return value
    }

    mutating func scalar(_: Float.Type) throws -> Float {
        Float(bitPattern: try scalar(UInt32.self))
    }

    mutating func floats(_ count: Int) throws -> [Float] {
        let size = count * 4
        guard offset + size <= bytes.count else {
            throw ReferenceFixtureError.truncated(path: path, offset: offset, needed: offset + size - bytes.count)
        }
        let start = offset
        offset += size
        return bytes.withUnsafeBytes { raw in
            (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * $0, as: UInt32.self))) }
        }
    }
}
