import ArgumentParser

/// Stops a subcommand whose implementation has not landed, with exit code 2 and no fake output.
func notBuiltYet(_ command: String) throws -> Never {
    print("cola \(command): not built yet in this version of Cola.")
    throw ExitCode(2)
}
