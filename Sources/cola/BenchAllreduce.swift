import ArgumentParser

/// `cola bench allreduce`.
struct BenchAllreduce: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "allreduce", abstract: "Gradient allreduce bandwidth and overlap across ranks.")

    func run() throws {
        try notBuiltYet("bench allreduce")
    }
}
