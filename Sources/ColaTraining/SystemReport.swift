import ColaAudio
import ColaDistributed
import ColaTensor
import Foundation

/// What `cola doctor` reports about one rank: placement, libraries and CPU features.
public struct SystemReport: Sendable {
    public let rank: Int
    public let size: Int
    public let host: String
    /// CPUs this process may run on (`Cpus_allowed_list`), as the kernel reports them.
    public let allowedCPUs: String
    public let mpiVersion: String
    public let blasCore: String
    public let blasThreads: Int
    public let oneDNNVersion: String
    public let oneDNNInstructionSet: String
    public let oneDNNThreads: Int
    public let libsndfileVersion: String
    /// Vector extensions the CPU offers, from `/proc/cpuinfo`.
    public let cpuFeatures: [String]
    /// What this CPU's oneDNN runs natively (channel block, Winograd).
    public let convolutionCapabilities: ConvolutionCapabilities
    /// How this binary was compiled (`release` or `debug`).
    public let buildMode: String

    /// Collects the report for the calling process.
    public init(communicator: MPICommunicator) {
        rank = communicator.rank
        size = communicator.size
        host = communicator.processorName
        allowedCPUs = Self.statusField("Cpus_allowed_list") ?? "unknown"
        mpiVersion = MPICommunicator.libraryVersion
        blasCore = BLAS.coreName
        blasThreads = BLAS.threadCount
        oneDNNVersion = OneDNN.version
        oneDNNInstructionSet = OneDNN.instructionSet
        oneDNNThreads = OneDNN.threadCount
        libsndfileVersion = SoundFile.libraryVersion
        cpuFeatures = Self.vectorFeatures()
        convolutionCapabilities = .host
        #if DEBUG
        buildMode = "debug"
        #else
        buildMode = "release"
        #endif
    }

    /// One line for this rank, prefixed with its rank.
    public var rankLine: String {
        "[rank \(rank)/\(size)] host \(host), CPUs \(allowedCPUs), BLAS threads \(blasThreads), oneDNN threads \(oneDNNThreads), "
            + "\(convolutionCapabilities)"
    }

    /// The lines that are the same on every rank (printed once, by rank 0).
    public var libraryLines: [String] {
        [
            "MPI:        \(mpiVersion)",
            "OpenBLAS:   core \(blasCore), \(blasThreads) thread(s)"
                + (ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].map { " (OPENBLAS_CORETYPE=\($0))" } ?? ""),
            "oneDNN:     \(oneDNNVersion), ISA \(oneDNNInstructionSet), \(oneDNNThreads) thread(s)",
            "libsndfile: \(libsndfileVersion)",
            "CPU:        \(cpuFeatures.joined(separator: " "))",
            "build:      \(buildMode)",
        ]
    }

    /// Problems that make training impossible or slow, each with what to do.
    public var problems: [String] {
        var found: [String] = []
        if oneDNNInstructionSet == "baseline" {
            found.append("oneDNN found no vector ISA: convolutions will be very slow")
        }
        if blasThreads * size > ProcessInfo.processInfo.activeProcessorCount * max(1, size) {
            found.append("more BLAS threads than cores: set training.threads_per_rank")
        }
        return found
    }

    private static func statusField(_ name: String) -> String? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        return status.split(separator: "\n")
            .first { $0.hasPrefix(name + ":") }
            .map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
    }

    /// The CPU's vector extensions Cola's kernels and oneDNN care about, from `/proc/cpuinfo`.
    static func vectorFeatures() -> [String] {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return ["unknown"] }
        let interesting: Set<Substring> = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "amx_tile"]
        return flags.split(separator: " ").filter { interesting.contains($0) }.map(String.init)
    }
}
