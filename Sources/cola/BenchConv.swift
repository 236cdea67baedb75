import ArgumentParser
import ColaTraining
import Foundation

/// `cola bench conv`: the small CNN's 3×3 convolutions alone, the ceiling of its training step.
struct BenchConv: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv",
        abstract: "oneDNN 3×3 convolutions (direct and Winograd) at the small CNN's shapes and the clips/s ceilings they imply.",
        discussion: "Writes benchmarks/results/conv-ceiling-b<batch>.json.")

    @Option(help: "Clips per step (the convolutions see 2·batch segments).")
    var batch = 64

    @Option(help: "oneDNN threads.")
    var threads = 2

    @Option(help: "Timed runs per primitive (the fastest counts).")
    var repetitions = 5

    @Option(help: "Output directory for the JSON result.")
    var out = "benchmarks/results"

    func run() throws {
        let result = try ConvolutionCeilingBenchmark(batch: batch, threads: threads, repetitions: repetitions).run()
        for m in result.measurements {
            print(String(format: "  layer %d %-16@ %-13@ %-13@ %7.1f ms %4.0f GFLOP/s  %@", m.layer, m.pass, m.layout, m.algorithm,
                         m.milliseconds, m.gflopsPerSecond, m.implementation))
        }
        let path = "\(out)/conv-ceiling-b\(batch).json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try encoder.encode(result).write(to: URL(fileURLWithPath: path))
        print(String(format: "small CNN B%d, %d threads: direct convolutions alone take %.0f ms per step → ceiling %.1f clips/s; "
                     + "with Winograd %.0f ms → %.1f clips/s → %@", batch, threads, result.directConvolutionMilliseconds,
                     result.directCeilingClipsPerSecond, result.convolutionMilliseconds, result.ceilingClipsPerSecond, path))
    }
}
