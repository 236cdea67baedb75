import ColaModel
import ColaTensor
import Foundation

/// Cola's own SIMD kernels alone, at a shape each meets in training (EfficientNet-B0's and the small
/// CNN's largest maps at batch 64, i.e. 128 segments): best-of time, and memory throughput counted
/// as one read of every input and one write of every output (these passes are memory-bound).
/// What `cola bench kernels` runs, at whichever vector width the binary was built for and the CPU runs.
public struct KernelBenchmark: Sendable {
    /// One kernel's figures.
    public struct Measurement: Codable, Sendable {
        public var kernel: String
        public var shape: String
        public var milliseconds: Double
        /// Bytes read and written per call over the time: how close the pass is to memory speed.
        public var gigabytesPerSecond: Double

        enum CodingKeys: String, CodingKey {
            case kernel, shape, milliseconds = "ms", gigabytesPerSecond = "gb_per_s"
        }
    }

    /// Every kernel's figures and where they were measured.
    public struct Result: Codable, Sendable {
        public var threads: Int
        public var instructionSet: String
        public var cpuFeatures: String
        public var measurements: [Measurement]
        public var loadAverage: String

        enum CodingKeys: String, CodingKey {
            case threads, instructionSet = "isa", cpuFeatures = "cpu_features", measurements, loadAverage = "load_average"
        }
    }

    public let threads: Int
    public let repeats: Int

    public init(threads: Int, repeats: Int) {
        precondition(threads >= 1 && repeats >= 1, "threads and repeats must be positive")
        self.threads = threads
        self.repeats = repeats
    }

    /// Times every kernel.
    public func run() -> Result {
        OneDNN.setThreadCount(threads)
        var measurements: [Measurement] = []
        func measure(_ kernel: String, _ shape: String, bytes: Int, _ body: () -> Void) {
            body()
            var best = Double.infinity
            for _ in 0..<repeats { best = min(best, BenchmarkClock.timed(body).seconds) }
            measurements.append(Measurement(kernel: kernel, shape: shape, milliseconds: best * 1000,
                                            gigabytesPerSecond: Double(bytes) / best / 1e9))
        }

        // EfficientNet-B0's first MBConv expansion: 128 segments × 48×32 positions × 96 channels.
        let rows = 128 * 48 * 32, channels = 96
        let count = rows * channels
        let x = FloatBuffer((0..<count).map { Float(($0 * 7919) % 1009) / 200 - 2.5 })
        let z = FloatBuffer(count: count), g = FloatBuffer(count: count)
        let mean = FloatBuffer(count: channels), variance = FloatBuffer(count: channels)
        let scale = FloatBuffer([Float](repeating: 0.9, count: channels)), beta = FloatBuffer([Float](repeating: 0.1, count: channels))
        let sumG = UnsafeMutablePointer<Double>.allocate(capacity: channels), sumGXHat = UnsafeMutablePointer<Double>.allocate(capacity: channels)
        defer { sumG.deallocate(); sumGXHat.deallocate() }
        let shape = "\(rows)×\(channels)"
        let floats = count * MemoryLayout<Float>.stride
        measure("batch norm + swish: statistics", shape, bytes: floats) {
            BatchNormSwishKernels.statistics(x.pointer, rows: rows, channels: channels, mean: mean.pointer, variance: variance.pointer)
        }
        measure("batch norm + swish: forward", shape, bytes: 2 * floats) {
            BatchNormSwishKernels.forward(x.pointer, rows: rows, channels: channels, mean: mean.pointer, scale: scale.pointer,
                                          beta: beta.pointer, into: z.pointer)
        }
        measure("batch norm + swish: backward sums", shape, bytes: 3 * floats) {
            BatchNormSwishKernels.backwardSums(z.pointer, x: x.pointer, rows: rows, channels: channels, mean: mean.pointer,
                                               scale: scale.pointer, beta: beta.pointer, invstd: scale.pointer,
                                               outputScale: scale.pointer, into: g.pointer, sumG: sumG, sumGXHat: sumGXHat)
        }
        measure("batch norm + swish: combine", shape, bytes: 3 * floats) {
            BatchNormSwishKernels.combine(g.pointer, x: x.pointer, rows: rows, channels: channels, mean: mean.pointer,
                                          a: scale.pointer, b: beta.pointer, c: beta.pointer, into: g.pointer)
        }

        // The small CNN's first pooling: 128 segments × 96×64 positions × 64 channels in its blocks.
        let normalized = FloatBuffer((0..<(128 * 64 * 96 * 64)).map { Float(($0 * 7919) % 1009) / 200 - 2.5 })
        let output = FloatBuffer(count: normalized.count / 4)
        for storage in [FeatureStorage.blocks8, .blocks16] {
            let input = FeatureMap(normalized.pointer, batch: 128, channels: 64, height: 96, width: 64, storage: storage)
            let pooledCount = input.count / 4
            let pooled = FeatureMap(output.pointer, batch: 128, channels: 64, height: 48, width: 32, storage: storage)
            let argmax = UnsafeMutablePointer<UInt8>.allocate(capacity: pooledCount)
            defer { argmax.deallocate() }
            measure("max pool 2×2 with argmax, \(storage.rawValue)", "128×64×96×64", bytes: (input.count + pooledCount) * 4 + pooledCount) {
                BatchNormReLUMaxPoolKernels.maxPool(input, into: pooled, argmax: argmax)
            }
        }
        return Result(threads: threads, instructionSet: OneDNN.instructionSet, cpuFeatures: SystemReport.vectorFeatures().joined(separator: " "),
                      measurements: measurements, loadAverage: BenchmarkClock.loadAverages)
    }
}
