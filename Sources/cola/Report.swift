import ArgumentParser

/// `cola report`.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Regenerate tables and plots from a run or sweep directory.")

    func run() throws {
        try notBuiltYet("report")
    }
}
