import ArgumentParser
import ColaDistributed
import ColaModel
import ColaTraining
import Foundation

/// `cola bench allreduce`: bucketed gradient allreduce bandwidth (run under mpirun).
struct BenchAllreduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allreduce",
        abstract: "Gradient allreduce bandwidth across ranks at several bucket sizes.",
        discussion: """
            Writes DIR/distributed.json (DIR/gradcache.json with --chunk-size); results of other rank             counts already in the file are kept, so 1- and 2-rank runs add up to an efficiency.
            Example: mpirun -np 2 --bind-to none cola bench allreduce --train --encoder cnn --local-batch 32
            """)

    @Option(help: "Gradient elements (default: the COLA EfficientNet-B0 model's 4,926,012).")
    var elements = 4_926_012

    @Option(help: "Bucket sizes in MiB, comma-separated.")
    var buckets = "0.25,1,4,16,64"

    @Option(help: "Timed repetitions per bucket size (the median is reported).")
    var repetitions = 10

    @OptionGroup var output: BenchmarkOutput

    @Flag(help: "Also time data-parallel training steps on synthetic input (1 thread per rank by default).")
    var train = false

    @Option(help: "Encoder for --train.")
    var encoder: EncoderKind = .smallCNN

    @Option(help: "Clips per rank per step for --train.")
    var localBatch = 32

    @Option(help: "Timed steps for --train (after one warm-up step).")
    var steps = 5

    @Option(help: "Threads per rank for --train.")
    var threads = 1

    @Option(help: "Clips per GradCache recomputation chunk for --train (0: the whole local batch at once).")
    var chunkSize = 0

    /// Result-key suffix for chunked runs (`_chunk64`), empty otherwise.
    private var chunkLabel: String { chunkSize > 0 ? "_chunk\(chunkSize)" : "" }

    func run() throws {
        let sizes = buckets.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 > 0 }) else { throw ValidationError("--buckets: positive MiB values, e.g. 1,4,16") }
        let communicator = try MPICommunicator()
        let results = try AllreduceBenchmark(elements: elements, bucketSizes: sizes, repetitions: repetitions).run(communicator: communicator)
        var training: TrainingThroughputBenchmark.Result?
        if train {
            let config = try RunConfig.parse(yaml: "", file: "bench", overrides: [
                "model.encoder=\(encoder.rawValue)", "training.threads_per_rank=\(threads)", "training.batch_size=\(localBatch * communicator.size)",
                "training.chunk_size=\(chunkSize)",
            ])
            training = try TrainingThroughputBenchmark(config: config, localBatch: localBatch, steps: steps).run(communicator: communicator)
        }
        guard communicator.isRoot else { return }
        for r in results {
            print(String(format: "allreduce %d floats (%.1f MB), %d rank(s), buckets %.2f MiB (%d): %.2f ms, algorithm %.2f GB/s, bus %.2f GB/s",
                         r.elements, Double(r.elements * 4) / 1e6, r.ranks, r.bucketMegabytes, r.buckets, r.seconds * 1000, r.algorithmGBps, r.busGBps))
        }
        let path = try output.file(chunkSize > 0 ? "gradcache.json" : "distributed.json")
        var record = BenchmarkFile.read(path) ?? [:]
        record["allreduce_\(communicator.size)rank"] = try BenchmarkFile.json(results)
        if let training {
            print("training " + training.encoder + String(format: ": %d rank(s) × %d thread(s), %d clips per rank (chunk %d): %.1f clips/s, step %.0f ms, comm %.1f ms (exposed %.1f ms), peak RSS %.0f MB",
                         training.ranks, training.threadsPerRank, training.localBatch, training.chunkSize, training.clipsPerSecond,
                         training.stepMs, training.commMs, training.exposedCommMs, training.peakRSSMegabytes))
            record["training_\(training.encoder)_b\(localBatch)\(chunkLabel)_\(communicator.size)rank"] = try BenchmarkFile.json(training)
            if let one = record["training_\(training.encoder)_b\(localBatch)\(chunkLabel)_1rank"] as? [String: Any],
               let two = record["training_\(training.encoder)_b\(localBatch)\(chunkLabel)_2rank"] as? [String: Any],
               let single = one["clips_per_s"] as? Double, let pair = two["clips_per_s"] as? Double {
                let efficiency = pair / (2 * single)
                record["efficiency_\(training.encoder)_b\(localBatch)\(chunkLabel)"] = efficiency
                print(String(format: "scaling efficiency (2 ranks vs 2 × 1 rank): %.1f%%", efficiency * 100))
            }
        }
        try BenchmarkFile.write(record, to: path)
        print("wrote \(path)")
    }
}

/// Benchmark JSON files: one object, keys per measurement, plus where and when.
enum BenchmarkFile {
    static func json<T: Encodable>(_ value: T) throws -> Any {
        try JSONSerialization.jsonObject(with: try JSONEncoder().encode(value), options: [.fragmentsAllowed])
    }

    static func read(_ path: String) -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    static func write(_ record: [String: Any], to path: String) throws {
        var record = record
        record["host"] = ProcessInfo.processInfo.hostName
        record["date"] = ISO8601DateFormatter().string(from: Date())
        record["cores"] = ProcessInfo.processInfo.activeProcessorCount
        // Other work on the machine skews every number; keep the 1-minute load with them.
        if let load = BenchmarkClock.loadAverages.split(separator: " ").first {
            record["load_average_1min"] = Double(load)
        }
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                                                withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: record, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: path))
    }
}
