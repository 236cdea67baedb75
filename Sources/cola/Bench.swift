import ArgumentParser

/// `cola bench`: speed and memory measurements (results as JSON under benchmarks/results/).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: log-mel front end, training step, Cola's own kernels, convolution ceiling, gradient allreduce.",
        discussion: """
            Each writes its JSON result into --out (default benchmarks/results); benchmarks/README.md has the tables.
            Example: cola bench train --encoder cnn --batch 64
            """,
        subcommands: [BenchLogMel.self, BenchTrain.self, BenchKernels.self, BenchConv.self, BenchAllreduce.self]
    )
}
