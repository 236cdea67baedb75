/// A failure while building stand-in data, naming the tool, file or value involved.
public enum StandInError: Error, CustomStringConvertible, Equatable {
    /// An external program (espeak-ng, sox, fluidsynth) could not be started or failed.
    case toolFailed(tool: String, arguments: [String], status: Int32, output: String)
    /// A program the generator needs is not installed.
    case toolMissing(tool: String, package: String)
    /// A packaged recording the generator needs is not installed.
    case sourceMissing(path: String, package: String)
    /// A file could not be written.
    case writeFailed(path: String, reason: String)
    /// An argument was out of range.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .toolFailed(let tool, let arguments, let status, let output):
            return "\(tool) \(arguments.joined(separator: " ")) exited with status \(status): \(output.suffix(400))"
        case .toolMissing(let tool, let package):
            return "\(tool) is not installed: apt-get install \(package)"
        case .sourceMissing(let path, let package):
            return "\(path) is missing: apt-get install \(package)"
        case .writeFailed(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .invalidArgument(let text):
            return text
        }
    }
}
