/// One named parameter tensor: where it lives in the flat parameter buffer.
public struct ParameterEntry: Equatable, Sendable {
    /// Dotted name, the same as the PyTorch reference's `state_dict` key (e.g. `head.dense.weight`).
    public let name: String
    /// Shape in the reference's layout (convolution weights `[out, in, kh, kw]`, dense `[out, in]`).
    public let shape: [Int]
    /// First element in the flat buffer.
    public let offset: Int

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
    /// Elements `offset..<offset + count` of the flat buffer.
    public var range: Range<Int> { offset..<(offset + count) }
}

/// The layout of all parameters of a model in one contiguous Float buffer.
///
/// Parameters, gradients and each Adam moment are separate buffers with this one layout, so
/// allreduce, checkpointing, the optimizer and gradient checks are one loop each (as llm.c).
/// Entries are in registration order, which is forward layer order.
public struct ParameterTable: Equatable, Sendable {
    public private(set) var entries: [ParameterEntry] = []
    /// Total elements over all entries.
    public private(set) var count = 0

    public init() {}

    /// Appends a parameter and returns its entry; names must be unique.
    @discardableResult
    public mutating func register(_ name: String, shape: [Int]) -> ParameterEntry {
        precondition(!shape.isEmpty && shape.allSatisfy { $0 > 0 }, "parameter \(name): bad shape \(shape)")
        precondition(self[name] == nil, "parameter \(name) registered twice")
        let entry = ParameterEntry(name: name, shape: shape, offset: count)
        entries.append(entry)
        count += entry.count
        return entry
    }

    /// The entry called `name`, if any.
    public subscript(name: String) -> ParameterEntry? {
        entries.first { $0.name == name }
    }
}
