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
/// single-threaded (give each thread its own).
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

    /// The filterbank in use (shared, immutable).
    public let filterbank: MelFilterbank

    private let fft: RealFFT
    private let window: [Float]
    private let lowestBin: Int
    private let binLimit: Int
    private let magnitude: UnsafeMutablePointer<Float>
    private let flatWeights: [Float]
    private let weightOffset: [Int]

    /// Creates an extractor with its FFT plan and buffers.
    public init() {
        filterbank = MelFilterbank(
            bandCount: Self.bandCount, fftLength: Self.fftLength, sampleRate: Self.sampleRate,
            lowerHertz: Self.lowerHertz, upperHertz: Self.upperHertz)
        fft = RealFFT(length: Self.fftLength)
        // tf.signal.hann_window(periodic=True): 0.5 − 0.5·cos(2πn/N), computed in single precision.
        window = (0..<Self.windowLength).map { n in
            0.5 - 0.5 * cosf(2 * Float.pi * Float(n) / Float(Self.windowLength))
        }
        lowestBin = filterbank.lowestBin
        binLimit = filterbank.binLimit
        magnitude = .allocate(capacity: filterbank.binCount)
        magnitude.initialize(repeating: 0, count: filterbank.binCount)
        var offsets = [Int](), flat = [Float]()
        for band in 0..<Self.bandCount {
            offsets.append(flat.count)
            flat += filterbank.bandWeights[band]
        }
        weightOffset = offsets
        flatWeights = flat
    }

    deinit { magnitude.deallocate() }

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
        window.withUnsafeBufferPointer { window in
            flatWeights.withUnsafeBufferPointer { weights in
                weightOffset.withUnsafeBufferPointer { offsets in
                    filterbank.firstBin.withUnsafeBufferPointer { firstBins in
                        for frame in 0..<frames {
                            transformFrame(source + frame * Self.hopLength, window: window.baseAddress!)
                            applyFilterbank(
                                into: destination + frame * Self.bandCount, weights: weights.baseAddress!,
                                offsets: offsets.baseAddress!, firstBins: firstBins.baseAddress!)
                        }
                    }
                }
            }
        }
    }

    /// Log-mel of `samples` as a new array, row-major [frames][bands].
    public func extract(_ samples: [Float]) -> [Float] {
        var output = [Float](repeating: 0, count: Self.frameCount(forSamples: samples.count) * Self.bandCount)
        samples.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { extract(input, into: $0) }
        }
        return output
    }

    /// Windows one frame into the FFT input, transforms it, and stores the magnitudes of the bins
    /// the filterbank uses.
    @inline(__always)
    private func transformFrame(_ frame: UnsafePointer<Float>, window: UnsafePointer<Float>) {
        let input = fft.input
        for i in 0..<Self.windowLength {
            input[i] = frame[i] * window[i]
        }
        fft.execute()
        let real = fft.real, imaginary = fft.imaginary
        for bin in lowestBin..<binLimit {
            magnitude[bin] = (real[bin] * real[bin] + imaginary[bin] * imaginary[bin]).squareRoot()
        }
    }

    @inline(__always)
    private func applyFilterbank(
        into row: UnsafeMutablePointer<Float>, weights: UnsafePointer<Float>,
        offsets: UnsafePointer<Int>, firstBins: UnsafePointer<Int>
    ) {
        for band in 0..<Self.bandCount {
            let start = offsets[band]
            let count = (band + 1 < Self.bandCount ? offsets[band + 1] : flatWeights.count) - start
            let bins = magnitude + firstBins[band]
            let bandWeights = weights + start
            var sum: Float = 0
            for k in 0..<count {
                sum += bandWeights[k] * bins[k]
            }
            row[band] = logf(min(max(sum, Self.clipMinimum), Self.clipMaximum))
        }
    }
}
