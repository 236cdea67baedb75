import ArgumentParser
import ColaModel
import ColaTraining
import Foundation

/// `cola bench train`: steady-state training-step throughput of one process.
struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training-step throughput (clips/s), peak memory and GFLOP/s per layer type.",
        discussion: """
            One step = forward of 2·batch log-mel segments (anchors and positives in one batch), bilinear \
            contrastive loss, backward, Adam. A clip is one anchor + positive pair. Writes \
            DIR/train-<encoder>-b<batch>.json.
            Example: cola bench train --encoder cnn --batch 64 --threads 2
            """
    )

    @Option(help: "Encoder.")
    var encoder: EncoderKind = .efficientNetB0

    @Option(help: "The small CNN's convolutions: auto (fastest this CPU runs: oneDNN's Winograd on AVX-512, Cola's on AVX2), winograd or direct.")
    var convolution: ConvolutionChoice = .auto

    @Option(help: "Clips per step (the step runs 2·batch segments).")
    var batch: Int = 64

    @OptionGroup var threads: ThreadOption

    @Option(help: "Timed steps (after warm-up).")
    var steps: Int = 10

    @Option(help: "Untimed warm-up steps (at least one runs: it checks that no computation runs oneDNN's reference loops).")
    var warmup: Int = 2

    @OptionGroup var output: BenchmarkOutput

    @Flag(help: "Also time one profiled step per layer type (adds timer overhead to that step only).")
    var profile = false

    func validate() throws {
        guard batch >= 1, steps >= 1, warmup >= 0 else {
            throw ValidationError("--batch and --steps must be positive, --warmup not negative")
        }
    }

    func run() throws {
        let result = try ModelStepBenchmark(encoder: encoder, convolution: convolution, batch: batch,
                                            threads: threads.count,
                                            steps: steps, warmup: warmup, profile: profile).run()
        let path = try output.write(result, to: "train-\(encoder.rawValue)-b\(batch).json")
        print(String(format: "%@ B%d: %.1f clips/s (median step %.3f s over %d steps), peak RSS %.0f MiB → %@",
                     encoder.rawValue, batch, result.clipsPerSecond, result.medianStepSeconds, steps, result.peakRSSMiB, path))
        print("  \(result.compute); oneDNN \(result.oneDNNVersion), ISA \(result.instructionSet)")
        for row in result.layers {
            let rate = row.gflopsPerSecond.map { String(format: " %.0f GFLOP/s", $0) } ?? ""
            print(String(format: "  %-28@ %7.1f ms %5.1f%%%@", row.layer, row.seconds * 1000, row.share * 100, rate))
        }
        print("  GEMM \(2 * batch)×512×1280, GFLOP/s: \(result.gemmGFLOPs)")
    }
}
