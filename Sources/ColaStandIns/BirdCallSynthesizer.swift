import ColaCore
import Foundation

/// Synthetic bird song: a phrase of frequency-swept syllables (2–7 kHz, with a weak second
/// harmonic), the shape most passerine calls have. A seed fixes the "species": syllable shape,
/// pitch and rhythm.
struct BirdCallSynthesizer: Sendable {
    let baseFrequency: Double
    let sweep: Double
    let syllableSeconds: Double
    let gapSeconds: Double
    let syllables: Int
    let trill: Double

    init(species random: inout SeededGenerator) {
        baseFrequency = random.uniform(2200...6000)
        sweep = random.uniform(-1500...1500)
        syllableSeconds = random.uniform(0.03...0.16)
        gapSeconds = random.uniform(0.02...0.12)
        syllables = Int.random(in: 3...12, using: &random)
        trill = random.uniform(0...60)
    }

    /// One phrase, with small per-phrase variation drawn from `random`.
    func phrase(using random: inout SeededGenerator) -> Waveform {
        let rate = Double(Waveform.rate)
        let shift = random.uniform(0.93...1.07)
        var samples: [Float] = []
        for syllable in 0..<syllables {
            let count = Int(syllableSeconds * random.uniform(0.8...1.2) * rate)
            var phase = 0.0
            for index in 0..<count {
                let t = Double(index) / Double(count)
                let frequency = min((baseFrequency + sweep * t) * shift + 300 * sin(2 * Double.pi * trill * Double(index) / rate), 7600)
                phase += 2 * Double.pi * frequency / rate
                let envelope = sin(Double.pi * t)
                samples.append(Float(envelope * (sin(phase) + 0.25 * sin(2 * phase))))
            }
            if syllable < syllables - 1 {
                samples += [Float](repeating: 0, count: Int(gapSeconds * random.uniform(0.7...1.3) * rate))
            }
        }
        return Waveform(samples: samples)
    }
}
