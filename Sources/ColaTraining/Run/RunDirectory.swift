import Foundation

/// The files of one run under `runs/<name>/` (or `run_dir`).
public struct RunDirectory: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The effective config.
    public var configFile: String { "\(path)/config.yaml" }
    /// One JSON object per step.
    public var metricsFile: String { "\(path)/metrics.jsonl" }
    /// The progress and event log rank 0 prints, also kept on disk.
    public var logFile: String { "\(path)/train.log" }
    public var checkpoints: String { "\(path)/checkpoints" }

    /// Creates the directory (rank 0).
    public func create() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
}

/// Appends lines to a file, flushing each (rank 0's log and metrics).
public final class LineWriter {
    private let handle: FileHandle

    /// Opens `path` for appending, creating it if needed.
    public init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CheckpointError(path: path, problem: "cannot create the file")
            }
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    public func write(_ line: String) {
        handle.write(Data((line + "\n").utf8))
    }
}
