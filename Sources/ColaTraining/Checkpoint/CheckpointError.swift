/// A checkpoint that cannot be written, found or trusted; names the file and what is wrong.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    /// The file or directory concerned.
    public let path: String
    /// What is wrong and, where it helps, what to do.
    public let problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "checkpoint \(path): \(problem)" }
}
