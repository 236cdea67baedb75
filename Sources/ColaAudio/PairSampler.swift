import ColaCore

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

    /// Writes the pair of `waveform` (16 kHz mono, whole clip) into `anchor` and `positive`,
    /// each ``valuesPerCrop`` floats, row-major [96][64]. A clip shorter than one crop is
    /// center-padded in place; the waveform is otherwise left as it was (only the crops are scaled).
    public func makePair(
        from waveform: inout [Float], item: Int, epoch: Int,
        anchor: UnsafeMutablePointer<Float>, positive: UnsafeMutablePointer<Float>
    ) -> PairNotes {
        var notes = PairNotes()
        let sumOfSquares = Self.sumOfSquares(waveform)
        notes.silent = sumOfSquares == 0
        let scale = Float(1 / max(sumOfSquares, 1e-9).squareRoot())
        if waveform.count < Self.cropSamples {
            notes.padded = true
            let left = (Self.cropSamples - waveform.count) / 2
            waveform = [Float](repeating: 0, count: left) + waveform
                + [Float](repeating: 0, count: Self.cropSamples - waveform.count - left)
        }
        var random = SeededGenerator.keyed(seed: seed, 0x4352_4F50, UInt64(epoch), UInt64(item))
        let span = waveform.count - Self.cropSamples + 1
        let anchorStart = random.below(span)
        let positiveStart = random.below(span)
        extractCrop(waveform, from: anchorStart, scale: scale, into: anchor, noise: nil)
        extractCrop(waveform, from: positiveStart, scale: scale, into: positive, noise: &random)
        return notes
    }

    /// Σx² accumulated in float vectors per block of 4096 samples and in double across blocks.
    static func sumOfSquares(_ samples: [Float]) -> Double {
        typealias Lanes = SIMD16<Float>
        return samples.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            let raw = UnsafeRawPointer(base)
            var total: Double = 0
            var start = 0
            while start < buffer.count {
                let end = min(start + 4096, buffer.count)
                var lanes = Lanes()
                var i = start
                while i + Lanes.scalarCount <= end {
                    let x = raw.loadUnaligned(fromByteOffset: i * 4, as: Lanes.self)
                    lanes += x * x
                    i += Lanes.scalarCount
                }
                var block = lanes.sum()
                while i < end {
                    block += base[i] * base[i]
                    i += 1
                }
                total += Double(block)
                start = end
            }
            return total
        }
    }

    private func extractCrop(
        _ waveform: [Float], from start: Int, scale: Float, into output: UnsafeMutablePointer<Float>,
        noise: UnsafeMutablePointer<SeededGenerator>?
    ) {
        crop.withUnsafeMutableBufferPointer { crop in
            let destination = crop.baseAddress!
            waveform.withUnsafeBufferPointer { source in
                let from = source.baseAddress! + start
                for i in 0..<Self.cropSamples { destination[i] = from[i] * scale }
            }
            if let noise, noiseStandardDeviation != 0 {
                noise.pointee.addGaussian(scale: noiseStandardDeviation, to: destination, count: Self.cropSamples)
            }
            extractor.extract(UnsafeBufferPointer(crop), into: UnsafeMutableBufferPointer(start: output, count: Self.valuesPerCrop))
        }
    }
}
