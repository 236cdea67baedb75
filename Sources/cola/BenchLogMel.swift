import ArgumentParser
import ColaAudio
import ColaTraining
import Foundation

/// `cola bench logmel`: CPU seconds per hour of audio for the front end (decode + resample +
/// log-mel, one thread), the loader's sustained batches/s, and the Python peers on the same files.
struct BenchLogMel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logmel",
        abstract: "CPU seconds per hour of audio for decode, resample and log-mel; loader batches/s.",
        discussion: """
            Writes 10 s test clips (16 kHz mono WAV, 44.1 kHz stereo WAV, 48 kHz stereo FLAC), times \
            Cola's front end on one thread in CPU seconds per hour of audio, runs \
            benchmarks/peers/logmel_peers.py on the same files in the same run, measures the pair \
            loader (B=256, 2 threads), and writes everything to DIR/logmel.json.
            Example: cola bench logmel --clips-per-format 4
            """)

    @OptionGroup var output: BenchmarkOutput

    @Option(help: "Clips per format (three formats, 10 s each).")
    var clipsPerFormat = 4

    @Option(help: "Passes over all clips per measurement (the best pass is reported).")
    var repeats = 5

    @Option(help: "Loader batches timed after two warm-up batches (0 skips the loader).")
    var loaderBatches = 8

    @Option(help: "Peer script; empty skips the peers.")
    var peers = "benchmarks/peers/logmel_peers.py"

    @Option(help: "Python interpreter for the peers.")
    var python = "python3"

    func run() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cola-bench-logmel-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let benchmark = try FrontEndBenchmark(folder: folder.path, perFormat: clipsPerFormat, repeats: repeats)
        let clips = benchmark.clips
        print("cola bench logmel: \(clips.count) clips of \(FrontEndBenchmark.clipSeconds) s in \(folder.path)")
        let frontEnd = try benchmark.measureFrontEnd()
        let (logMel, decodeByFormat, pipeline) = (frontEnd.logMel, frontEnd.decodeResampleByFormat, frontEnd.pipeline)
        print(String(format: "cola  log-mel only: %.3f CPU s per hour of audio (1 thread)", logMel))
        for (name, seconds) in decodeByFormat.sorted(by: { $0.key < $1.key }) {
            print(String(format: "cola  decode+resample %@: %.3f CPU s per hour", name, seconds))
        }
        print(String(format: "cola  decode+resample+log-mel, all clips: %.3f CPU s per hour", pipeline))

        var result: [String: Any] = [
            "load_average_at_start": BenchmarkClock.loadAverages,
            "date": ISO8601DateFormatter().string(from: Date()),
            "clips": clips.count, "clip_seconds": FrontEndBenchmark.clipSeconds,
            "formats": FrontEndBenchmark.formats.map(\.name),
            "cola": [
                "logmel_cpu_s_per_hour": logMel,
                "decode_resample_cpu_s_per_hour": decodeByFormat,
                "decode_resample_logmel_cpu_s_per_hour": pipeline,
                "threads": 1,
                "fft": "FFTW3 single precision, r2c 1024, FFTW_ESTIMATE after shipped FFTW_PATIENT wisdom",
                "resampler": "libsoxr HQ, pass band to 0.975 of the lower Nyquist",
            ] as [String: Any],
        ]
        if loaderBatches > 0 {
            var loader = [String: Any]()
            for (name, subset) in [("wav16k-mono", clips.filter { $0.format == "wav16k-mono" }), ("all-formats", clips)] {
                let rate = try benchmark.loaderRate(clips: subset, batch: 256, threads: 2, batches: loaderBatches)
                print(String(format: "cola  loader on %@: %.2f batches/s (B=256, 2 threads) = %.0f pairs/s", name, rate, rate * 256))
                loader[name] = ["batches_per_s": rate, "pairs_per_s": rate * 256]
            }
            loader["batch"] = 256
            loader["threads"] = 2
            loader["batches_timed"] = loaderBatches
            result["loader"] = loader
        }
        if !peers.isEmpty {
            result["peers"] = try runPeers(folder: folder.path)
        }
        let data = try JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys])
        let path = try output.file("logmel.json")
        try data.write(to: URL(fileURLWithPath: path))
        print("wrote \(path)")
    }

    private func runPeers(folder: String) throws -> Any {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, peers, "--folder", folder, "--repeats", String(repeats)]
        var environment = ProcessInfo.processInfo.environment
        for key in ["OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"] {
            environment[key] = "1"
        }
        environment["TF_CPP_MIN_LOG_LEVEL"] = "3"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            print("peers: \(peers) failed (exit \(process.terminationStatus)); no peer numbers")
            return ["error": "peer script failed with exit \(process.terminationStatus)"]
        }
        for (name, value) in (json["logmel_cpu_s_per_hour"] as? [String: Double] ?? [:]).sorted(by: { $0.key < $1.key }) {
            print(String(format: "peer  %@ log-mel only: %.3f CPU s per hour", name, value))
        }
        for (name, value) in (json["decode_resample_logmel_cpu_s_per_hour"] as? [String: Double] ?? [:]).sorted(by: { $0.key < $1.key }) {
            print(String(format: "peer  %@ decode+resample+log-mel: %.3f CPU s per hour", name, value))
        }
        return json
    }
}
