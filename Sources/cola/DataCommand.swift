import ArgumentParser

/// `cola data`.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "data", abstract: "Build offline stand-in data sets (cola data standins).")

    func run() throws {
        try notBuiltYet("data")
    }
}
