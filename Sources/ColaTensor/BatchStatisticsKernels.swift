/// Batch-norm statistics and the input gradient's batch-statistics terms computed outside oneDNN,
/// for synchronized batch norm: the statistics a rank sends to the others, and the correction that
/// turns a fixed-statistics input gradient into the batch-statistics one once the reduced sums are
/// known. On channels-last maps and maps in blocks of 8 or 16 channels (through ``FeatureMap/planes``).
public enum BatchStatisticsKernels {
    /// Per-channel mean and biased variance of `x` over its N·H·W positions.
    ///
    /// Channels-last maps go through ``BatchNormSwishKernels/statistics(_:rows:channels:mean:variance:)``.
    /// Blocked maps: sums of x − x₀ (x₀ = the channel's first element, so a mean far from zero does
    /// not cancel the variance) in float over 64 positions, then in Double over a fixed partition
    /// of the planes, combined in order: the same bits on any thread count.
    public static func meanAndVariance(_ x: FeatureMap, mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>) {
        precondition(x.batch * x.spatial > 0, "batch statistics over no positions")
        guard x.storage != .channelsLast else {
            BatchNormSwishKernels.statistics(x.pointer, rows: x.batch * x.spatial, channels: x.channels, mean: mean, variance: variance)
            return
        }
        let planes = x.planes
        let block = planes.channels, spatial = x.spatial, channels = x.channels
        let origin = UnsafeMutablePointer<Float>.allocate(capacity: channels)
        defer { origin.deallocate() }
        for plane in 0..<x.planesPerSample {
            for c in 0..<block { origin[plane * block + c] = planes.pointer[plane * spatial * block + c] }
        }
        let parts = min(planes.batch, reductionParts)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: parts * 2 * block)
        defer { scratch.deallocate() }
        let sums = PerChannelSums.combined(parts: parts, channels: channels, cost: planes.batch / parts * spatial * block) { part, first, second in
            let s = scratch + part * 2 * block, q = s + block
            for plane in (planes.batch * part / parts)..<(planes.batch * (part + 1) / parts) {
                let offset = x.channelOffset(ofPlane: plane)
                let shift = UnsafePointer(origin + offset)
                var p = UnsafePointer(planes.pointer) + plane * spatial * block
                var position = 0
                while position < spatial {
                    let end = min(position + floatRun, spatial)
                    s.update(repeating: 0, count: block)
                    q.update(repeating: 0, count: block)
                    for _ in position..<end {
                        for c in 0..<block {
                            let d = p[c] - shift[c]
                            s[c] += d
                            q[c] += d * d
                        }
                        p += block
                    }
                    for c in 0..<block {
                        first[offset + c] += Double(s[c])
                        second[offset + c] += Double(q[c])
                    }
                    position = end
                }
            }
        }
        defer { sums.deallocate() }
        let m = Double(x.batch * spatial)
        for c in 0..<channels {
            let shifted = sums[c] / m
            mean[c] = Float(Double(origin[c]) + shifted)
            variance[c] = Float(max(sums[channels + c] / m - shifted * shifted, 0))
        }
    }

    /// `dx += (x − mean)·slope + offset` per channel: the terms batch statistics add to the input
    /// gradient of batch norm, `slope = −γσ⁻¹·σ⁻¹·Σ(g·x̂)/M` and `offset = −γσ⁻¹·Σg/M` with sums
    /// and M over the whole (synchronized) batch.
    public static func addBatchStatisticsTerms(
        _ x: FeatureMap, mean: UnsafePointer<Float>, slope: UnsafePointer<Float>, offset: UnsafePointer<Float>, into dx: FeatureMap
    ) {
        precondition(dx.storage == x.storage && dx.count == x.count, "batch-statistics terms: dx \(dx.dims) \(dx.storage) for x \(x.dims) \(x.storage)")
        let planes = x.planes, gradients = dx.planes
        let block = planes.channels, spatial = x.spatial
        OpenMPTeam.forEachRange(planes.batch * spatial, cost: block) { rows in
            for row in rows {
                let first = x.channelOffset(ofPlane: row / spatial)
                let mean = mean + first, slope = slope + first, offset = offset + first
                let xp = UnsafePointer(planes.pointer) + row * block, dp = gradients.pointer + row * block
                for c in 0..<block { dp[c] += (xp[c] - mean[c]) * slope[c] + offset[c] }
            }
        }
    }

    /// Parts of a blocked reduction: a fixed partition of the planes, whatever the thread count.
    private static let reductionParts = 32
    /// Positions summed in float before a Double flush.
    private static let floatRun = 64
}
