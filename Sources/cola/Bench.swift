import ArgumentParser

/// `cola bench`.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Benchmarks: logmel, train, allreduce.")

    func run() throws {
        try notBuiltYet("bench")
    }
}
