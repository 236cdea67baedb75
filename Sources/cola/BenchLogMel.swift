import ArgumentParser

/// `cola bench logmel`.
struct BenchLogMel: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logmel", abstract: "CPU seconds per hour of audio for decode, resample and log-mel.")

    func run() throws {
        try notBuiltYet("bench logmel")
    }
}
