import ArgumentParser

/// `cola bench`: speed and memory measurements (results as JSON under benchmarks/results/).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: log-mel front end, training step, Cola's own kernels, convolution ceiling, gradient allreduce.",
        subcommands: [BenchLogMel.self, BenchTrain.self, BenchKernels.self, BenchConv.self, BenchAllreduce.self]
    )
}
