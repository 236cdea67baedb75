import ArgumentParser
import Foundation

/// `--out DIR` of every command that writes results: always a folder, created if missing; each
/// command names its files inside it (`cola bench train` → `train-<encoder>-b<batch>.json`).
struct OutputFolder: ParsableArguments {
    @Option(name: .customLong("out"), help: ArgumentHelp("Folder to write into (created if missing).", valueName: "dir"))
    var path: String

    /// `path/name`, after creating `path`.
    func file(_ name: String) throws -> String {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return "\(path)/\(name)"
    }
}

/// `--out DIR` of the benchmarks, by default the repository's `benchmarks/results`.
struct BenchmarkOutput: ParsableArguments {
    @Option(name: .customLong("out"), help: ArgumentHelp("Folder for the JSON result (created if missing).", valueName: "dir"))
    var path = "benchmarks/results"

    /// `path/name`, after creating `path`.
    func file(_ name: String) throws -> String {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return "\(path)/\(name)"
    }

    /// Writes `result` as pretty JSON with sorted keys to `path/name`; returns the file's path.
    @discardableResult
    func write<Result: Encodable>(_ result: Result, to name: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let file = try file(name)
        try encoder.encode(result).write(to: URL(fileURLWithPath: file))
        return file
    }
}

/// `--threads N` of the single-process benchmarks: oneDNN (OpenMP) and BLAS threads.
struct ThreadOption: ParsableArguments {
    @Option(name: .customLong("threads"), help: "oneDNN and BLAS threads.")
    var count = 2

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--threads must be at least 1, not \(count)") }
    }
}
