import ArgumentParser

/// `cola sweep`.
struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sweep", abstract: "Pretrain and evaluate at several batch sizes.")

    func run() throws {
        try notBuiltYet("sweep")
    }
}
