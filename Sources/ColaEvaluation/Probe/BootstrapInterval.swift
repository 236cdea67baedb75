import ColaCore

/// A two-sided confidence interval of a score, written to `results.json` as `[lower, upper]`.
public struct ScoreInterval: Sendable, Equatable, Codable {
    /// Lower bound.
    public var lower: Double
    /// Upper bound.
    public var upper: Double

    /// The interval `[lower, upper]`.
    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    public init(from decoder: Decoder) throws {
        var container = try decoder.unkeyedContainer()
        lower = try container.decode(Double.self)
        upper = try container.decode(Double.self)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(lower)
        try container.encode(upper)
    }
}

/// Percentile bootstrap over test clips (Efron & Tibshirani, *An Introduction to the
/// Bootstrap*, 1993, ch. 13): the score recomputed on `resamples` sets of clips drawn with
/// replacement, the interval between the 2.5th and 97.5th percentiles. Seeded, so a run's
/// intervals are reproducible; the same seed gives every embedder scored on a task the same
/// resamples (paired intervals).
public enum BootstrapInterval {
    /// The 95% interval of `statistic` (called with the indices of one resample of `0..<count`).
    public static func percentile95(count: Int, resamples: Int, seed: UInt64, statistic: ([Int]) -> Double) -> ScoreInterval? {
        guard count > 0, resamples > 0 else { return nil }
        var generator = SeededGenerator(state: seed ^ 0xb007_57a9_0000_0095)
        var indices = [Int](repeating: 0, count: count)
        var values: [Double] = []
        values.reserveCapacity(resamples)
        for _ in 0..<resamples {
            for i in 0..<count { indices[i] = Int(generator.next() % UInt64(count)) }
            values.append(statistic(indices))
        }
        values.sort()
        let lower = Int((0.025 * Double(resamples)).rounded(.down))
        let upper = max(lower, Int((0.975 * Double(resamples)).rounded(.up)) - 1)
        return ScoreInterval(lower: values[lower], upper: values[upper])
    }
}
