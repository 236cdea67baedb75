extension Communicator {
    /// Every rank's string, in rank order, on every rank (any lengths).
    public func allgatherStrings(_ text: String) throws -> [String] {
        let bytes = Array(text.utf8)
        let lengths = try allgather([Int64(bytes.count)])
        let width = Int(lengths.max() ?? 0)
        guard width > 0 else { return Array(repeating: "", count: size) }
        let gathered = try allgather(bytes + [UInt8](repeating: 0, count: width - bytes.count))
        return (0..<size).map { r in
            String(decoding: gathered[(r * width)..<(r * width + Int(lengths[r]))], as: UTF8.self)
        }
    }
}
