#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Log-mel spectrogram exactly as the COLA reference computes it (cola/data.py,
/// `extract_log_mel_spectrogram`): `tf.signal.stft` with a periodic Hann window of 400 samples,
/// hop 160 and FFT length 1024 (no padding: frames = 1 + (n − 400) / 160), magnitude, 64 mel
/// bands 60–7800 Hz from ``MelFilterbank``, `log(clip(x, 1e-5, 1e8))`.
///
/// Output is row-major [frames][bands]. All work buffers are allocated once; one extractor is
/// single-threaded (give each thread its own). The per-frame work after the FFT is SIMD: window,
/// magnitudes of only the bins the filters use, the filterbank as short dense dot products per
/// band (each band's weights zero-padded to whole 8-lane vectors), and a vector natural log.
public final class LogMelExtractor {
    /// Samples per analysis window.
    public static let windowLength = 400
    /// Samples between frame starts.
    public static let hopLength = 160
    /// FFT length (the window is zero-padded at its end to this).
    public static let fftLength = 1024
    /// Mel bands per frame.
    public static let bandCount = 64
    /// Sample rate the parameters assume.
    public static let sampleRate = 16000
    /// Lower edge of the lowest mel band in Hz.
    public static let lowerHertz: Float = 60
    /// Upper edge of the highest mel band in Hz.
    public static let upperHertz: Float = 7800
    /// Values are clipped to [clipMinimum, clipMaximum] before the natural log.
    public static let clipMinimum: Float = 1e-5
    /// See ``clipMinimum``.
    public static let clipMaximum: Float = 1e8

    /// The filterbank in use.
    public let filterbank: MelFilterbank

    private typealias Lanes = SIMD16<Float>
    private typealias BandLanes = SIMD8<Float>

    private let fft: RealFFT
    /// Hann window, 400 samples (a multiple of 16).
    private let window: UnsafeMutablePointer<Float>
    /// |X[k]| for k < magnitudeEnd, zero beyond (read by padded filter vectors).
    private let magnitude: UnsafeMutablePointer<Float>
    private let magnitudeCapacity: Int
    private let magnitudeEnd: Int
    /// Band b's weights are chunks `chunkStart[b] ..< chunkStart[b + 1]` of 8 lanes, starting at bin `firstBin[b]`.
    private let weights: UnsafeMutablePointer<Float>
    private let chunkStart: [Int]
    private let firstBin: [Int]

    /// Creates an extractor with its FFT plan and buffers.
    public init() {
        filterbank = MelFilterbank(
            bandCount: Self.bandCount, fftLength: Self.fftLength, sampleRate: Self.sampleRate,
            lowerHertz: Self.lowerHertz, upperHertz: Self.upperHertz)
        fft = RealFFT(length: Self.fftLength)
        window = .allocate(capacity: Self.windowLength)
        // tf.signal.hann_window(periodic=True): 0.5 − 0.5·cos(2πn/N) in single precision.
        for n in 0..<Self.windowLength {
            window[n] = 0.5 - 0.5 * cosf(2 * Float.pi * Float(n) / Float(Self.windowLength))
        }
        var chunks = [0], padded = [Float]()
        for band in 0..<Self.bandCount {
            var bandWeights = filterbank.bandWeights[band]
            bandWeights += [Float](repeating: 0, count: (BandLanes.scalarCount - bandWeights.count % BandLanes.scalarCount) % BandLanes.scalarCount)
            padded += bandWeights
            chunks.append(padded.count / BandLanes.scalarCount)
        }
        chunkStart = chunks
        firstBin = filterbank.firstBin
        weights = .allocate(capacity: padded.count)
        weights.initialize(from: padded, count: padded.count)
        var lastRead = 0
        for band in 0..<Self.bandCount {
            let chunkCount = chunks[band + 1] - chunks[band]
            lastRead = max(lastRead, firstBin[band] + chunkCount * BandLanes.scalarCount)
        }
        magnitudeEnd = min(filterbank.binLimit + Lanes.scalarCount - 1, filterbank.binCount - 1) / Lanes.scalarCount * Lanes.scalarCount
        magnitudeCapacity = max(lastRead, magnitudeEnd) + Lanes.scalarCount
        magnitude = .allocate(capacity: magnitudeCapacity)
        magnitude.initialize(repeating: 0, count: magnitudeCapacity)
        precondition(magnitudeEnd >= filterbank.binLimit, "LogMelExtractor: filters reach past the computed bins")
    }

