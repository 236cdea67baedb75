/// A key in a config section that the section does not have.
public struct UnknownConfigKey: Error {
    /// The dotted path of the key.
    public let path: String
    /// The keys the section has.
    public let allowed: [String]
}

/// Any key, to list what a YAML mapping holds.
private struct AnyConfigKey: CodingKey {
    let stringValue: String
    let intValue: Int? = nil
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Decoder {
    /// A keyed container that first rejects keys `Key` does not list, so typos fail loudly.
    public func strictContainer<Key: CodingKey & CaseIterable>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let all = try container(keyedBy: AnyConfigKey.self)
        let allowed = Key.allCases.map(\.stringValue)
        if let unknown = all.allKeys.first(where: { !allowed.contains($0.stringValue) }) {
            let path = (codingPath + [unknown]).map(\.stringValue).joined(separator: ".")
            throw UnknownConfigKey(path: path, allowed: allowed)
        }
        return try container(keyedBy: type)
    }
}
