import Foundation

/// Why a task's data could not be read.
public enum TaskImportError: Error, CustomStringConvertible, Equatable {
    /// A file or folder the layout requires is not there.
    case missing(path: String, expected: String)
    /// A metadata line does not have the shape the data set ships with.
    case malformed(file: String, line: Int, reason: String)
    /// The data is there but yields no usable split.
    case empty(task: String, reason: String)
    /// More than `maxFraction` of the `listed` clips are missing, empty or undecodable.
    case tooManyUnusable(task: String, skipped: [SkippedClip], listed: Int, maxFraction: Double)

    /// Skipped clips named in full in ``tooManyUnusable(task:skipped:listed:maxFraction:)``'s message; the rest are counted.
    public static let namedSkippedClips = 5

    public var description: String {
        switch self {
        case let .missing(path, expected):
            return "\(path): not found (expected \(expected))"
        case let .malformed(file, line, reason):
            return line > 0 ? "\(file):\(line): \(reason)" : "\(file): \(reason)"
        case let .empty(task, reason):
            return "task \(task): \(reason)"
        case let .tooManyUnusable(task, skipped, listed, maxFraction):
            let named = skipped.prefix(Self.namedSkippedClips).map(\.description).joined(separator: ", ")
            let more = skipped.count > Self.namedSkippedClips ? " and \(skipped.count - Self.namedSkippedClips) more" : ""
            let share = String(format: "%.1f%%", 100 * Double(skipped.count) / Double(max(listed, 1)))
            return "task \(task): \(skipped.count) of \(listed) listed clips (\(share)) cannot be used (\(skipped.reasonSummary)), "
                + "more than the \(String(format: "%g", 100 * maxFraction))% allowed (--max-bad-fraction): \(named)\(more)"
        }
    }

    /// The path looked for, when the error is a missing file or folder.
    public var missingPath: String? {
        if case let .missing(path, _) = self { return path }
        return nil
    }
}
