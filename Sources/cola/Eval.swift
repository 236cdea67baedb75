import ArgumentParser

/// `cola eval`.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Score an encoder on the transfer suite.")

    func run() throws {
        try notBuiltYet("eval")
    }
}
