import ColaCore

/// Where the probe's 1 s inputs come from in a clip's waveform (16 kHz mono), following the
/// reference's `cola/supervised.py`:
///
/// - training: a random window of ``CropGeometry/samples`` samples (`data.extract_window`), the
///   clip zero-padded on both sides first when it is shorter;
/// - validation and test: consecutive non-overlapping windows, logits averaged over them.
///   A clip shorter than one window gives one window, zero-padded on both sides (as in training).
///   The tail after the last whole window is dropped. The reference (`tf.signal.frame(...,
///   pad_end=True)`) zero-pads it into one more window instead; but the probe never sees padded
///   windows in training for clips of 1 s or more, and a half-empty window's log-mel statistics
///   are far outside the training distribution: on a three-tone task with 1.0–1.8 s clips,
///   padded tails turned 100% validation accuracy into 33–67%. For 16,000-sample Speech
///   Commands clips the reference's extra window is 97% padding.
///
/// Every window is L2-normalized (epsilon 1e-9 on the squared norm, as `tf.math.l2_normalize`).
public enum ClipCrops {
    /// The window starting `offset` samples into `waveform`, with zeros where it runs past either end.
    public static func window(_ waveform: [Float], offset: Int) -> [Float] {
        var crop = [Float](repeating: 0, count: CropGeometry.samples)
        let from = max(0, offset)
        let to = min(waveform.count, offset + CropGeometry.samples)
        if from < to {
            for index in from..<to { crop[index - offset] = waveform[index] }
        }
        return l2Normalized(crop)
    }

    /// Offsets of the random training windows: `count` windows drawn uniformly from the valid
    /// starts; a short clip is centred (negative offset = leading padding).
    public static func trainingOffsets(sampleCount: Int, count: Int, seed: UInt64) -> [Int] {
        let room = sampleCount - CropGeometry.samples
        guard room > 0 else { return Array(repeating: room / 2, count: count) }
        var generator = SeededGenerator(state: seed)
        return (0..<count).map { _ in Int(generator.next() % UInt64(room + 1)) }
    }

    /// Offsets of the evaluation windows (see the type's description).
    public static func evaluationOffsets(sampleCount: Int) -> [Int] {
        let length = CropGeometry.samples
        guard sampleCount > length else { return [(sampleCount - length) / 2] }
        return (0..<(sampleCount / length)).map { $0 * length }
    }

    /// `x / sqrt(max(Σx², 1e-9))`.
    public static func l2Normalized(_ samples: [Float]) -> [Float] {
        var squares: Float = 0
        for value in samples { squares += value * value }
        let scale = 1 / max(squares, 1e-9).squareRoot()
        return samples.map { $0 * scale }
    }
}
