/// Two per-channel sums in Double over a fixed partition of the work, reproducible whatever the
/// thread count: each part adds into its own zeroed partial sums (parts run in parallel on the
/// OpenMP team), and the partials are combined in part order.
enum PerChannelSums {
    /// Runs `part(p, first, second)` for every `p` in `0..<parts`, each on its own zeroed
    /// `channels`-long `first` and `second`, and returns their totals as one allocation
    /// `[first | second]` of `2·channels` Doubles (the caller deallocates it).
    ///
    /// - Parameter cost: Elements of work per part (keeps tiny reductions on the calling thread).
    static func combined(
        parts: Int, channels: Int, cost: Int,
        _ part: (Int, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void
    ) -> UnsafeMutablePointer<Double> {
        let partials = UnsafeMutablePointer<Double>.allocate(capacity: parts * 2 * channels)
        partials.initialize(repeating: 0, count: parts * 2 * channels)
        defer { partials.deallocate() }
        OpenMPTeam.forEachRange(parts, cost: cost) { range in
            for p in range {
                let first = partials + p * 2 * channels
                part(p, first, first + channels)
            }
        }
        let totals = UnsafeMutablePointer<Double>.allocate(capacity: 2 * channels)
        totals.initialize(repeating: 0, count: 2 * channels)
        for p in 0..<parts {
            let partial = partials + p * 2 * channels
            for i in 0..<(2 * channels) { totals[i] += partial[i] }
        }
        return totals
    }
}
