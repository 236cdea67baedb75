/// Why a task's data could not be read.
public enum TaskImportError: Error, CustomStringConvertible, Equatable {
    /// A file or folder the layout requires is not there.
    case missing(path: String, expected: String)
    /// A metadata line does not have the shape the data set ships with.
    case malformed(file: String, line: Int, reason: String)
    /// The data is there but yields no usable split.
    case empty(task: String, reason: String)

    public var description: String {
        switch self {
        case let .missing(path, expected):
            return "\(path): not found (expected \(expected))"
        case let .malformed(file, line, reason):
            return "\(file):\(line): \(reason)"
        case let .empty(task, reason):
            return "task \(task): \(reason)"
        }
    }

    /// The path looked for, when the error is a missing file or folder.
    public var missingPath: String? {
        if case let .missing(path, _) = self { return path }
        return nil
    }
}
