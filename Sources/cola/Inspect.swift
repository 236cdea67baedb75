import ArgumentParser
import ColaTraining

/// `cola inspect CHECKPOINT`.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a checkpoint's step, config, parameter count and checksum status.",
        discussion: """
            CHECKPOINT is a step-NNNNNN directory, a `latest` link, a checkpoints folder or a run directory.             Exits 1 when a file fails its checksum.
            Example: cola inspect runs/demo --compare runs/demo/checkpoints/step-000100
            """)

    @Argument(help: "The checkpoint (or run directory) to inspect.")
    var checkpoint: String

    @Option(help: "Another checkpoint: print the largest parameter difference and whether all bits agree.")
    var compare: String?

    @Option(help: "With --compare: exit 1 when the largest absolute difference exceeds this (0 demands identical bits).")
    var tolerance: Float?

    func run() throws {
        let inspection = CheckpointInspection(path: checkpoint)
        if compare == nil { inspection.lines.forEach { print($0) } }
        if !inspection.isValid { throw ExitCode(1) }
        guard let compare else { return }
        let comparison = try CheckpointComparison(checkpoint, compare)
        print(comparison.line)
        if let tolerance {
            let within = tolerance == 0 ? comparison.bitIdentical : comparison.maxAbsoluteDifference <= tolerance
            print("within tolerance \(tolerance): \(within ? "yes" : "NO")")
            if !within { throw ExitCode(1) }
        }
    }
}
