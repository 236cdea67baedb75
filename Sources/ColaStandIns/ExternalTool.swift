import Foundation

/// A command-line program the generator drives (espeak-ng, sox, fluidsynth), found on `PATH`.
struct ExternalTool: Sendable {
    /// The program name, e.g. `sox`.
    let name: String
    /// The Debian package that installs it.
    let package: String
    /// The resolved executable.
    let executable: URL

    static let espeak = "espeak-ng"
    static let sox = "sox"
    static let fluidsynth = "fluidsynth"

    /// Finds `name` on `PATH` or throws ``StandInError/toolMissing(tool:package:)``.
    init(name: String, package: String) throws {
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = searchPath.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw StandInError.toolMissing(tool: name, package: package)
        }
        self.name = name
        self.package = package
        self.executable = found
    }

    /// Runs the program to completion; throws with its output when it exits non-zero.
    func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw StandInError.toolFailed(tool: name, arguments: arguments, status: -1, output: "\(error)")
        }
        let text = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw StandInError.toolFailed(
                tool: name, arguments: arguments, status: process.terminationStatus,
                output: String(decoding: text, as: UTF8.self))
        }
    }
}

/// The three programs the generator needs, resolved once per build.
struct StandInTools: Sendable {
    let espeak: ExternalTool
    let sox: ExternalTool
    let fluidsynth: ExternalTool

    init() throws {
        espeak = try ExternalTool(name: ExternalTool.espeak, package: "espeak-ng")
        sox = try ExternalTool(name: ExternalTool.sox, package: "sox")
        fluidsynth = try ExternalTool(name: ExternalTool.fluidsynth, package: "fluidsynth")
    }
}
