import ColaCore
import Foundation

/// Mono audio at 16 kHz, the generator's working form. Every stand-in clip is assembled as a
/// `Waveform` and encoded at its data set's rate and channel count only when written.
public struct Waveform: Sendable {
    /// The working sample rate.
    public static let rate = 16_000

    /// Samples in [-1, 1].
    public var samples: [Float]

    public init(samples: [Float]) { self.samples = samples }

    /// `count` samples of silence.
    public init(silence count: Int) { samples = [Float](repeating: 0, count: count) }

    /// Length in seconds.
    public var duration: Double { Double(samples.count) / Double(Waveform.rate) }

    /// Root mean square level.
    public var rms: Float {
        guard !samples.isEmpty else { return 0 }
        var sum: Double = 0
        for value in samples { sum += Double(value * value) }
        return Float((sum / Double(samples.count)).squareRoot())
    }

    /// Largest absolute sample.
    public var peak: Float { samples.reduce(0) { max($0, abs($1)) } }

    /// The samples from `start` for `count` samples, zero-filled past either end.
    public func segment(from start: Int, count: Int) -> Waveform {
        var out = [Float](repeating: 0, count: count)
        let lower = max(start, 0)
        let upper = min(start + count, samples.count)
        if lower < upper {
            for index in lower..<upper { out[index - start] = samples[index] }
        }
        return Waveform(samples: out)
    }

    /// `self` repeated until it is `count` samples long, starting at `start` modulo its length:
    /// for ambience recordings shorter than a clip. The end is crossfaded into the beginning
    /// (50 ms, or a quarter of a short recording) so the loop point does not click.
    public func looped(toCount count: Int, from start: Int) -> Waveform {
        guard !samples.isEmpty else { return Waveform(silence: count) }
        let fade = min(800, samples.count / 4)
        var loop = Array(samples[0..<(samples.count - fade)])
        for index in 0..<fade {
            let weight = Float(index) / Float(fade)
            loop[index] = weight * samples[index] + (1 - weight) * samples[samples.count - fade + index]
        }
        var out = [Float](repeating: 0, count: count)
        let length = loop.count
        var position = ((start % length) + length) % length
        for index in 0..<count {
            out[index] = loop[position]
            position += 1
            if position == length { position = 0 }
        }
        return Waveform(samples: out)
    }

    /// Scaled so that its RMS equals `target` (silence stays silence).
    public func scaled(toRMS target: Float) -> Waveform {
        let level = rms
        guard level > 1e-9 else { return self }
        return scaled(by: target / level)
    }

    /// Every sample multiplied by `gain`.
    public func scaled(by gain: Float) -> Waveform {
        Waveform(samples: samples.map { $0 * gain })
    }

    /// `other` added starting at `offset` (samples past the end are dropped).
    public func adding(_ other: Waveform, at offset: Int = 0, gain: Float = 1) -> Waveform {
        var out = samples
        let lower = max(offset, 0)
        let upper = min(offset + other.samples.count, out.count)
        if lower < upper {
            for index in lower..<upper { out[index] += gain * other.samples[index - offset] }
        }
        return Waveform(samples: out)
    }

    /// Linear fade-in and fade-out of `count` samples each, to avoid clicks at cut points.
    public func faded(_ count: Int) -> Waveform {
        var out = samples
        let ramp = min(count, out.count / 2)
        guard ramp > 0 else { return self }
        for index in 0..<ramp {
            let gain = Float(index) / Float(ramp)
            out[index] *= gain
            out[out.count - 1 - index] *= gain
        }
        return Waveform(samples: out)
    }

    /// Leading and trailing samples below `threshold` removed.
    public func trimmed(threshold: Float = 0.005) -> Waveform {
        guard let first = samples.firstIndex(where: { abs($0) > threshold }),
              let last = samples.lastIndex(where: { abs($0) > threshold }) else { return self }
        return Waveform(samples: Array(samples[first...last]))
    }

    /// Peak limited to `ceiling` so 16-bit encoding never clips.
    public func limited(to ceiling: Float = 0.98) -> Waveform {
        let level = peak
        return level > ceiling ? scaled(by: ceiling / level) : self
    }

    /// White Gaussian noise of RMS `level`.
    public static func whiteNoise(count: Int, level: Float, using generator: inout SeededGenerator) -> Waveform {
        Waveform(samples: (0..<count).map { _ in generator.gaussian() * level })
    }

    /// Pink-ish noise (white noise through Paul Kellet's economy pink filter), RMS `level`.
    public static func pinkNoise(count: Int, level: Float, using generator: inout SeededGenerator) -> Waveform {
        var b0: Float = 0, b1: Float = 0, b2: Float = 0
        let raw = (0..<count).map { _ -> Float in
            let white = generator.gaussian()
            b0 = 0.99765 * b0 + white * 0.0990460
            b1 = 0.96300 * b1 + white * 0.2965164
            b2 = 0.57000 * b2 + white * 1.0526913
            return b0 + b1 + b2 + white * 0.1848
        }
        return Waveform(samples: raw).scaled(toRMS: level)
    }

    /// A one-pole low-pass (`cutoff` in Hz): a cheap channel colouring for speaker sessions.
    public func lowPassed(cutoff: Double) -> Waveform {
        let alpha = Float(1 - exp(-2 * Double.pi * cutoff / Double(Waveform.rate)))
        var state: Float = 0
        return Waveform(samples: samples.map { value in
            state += alpha * (value - state)
            return state
        })
    }
}
