/// What happened to a clip while its pair was made (both are kept and counted).
public struct PairNotes: Sendable, Equatable {
    /// The clip was shorter than one crop and was center zero-padded.
    public var padded = false
    /// The clip was all zeros.
    public var silent = false
}

/// Makes the anchor and positive log-mels of one clip as the COLA reference does
/// (cola/contrastive.py `_prepare_example`): L2-normalize the whole waveform (ε = 1e-9 on the sum
/// of squares, as `tf.math.l2_normalize`), take two independent random crops of 15,600 samples
/// (= 96 frames; a shorter clip is center zero-padded to that length first), add
/// `noise · N(0, 1)` to the positive's waveform, and compute each crop's log-mel.
///
/// Crops and noise come from (seed, epoch, item index) only, so an item gets the same pair on
/// any rank and any number of ranks. One sampler per thread; it reuses its buffers.
public final class PairSampler {
    /// Waveform samples per crop.
    public static let cropSamples = 15_600
    /// Log-mel frames per crop.
    public static let frames = 96
    /// Values in one crop's log-mel (frames × bands).
    public static let valuesPerCrop = frames * LogMelExtractor.bandCount

    /// Seed of every crop and noise draw.
    public let seed: UInt64
    /// Standard deviation of the noise added to the positive (reference: 0.001).
    public let noiseStandardDeviation: Float

    private let extractor = LogMelExtractor()
    private var crop = [Float](repeating: 0, count: cropSamples)

    /// A sampler with the given seed and positive-noise level.
    public init(seed: UInt64, noiseStandardDeviation: Float = 0.001) {
        self.seed = seed
        self.noiseStandardDeviation = noiseStandardDeviation
    }

    /// Writes the pair of `waveform` (16 kHz mono, whole clip; normalized in place) into
    /// `anchor` and `positive`, each ``valuesPerCrop`` floats, row-major [96][64].
    public func makePair(
        from waveform: inout [Float], item: Int, epoch: Int,
        anchor: UnsafeMutablePointer<Float>, positive: UnsafeMutablePointer<Float>
    ) -> PairNotes {
        var notes = PairNotes()
        var sumOfSquares: Double = 0
        for sample in waveform { sumOfSquares += Double(sample) * Double(sample) }
        notes.silent = sumOfSquares == 0
        let scale = Float(1 / max(sumOfSquares, 1e-9).squareRoot())
        for i in waveform.indices { waveform[i] *= scale }
        if waveform.count < Self.cropSamples {
            notes.padded = true
            let left = (Self.cropSamples - waveform.count) / 2
            waveform = [Float](repeating: 0, count: left) + waveform
                + [Float](repeating: 0, count: Self.cropSamples - waveform.count - left)
        }
        var random = SeededRandom(seed: seed, 0x4352_4F50, UInt64(epoch), UInt64(item))
        let span = waveform.count - Self.cropSamples + 1
        let anchorStart = random.below(span)
        let positiveStart = random.below(span)
        extractCrop(waveform, from: anchorStart, into: anchor, noise: nil)
        extractCrop(waveform, from: positiveStart, into: positive, noise: &random)
        return notes
    }

    private func extractCrop(_ waveform: [Float], from start: Int, into output: UnsafeMutablePointer<Float>, noise: UnsafeMutablePointer<SeededRandom>?) {
        crop.withUnsafeMutableBufferPointer { crop in
            waveform.withUnsafeBufferPointer { source in
                crop.baseAddress!.update(from: source.baseAddress! + start, count: Self.cropSamples)
            }
            if let noise, noiseStandardDeviation != 0 {
                noise.pointee.addGaussian(scale: noiseStandardDeviation, to: crop.baseAddress!, count: Self.cropSamples)
            }
            extractor.extract(UnsafeBufferPointer(crop), into: UnsafeMutableBufferPointer(start: output, count: Self.valuesPerCrop))
        }
    }
}
