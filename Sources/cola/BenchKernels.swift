import ArgumentParser
import ColaTraining
import Foundation

/// `cola bench kernels`: Cola's own SIMD kernels alone, as memory throughput.
struct BenchKernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Cola's own kernels (fused batch norm + swish, blocked max pooling) alone: best time and GB/s.",
        discussion: """
            Run it on an AVX2 and on an AVX-512 machine (or build twice, native and COLA_CPU=portable) to compare \
            the vector widths. Writes DIR/kernels.json.
            Example: cola bench kernels --threads 2
            """
    )

    @OptionGroup var threads: ThreadOption

    @Option(help: "Timed calls per kernel (the best is kept).")
    var repeats: Int = 5

    @OptionGroup var output: BenchmarkOutput

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be positive") }
    }

    func run() throws {
        let result = KernelBenchmark(threads: threads.count, repeats: repeats).run()
        let path = try output.write(result, to: "kernels.json")
        print("\(threads.count) thread(s), oneDNN ISA \(result.instructionSet), CPU \(result.cpuFeatures), load \(result.loadAverage) → \(path)")
        for m in result.measurements {
            print(String(format: "  %-44@ %-14@ %8.2f ms %6.1f GB/s", m.kernel, m.shape, m.milliseconds, m.gigabytesPerSecond))
        }
    }
}
