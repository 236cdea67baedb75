import ArgumentParser

/// `cola inspect`.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Print a checkpoint's step, config, parameter count and checksum status.")

    func run() throws {
        try notBuiltYet("inspect")
    }
}