    deinit {
        window.deallocate()
        magnitude.deallocate()
        weights.deallocate()
    }

    /// Frames produced for `sampleCount` samples (0 when shorter than one window).
    public static func frameCount(forSamples sampleCount: Int) -> Int {
        sampleCount < windowLength ? 0 : 1 + (sampleCount - windowLength) / hopLength
    }

    /// Writes the log-mel spectrogram of `samples` (16 kHz mono) into `output`, which must hold
    /// `frameCount(forSamples:) × bandCount` values.
    public func extract(_ samples: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
        let frames = Self.frameCount(forSamples: samples.count)
        precondition(output.count >= frames * Self.bandCount, "LogMelExtractor: output too small")
        guard frames > 0, let source = samples.baseAddress, let destination = output.baseAddress else { return }
        firstBin.withUnsafeBufferPointer { firstBin in
            chunkStart.withUnsafeBufferPointer { chunkStart in
                for frame in 0..<frames {
                    transform(source + frame * Self.hopLength)
                    applyFilterbank(into: destination + frame * Self.bandCount, firstBin: firstBin.baseAddress!, chunkStart: chunkStart.baseAddress!)
                }
            }
        }
        Self.logarithm(destination, count: frames * Self.bandCount)
    }

    /// Log-mel of `samples` as a new array, row-major [frames][bands].
    public func extract(_ samples: [Float]) -> [Float] {
        var output = [Float](repeating: 0, count: Self.frameCount(forSamples: samples.count) * Self.bandCount)
        samples.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { extract(input, into: $0) }
        }
        return output
    }

    /// Windows one frame into the FFT input (its zero tail is never written), transforms it,
    /// and stores |X[k]| for the bins the filters use.
    @inline(__always)
    private func transform(_ frame: UnsafePointer<Float>) {
        let input = UnsafeMutableRawPointer(fft.input)
        let source = UnsafeRawPointer(frame), taper = UnsafeRawPointer(window)
        let stride = MemoryLayout<Lanes>.size
        for offset in Swift.stride(from: 0, to: Self.windowLength * 4, by: stride) {
            let product = source.loadUnaligned(fromByteOffset: offset, as: Lanes.self) * taper.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
            input.storeBytes(of: product, toByteOffset: offset, as: Lanes.self)
        }
        fft.execute()
        let spectrum = UnsafeRawPointer(fft.spectrum), out = UnsafeMutableRawPointer(magnitude)
        for bin in Swift.stride(from: 0, to: magnitudeEnd, by: Lanes.scalarCount) {
            let pairs = spectrum.loadUnaligned(fromByteOffset: bin * 8, as: SIMD32<Float>.self)
            let squares = pairs * pairs
            out.storeBytes(of: (squares.evenHalf + squares.oddHalf).squareRoot(), toByteOffset: bin * 4, as: Lanes.self)
        }
    }

    @inline(__always)
    private func applyFilterbank(into row: UnsafeMutablePointer<Float>, firstBin: UnsafePointer<Int>, chunkStart: UnsafePointer<Int>) {
        let bins = UnsafeRawPointer(magnitude), filters = UnsafeRawPointer(weights)
        let lanes = BandLanes.scalarCount, bytes = MemoryLayout<BandLanes>.size
        for band in 0..<Self.bandCount {
            var sum = BandLanes()
            let first = firstBin[band] * 4
            for chunk in chunkStart[band]..<chunkStart[band + 1] {
                let offset = (chunk - chunkStart[band]) * lanes * 4
                sum += filters.loadUnaligned(fromByteOffset: chunk * bytes, as: BandLanes.self)
                    * bins.loadUnaligned(fromByteOffset: first + offset, as: BandLanes.self)
            }
            row[band] = min(max(sum.sum(), Self.clipMinimum), Self.clipMaximum)
        }
    }

    /// Natural log in place over `count` already clipped values (a multiple of 16).
    private static func logarithm(_ values: UnsafeMutablePointer<Float>, count: Int) {
        let raw = UnsafeMutableRawPointer(values)
        for offset in Swift.stride(from: 0, to: count * 4, by: MemoryLayout<Lanes>.size) {
            let x = raw.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
            raw.storeBytes(of: VectorLog.naturalLog(x), toByteOffset: offset, as: Lanes.self)
        }
    }
}
