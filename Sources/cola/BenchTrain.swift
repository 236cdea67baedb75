import ArgumentParser
import ColaModel
import ColaTensor
import Foundation

/// `cola bench train`: steady-state training-step throughput of one process.
struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training-step throughput (clips/s), peak memory and GFLOP/s per layer type.",
        discussion: """
            One step = forward of 2·batch log-mel segments (anchors and positives in one batch), bilinear \
            contrastive loss, backward, Adam. A clip is one anchor + positive pair. Writes \
            benchmarks/results/train-<encoder>-b<batch>.json.
            """
    )

    @Option(help: "Encoder: cnn or effnet.")
    var encoder: String = "effnet"

    @Option(help: "Clips per step (the step runs 2·batch segments).")
    var batch: Int = 64

    @Option(help: "oneDNN and BLAS threads.")
    var threads: Int = 2

    @Option(help: "Timed steps (after warm-up).")
    var steps: Int = 10

    @Option(help: "Untimed warm-up steps.")
    var warmup: Int = 2

    @Option(help: "Output directory for the JSON result.")
    var out: String = "benchmarks/results"

    @Flag(help: "Also time one profiled step per layer type (adds timer overhead to that step only).")
    var profile = false

    func validate() throws {
        guard EncoderKind(rawValue: encoder) != nil else { throw ValidationError("--encoder must be cnn or effnet, not \(encoder)") }
        guard batch >= 1, steps >= 1, threads >= 1 else { throw ValidationError("--batch, --steps and --threads must be positive") }
    }

    func run() throws {
        OneDNN.setThreadCount(threads)
        BLAS.setThreadCount(threads)
        let kind = EncoderKind(rawValue: encoder)!
        let model = ContrastiveModel(ModelConfiguration(encoder: kind), seed: 1)
        let adam = Adam(count: model.parameters.count)
        var generator = SeededGenerator(seed: 2)
        let segments = 2 * batch
        let input = FloatBuffer((0..<(segments * 96 * 64)).map { _ in generator.nextUniform() * 8 - 10 })
        let dE = FloatBuffer(count: segments * 512)

        func step() throws -> ContrastiveLossResult {
            model.zeroGradients()
            let e = try model.embed(input.pointer, count: segments, mode: .training(dropConnectSeed: UInt64(adam.step)))
            let r = model.loss.compute(anchors: e.baseAddress!, anchorCount: batch, positives: e.baseAddress! + batch * 512,
                                       positiveCount: batch, positiveOffset: 0, divisor: Float(batch),
                                       weight: model.similarityWeight, weightGradient: model.similarityGradient,
                                       anchorGradient: dE.pointer, positiveGradient: dE.pointer + batch * 512)
            try model.backward(embeddingGradient: dE.pointer)
            adam.update(parameters: model.parameterValues.pointer, gradients: model.gradients.pointer)
            return r
        }

        for _ in 0..<warmup { _ = try step() }
        let clock = ContinuousClock()
        var times: [Double] = []
        var last = ContrastiveLossResult(loss: 0, correct: 0, rows: 0)
        for _ in 0..<steps {
            let start = clock.now
            last = try step()
            let d = clock.now - start
            times.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        }
        let sorted = times.sorted()
        let median = sorted[sorted.count / 2]
        let clipsPerSecond = Double(batch) / median

        var layers: [[String: Any]] = []
        if profile {
            let p = LayerProfile()
            model.profile = p
            let start = clock.now
            _ = try step()
            let d = clock.now - start
            let profiledStep = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
            model.profile = nil
            let measured = p.entries.values.reduce(0) { $0 + $1.seconds }
            layers.append(["layer": "unprofiled (residual, drop-connect, loss, Adam, reorders of W)",
                           "seconds": profiledStep - measured, "calls": 1, "share": (profiledStep - measured) / profiledStep])
            for (name, entry) in p.entries {
                var row: [String: Any] = ["layer": name, "seconds": entry.seconds, "calls": entry.calls,
                                          "share": entry.seconds / profiledStep]
                if entry.flops > 0 { row["gflops_per_s"] = entry.flops / entry.seconds / 1e9 }
                layers.append(row)
            }
            layers.sort { ($0["seconds"] as! Double) > ($1["seconds"] as! Double) }
        }
        let gemm = measureGEMM(rows: segments)
        let result: [String: Any] = [
            "encoder": encoder, "batch": batch, "segments_per_step": segments, "threads": threads,
            "steps": steps, "median_step_seconds": median, "min_step_seconds": sorted.first!,
            "clips_per_second": clipsPerSecond, "peak_rss_mib": peakResidentMiB(),
            "activation_arena_mib": Double(model.activationMemoryFloats * 4) / 1_048_576,
            "final_loss": last.loss, "onednn": OneDNN.version, "isa": OneDNN.instructionSet,
            "blas_core": BLAS.coreName, "gemm_gflops_per_s": gemm, "layers": layers,
            "load_average": loadAverage(),
        ]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys])
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let path = "\(out)/train-\(encoder)-b\(batch).json"
        try data.write(to: URL(fileURLWithPath: path))
        print(String(format: "%@ B%d: %.1f clips/s (median step %.3f s over %d steps), peak RSS %.0f MiB → %@",
                     encoder, batch, clipsPerSecond, median, steps, peakResidentMiB(), path))
        for row in layers {
            let g = (row["gflops_per_s"] as? Double).map { String(format: " %.0f GFLOP/s", $0) } ?? ""
            print(String(format: "  %-28@ %7.1f ms %5.1f%%%@", row["layer"] as! String, (row["seconds"] as! Double) * 1000,
                         (row["share"] as! Double) * 100, g))
        }
        print("  GEMM \(segments)×512×1280, GFLOP/s: \(gemm)")
    }

    /// GFLOP/s of the head-sized GEMM on oneDNN and OpenBLAS, best of interleaved calls (robust
    /// to other load on the machine); Cola uses oneDNN's.
    private func measureGEMM(rows: Int) -> [String: Double] {
        let k = 1280, n = 512
        let a = FloatBuffer(count: rows * k), b = FloatBuffer(count: n * k), c = FloatBuffer(count: rows * n)
        let clock = ContinuousClock()
        var best: [String: Double] = ["onednn": .infinity, "openblas": .infinity]
        for _ in 0..<20 {
            for (name, backend) in [("onednn", Matrix.Backend.oneDNN), ("openblas", .openBLAS)] {
                let start = clock.now
                Matrix.multiply(backend, transposeB: true, m: rows, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: k,
                                c: c.pointer, ldc: n)
                let d = clock.now - start
                best[name] = min(best[name]!, Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
            }
        }
        return best.mapValues { 2 * Double(rows * n * k) / $0 / 1e9 }
    }

    private func peakResidentMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    private func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
    }
}
