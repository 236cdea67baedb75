import ArgumentParser

/// `cola bench train`.
struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "Training-step throughput (clips/s) and peak memory.")

    func run() throws {
        try notBuiltYet("bench train")
    }
}
