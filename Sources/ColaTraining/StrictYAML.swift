import ColaCore
import Yams

/// YAML decoding that refuses unknown keys and reports every problem as a ``ConfigError``
/// naming the file, the dotted key and its line. Run configs and sweep files both read this way.
public enum StrictYAML {
    /// The node tree of `text`; an empty document is an empty mapping.
    public static func compose(_ text: String, file: String) throws -> Node {
        do {
            return try Yams.compose(yaml: text) ?? Node.mapping(Node.Mapping([]))
        } catch {
            throw ConfigError(file: file, key: "", line: nil, problem: "not valid YAML: \(error)")
        }
    }

    /// Decodes `type` from `root`; unknown keys, wrong types and bad values become ``ConfigError``.
    public static func decode<T: Decodable>(_ type: T.Type, from root: Node, file: String) throws -> T {
        do {
            return try YAMLDecoder().decode(type, from: root)
        } catch let error as UnknownConfigKey {
            throw ConfigError(file: file, key: error.path, line: line(of: error.path, in: root),
                              problem: "unknown key (expected one of: \(error.allowed.joined(separator: ", ")))")
        } catch let error as DecodingError {
            throw describe(error, file: file, root: root)
        }
    }

    /// The 1-based line of the key at `dottedPath`, or of its deepest ancestor that exists.
    public static func line(of dottedPath: String, in root: Node) -> Int? {
        var node = root
        var keyNode: Node?
        for component in dottedPath.split(separator: ".") {
            guard let mapping = node.mapping,
                  let pair = mapping.first(where: { $0.key.string == String(component) }) else { return keyNode?.mark?.line }
            keyNode = pair.key
            node = pair.value
        }
        return keyNode?.mark?.line
    }

    private static func describe(_ error: DecodingError, file: String, root: Node) -> ConfigError {
        func dotted(_ path: [CodingKey]) -> String { path.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let key = dotted(context.codingPath)
            return ConfigError(file: file, key: key, line: line(of: key, in: root),
                               problem: "expected \(typeName(type)) (\(context.debugDescription))")
        case .dataCorrupted(let context):
            let key = dotted(context.codingPath)
            return ConfigError(file: file, key: key, line: line(of: key, in: root), problem: context.debugDescription)
        case .keyNotFound(let key, let context):
            return ConfigError(file: file, key: dotted(context.codingPath + [key]), line: nil, problem: "missing")
        @unknown default:
            return ConfigError(file: file, key: "", line: nil, problem: "\(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type: return "an integer"
        case is Float.Type, is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is [String].Type: return "a list of strings"
        default: return "\(type)"
        }
    }
}
