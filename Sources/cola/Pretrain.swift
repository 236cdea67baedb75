import ArgumentParser

/// `cola pretrain`.
struct Pretrain: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pretrain", abstract: "Pretrain an encoder with COLA (run under mpirun for several ranks).")

    func run() throws {
        try notBuiltYet("pretrain")
    }
}
