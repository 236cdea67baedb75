#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Triangular mel filters on an FFT's bins, built exactly like TensorFlow's
/// `tf.signal.linear_to_mel_weight_matrix` (HTK mel scale `1127 · ln(1 + f / 700)`, band edges
/// spaced evenly in mel, the DC bin always weighted zero), in single precision as TensorFlow does.
///
/// Reference: tensorflow/python/ops/signal/mel_ops.py.
public struct MelFilterbank: Sendable {
    /// Number of mel bands.
    public let bandCount: Int
    /// Number of FFT bins (`fftLength / 2 + 1`).
    public let binCount: Int
    /// Dense weights, row-major [binCount][bandCount], as TensorFlow returns them.
    public let weights: [Float]
    /// First bin with a non-zero weight, per band.
    let firstBin: [Int]
    /// Non-zero weights of each band, bins `firstBin[b] ..< firstBin[b] + bandWeights[b].count`.
    let bandWeights: [[Float]]

    /// Builds `bandCount` filters between `lowerHertz` and `upperHertz` for an FFT of
    /// `fftLength` at `sampleRate`.
    public init(bandCount: Int, fftLength: Int, sampleRate: Int, lowerHertz: Float, upperHertz: Float) {
        precondition(bandCount > 0 && fftLength > 1 && lowerHertz >= 0 && lowerHertz < upperHertz)
        precondition(upperHertz <= Float(sampleRate) / 2, "MelFilterbank: upper edge above Nyquist")
        self.bandCount = bandCount
        binCount = fftLength / 2 + 1
        let nyquist = Float(sampleRate) / 2
        let edges = MelFilterbank.linspace(
            MelFilterbank.hertzToMel(lowerHertz), MelFilterbank.hertzToMel(upperHertz), count: bandCount + 2)
        let binFrequencies = MelFilterbank.linspace(0, nyquist, count: binCount)
        var dense = [Float](repeating: 0, count: binCount * bandCount)
        for bin in 1..<binCount {
            let mel = MelFilterbank.hertzToMel(binFrequencies[bin])
            for band in 0..<bandCount {
                let lower = edges[band], center = edges[band + 1], upper = edges[band + 2]
                let rising = (mel - lower) / (center - lower)
                let falling = (upper - mel) / (upper - center)
                dense[bin * bandCount + band] = max(0, min(rising, falling))
            }
        }
        weights = dense
        var firstBin = [Int](), bandWeights = [[Float]]()
        for band in 0..<bandCount {
            let nonZero = (0..<binCount).filter { dense[$0 * bandCount + band] > 0 }
            let first = nonZero.first ?? 1
            let last = nonZero.last ?? 0
            firstBin.append(first)
            bandWeights.append(first <= last ? (first...last).map { dense[$0 * bandCount + band] } : [])
        }
        self.firstBin = firstBin
        self.bandWeights = bandWeights
    }

    /// Lowest bin any band uses.
    var lowestBin: Int { zip(firstBin, bandWeights).filter { !$0.1.isEmpty }.map { $0.0 }.min() ?? 0 }
    /// One past the highest bin any band uses.
    var binLimit: Int { zip(firstBin, bandWeights).map { $0.0 + $0.1.count }.max() ?? 0 }

    /// HTK mel: `1127 · ln(1 + f / 700)`.
    static func hertzToMel(_ hertz: Float) -> Float {
        1127 * log1pf(hertz / 700)
    }

    /// `count` evenly spaced values from `start` to `stop` inclusive, like `tf.linspace`.
    static func linspace(_ start: Float, _ stop: Float, count: Int) -> [Float] {
        let step = (stop - start) / Float(count - 1)
        return (0..<count).map { $0 == count - 1 ? stop : start + Float($0) * step }
    }
}
