import ArgumentParser
import ColaDistributed
import ColaTraining
import Foundation

/// `cola bench allreduce`: bucketed gradient allreduce bandwidth (run under mpirun).
struct BenchAllreduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allreduce",
        abstract: "Gradient allreduce bandwidth across ranks at several bucket sizes.",
        discussion: "mpirun -np 2 --bind-to none cola bench allreduce --out benchmarks/results/distributed-allreduce.json")

    @Option(help: "Gradient elements (default: the COLA EfficientNet-B0 model's 4,926,012).")
    var elements = 4_926_012

    @Option(help: "Bucket sizes in MiB, comma-separated.")
    var buckets = "0.25,1,4,16,64"

    @Option(help: "Timed repetitions per bucket size (the median is reported).")
    var repetitions = 10

    @Option(help: "JSON file for the results (rank 0 writes it).")
    var out: String?

    func run() throws {
        let sizes = buckets.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 > 0 }) else { throw ValidationError("--buckets: positive MiB values, e.g. 1,4,16") }
        let communicator = try MPICommunicator()
        let results = try AllreduceBenchmark(elements: elements, bucketSizes: sizes, repetitions: repetitions).run(communicator: communicator)
        guard communicator.isRoot else { return }
        for r in results {
            print(String(format: "allreduce %d floats (%.1f MB), %d rank(s), buckets %.2f MiB (%d): %.2f ms, algorithm %.2f GB/s, bus %.2f GB/s",
                         r.elements, Double(r.elements * 4) / 1e6, r.ranks, r.bucketMegabytes, r.buckets, r.seconds * 1000, r.algorithmGBps, r.busGBps))
        }
        if let out {
            try BenchmarkFile.write(["allreduce": results], to: out)
            print("wrote \(out)")
        }
    }
}

/// A benchmark result file: where and when it was measured, then the numbers.
struct BenchmarkEnvelope<R: Encodable>: Encodable {
    let host: String
    let date: String
    let cores: Int
    let results: [String: R]
}

/// Writes benchmark results as pretty JSON with the host and time.
enum BenchmarkFile {
    static func write<T: Encodable>(_ results: [String: T], to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let envelope = BenchmarkEnvelope(host: ProcessInfo.processInfo.hostName, date: ISO8601DateFormatter().string(from: Date()),
                                cores: ProcessInfo.processInfo.activeProcessorCount, results: results)
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                                                withIntermediateDirectories: true)
        try encoder.encode(envelope).write(to: URL(fileURLWithPath: path))
    }
}
