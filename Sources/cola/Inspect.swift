import ArgumentParser
import ColaTraining

/// `cola inspect CHECKPOINT`.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a checkpoint's step, config, parameter count and checksum status.",
        discussion: "CHECKPOINT is a step-NNNNNN directory, a `latest` link, a checkpoints folder or a run directory. Exits 1 when a file fails its checksum.")

    @Argument(help: "The checkpoint (or run directory) to inspect.")
    var checkpoint: String

    func run() throws {
        let inspection = CheckpointInspection(path: checkpoint)
        inspection.lines.forEach { print($0) }
        if !inspection.isValid { throw ExitCode(1) }
    }
}
