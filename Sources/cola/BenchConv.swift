import ArgumentParser
import ColaTraining
import Foundation

/// `cola bench conv`: the small CNN's 3×3 convolutions alone, the ceiling of its training step.
struct BenchConv: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv",
        abstract: "oneDNN 3×3 convolutions (direct and Winograd) at the small CNN's shapes and the clips/s ceilings they imply.",
        discussion: """
            Writes DIR/conv-ceiling-b<batch>.json.
            Example: cola bench conv --batch 64 --threads 2
            """)

    @Option(help: "Clips per step (the convolutions see 2·batch segments).")
    var batch = 64

    @OptionGroup var threads: ThreadOption

    @Option(help: "Timed runs per primitive (the fastest counts).")
    var repetitions = 5

    @OptionGroup var output: BenchmarkOutput

    func run() throws {
        let result = try ConvolutionCeilingBenchmark(batch: batch, threads: threads.count, repetitions: repetitions).run()
        for m in result.measurements {
            print(String(format: "  layer %d %-16@ %-13@ %-13@ %7.1f ms %4.0f GFLOP/s  %@", m.layer, m.pass, m.layout, m.algorithm,
                         m.milliseconds, m.gflopsPerSecond, m.implementation))
        }
        let path = try output.write(result, to: "conv-ceiling-b\(batch).json")
        print(String(format: "small CNN B%d, %d threads: direct convolutions alone take %.0f ms per step → ceiling %.1f clips/s; "
                     + "with Winograd %.0f ms → %.1f clips/s → %@", batch, threads.count, result.directConvolutionMilliseconds,
                     result.directCeilingClipsPerSecond, result.convolutionMilliseconds, result.ceilingClipsPerSecond, path))
    }
}
