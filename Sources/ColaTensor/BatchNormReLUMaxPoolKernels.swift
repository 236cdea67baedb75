/// Max pooling 2×2 (stride 2, 'valid') after batch normalization + ReLU, and the backward pass of
/// the pair fused, on channels-last maps or maps in blocks of 8 or 16 channels (through
/// ``FeatureMap/planes``).
///
/// Forward: oneDNN computes the batch statistics and `relu(γ·(x − μ)·σ⁻¹ + β)` (so statistics and
/// ReLU decisions are oneDNN's to the bit, see ``BatchNormReLUMaxPool``); ``maxPool`` pools that map
/// and records one byte per pooled element: the window position that won (0…3, row-major, first
/// maximum wins as oneDNN's pooling) or 4 when the maximum is 0 (ReLU off: no gradient).
///
/// Backward, without the full-size gradients of the pool and the ReLU: ``parameterGradients`` reads
/// the pooled gradient and x at the recorded positions for `Σdŷ` and `Σdŷ·x̂`; ``inputGradient``
/// writes `dx = γσ⁻¹·(dŷ − Σdŷ/m − x̂·Σ(dŷ·x̂)/m)` (batch statistics) or `γσ⁻¹·dŷ` (fixed ones) in one
/// pass over x (oneDNN's `ref_batch_normalization.cpp` formulas).
///
/// Inner loops run over the channels (innermost in memory) on pointers set up outside the loop,
/// written so that LLVM vectorizes them (AVX-512 compares, blends and FMAs); Swift's `SIMD16`
/// types compiled to lane-by-lane code here (`replacing(with:where:)`, scalar comparisons).
///
/// Reductions run over a fixed partition of the positions into chunks (independent of the thread
/// count), with float sums over short blocks added into double partial sums that are combined in
/// chunk order, so results are identical from run to run and on any thread count.
public enum BatchNormReLUMaxPoolKernels {
    /// Index value of a pooled element whose maximum is not positive.
    public static let reluOff: UInt8 = 4

    /// 2×2 max pooling (stride 2, 'valid') of a batch-norm + ReLU output `y` into `pooled`
    /// (`[N, C, H/2, W/2]`); `argmax` (one byte per pooled element) receives the winning window position,
    /// or ``reluOff`` when the maximum is 0 (ReLU off everywhere in the window), when given.
    ///
    /// Strictly greater wins, so the first maximum in the window wins, as oneDNN's max pooling.
    public static func maxPool(_ normalized: FeatureMap, into output: FeatureMap, argmax: UnsafeMutablePointer<UInt8>?) {
        precondition(output.height == normalized.height / 2 && output.width == normalized.width / 2
                     && output.channels == normalized.channels && output.batch == normalized.batch
                     && output.storage == normalized.storage, "max pool: output \(output.dims) for input \(normalized.dims)")
        let y = normalized.planes, pooled = output.planes
        let channels = y.channels
        let rowStride = y.width * channels
        OpenMPTeam.forEachRange(pooled.batch * pooled.height, cost: 4 * pooled.width * channels) { rows in
            for row in rows { withConstantBlock(channels) { channels in
                let n = row / pooled.height, oh = row % pooled.height
                let top = UnsafePointer(y.pointer) + ((n * y.height + 2 * oh) * y.width) * channels
                for ow in 0..<pooled.width {
                    let v0 = top + 2 * ow * channels, v1 = v0 + channels, v2 = v0 + rowStride, v3 = v2 + channels
                    let e = (row * pooled.width + ow) * channels
                    let out = pooled.pointer + e
                    if let argmax {
                        let at = argmax + e
                        for c in 0..<channels {
                            let a1 = v1[c], a2 = v2[c], a3 = v3[c]
                            var best = v0[c]
                            var k: UInt8 = 0
                            k = a1 > best ? 1 : k
                            best = a1 > best ? a1 : best
                            k = a2 > best ? 2 : k
                            best = a2 > best ? a2 : best
                            k = a3 > best ? 3 : k
                            best = a3 > best ? a3 : best
                            out[c] = best
                            at[c] = best > 0 ? k : reluOff
                        }
                    } else {
                        // The same comparisons as above, so the output is bit for bit the same.
                        for c in 0..<channels {
                            let a1 = v1[c], a2 = v2[c], a3 = v3[c]
                            var best = v0[c]
                            best = a1 > best ? a1 : best
                            best = a2 > best ? a2 : best
                            best = a3 > best ? a3 : best
                            out[c] = best
                        }
                    }
                }
            } }
        }
    }

    /// Parameter gradients from the pooled gradient `dy`: `dGamma = Σ dŷ·x̂`, `dBeta = Σ dŷ` (written),
    /// where dŷ is `dy` at the argmax position of each window whose maximum was positive.
    public static func parameterGradients(
        _ dy: FeatureMap, argmax: UnsafePointer<UInt8>, x: FeatureMap, mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
        epsilon: Float, dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>
    ) {
        let allChannels = x.channels
        let planes = x.planes, dy = dy.planes
        let channels = planes.channels
        let rowStride = x.width * channels
        let sums = chunkedSums(count: dy.batch * dy.height, channels: allChannels, cost: 4 * dy.width * channels) { rows, s1, s2, a1, a2 in
            for row in rows { withConstantBlock(channels) { channels in
                let n = row / dy.height, oh = row % dy.height
                let first = x.channelOffset(ofPlane: n)
                let mean = mean + first
                let top = UnsafePointer(planes.pointer) + ((n * x.height + 2 * oh) * x.width) * channels
                a1.update(repeating: 0, count: channels)
                a2.update(repeating: 0, count: channels)
                for ow in 0..<dy.width {
                    let x0 = top + 2 * ow * channels, x1 = x0 + channels, x2 = x0 + rowStride, x3 = x2 + channels
                    let e = (row * dy.width + ow) * channels
                    let g = UnsafePointer(dy.pointer) + e, at = argmax + e
                    for c in 0..<channels {
                        // Unconditional loads and selects (conditional loads would not vectorize).
                        let k = at[c], v1 = x1[c], v2 = x2[c], v3 = x3[c], gc = g[c]
                        var xs = x0[c]
                        xs = k == 1 ? v1 : xs
                        xs = k == 2 ? v2 : xs
                        xs = k == 3 ? v3 : xs
                        let d = k == reluOff ? 0 : gc
                        a1[c] += d
                        a2[c] += d * (xs - mean[c])
                    }
                }
                flush(a1, into: s1 + first, channels)
                flush(a2, into: s2 + first, channels)
            } }
        }
        defer { sums.deallocate() }
        for c in 0..<allChannels {
            dBeta[c] = Float(sums[c])
            dGamma[c] = Float(sums[allChannels + c] * Double(inverseStandardDeviation(variance[c], epsilon)))
        }
    }

    /// The input gradient `dx` (written, full size, edge rows/columns an odd size leaves out of every
    /// window included). With `batchStatistics`, `dGamma`/`dBeta` are the sums from ``parameterGradients``
    /// over the `positions` the statistics cover (default: this map's N·H·W; more when they were
    /// synchronized over ranks and the sums reduced).
    public static func inputGradient(
        _ dy: FeatureMap, argmax: UnsafePointer<UInt8>, x: FeatureMap, mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
        epsilon: Float, gamma: UnsafePointer<Float>, dGamma: UnsafePointer<Float>, dBeta: UnsafePointer<Float>,
        batchStatistics: Bool, positions: Int? = nil, into dx: FeatureMap
    ) {
        precondition(dx.storage == x.storage && dy.storage == x.storage, "batch norm backward: storage differs from the input's")
        let allChannels = x.channels
        // dx = (x − μ)·p + q + γσ⁻¹·dŷ: p, q carry the batch-statistics terms (zero with fixed statistics);
        // subtracting μ first, as oneDNN, keeps the precision when |μ| ≫ σ.
        let coefficients = UnsafeMutablePointer<Float>.allocate(capacity: 3 * allChannels)
        defer { coefficients.deallocate() }
        let gsAll = coefficients, pcAll = coefficients + allChannels, qcAll = coefficients + 2 * allChannels
        let m = Double(positions ?? x.batch * x.spatial)
        for c in 0..<allChannels {
            let invstd = Double(inverseStandardDeviation(variance[c], epsilon))
            let g = Double(gamma[c]) * invstd
            gsAll[c] = Float(g)
            if batchStatistics {
                let p = -g * invstd * Double(dGamma[c]) / m
                pcAll[c] = Float(p)
                qcAll[c] = Float(-g * Double(dBeta[c]) / m)
            } else {
                pcAll[c] = 0
                qcAll[c] = 0
            }
        }
        let map = x
        let x = x.planes, dy = dy.planes, dx = dx.planes
        let channels = x.channels
        let rowStride = x.width * channels
        OpenMPTeam.forEachRange(dy.batch * dy.height, cost: 4 * dy.width * channels) { rows in
            for row in rows { withConstantBlock(channels) { channels in
                let n = row / dy.height, oh = row % dy.height
                let first = map.channelOffset(ofPlane: n)
                let gs = gsAll + first, pc = pcAll + first, qc = qcAll + first, mean = mean + first
                let offset = ((n * x.height + 2 * oh) * x.width) * channels
                let top = UnsafePointer(x.pointer) + offset, out = dx.pointer + offset
                for ow in 0..<dy.width {
                    let w = 2 * ow * channels
                    let x0 = top + w, x1 = x0 + channels, x2 = x0 + rowStride, x3 = x2 + channels
                    let d0 = out + w, d1 = d0 + channels, d2 = d0 + rowStride, d3 = d2 + channels
                    let e = (row * dy.width + ow) * channels
                    let g = UnsafePointer(dy.pointer) + e, at = argmax + e
                    for c in 0..<channels {
                        let k = at[c], d = g[c] * gs[c], p = pc[c], q = qc[c], mu = mean[c]
                        d0[c] = (x0[c] - mu) * p + q + (k == 0 ? d : 0)
                        d1[c] = (x1[c] - mu) * p + q + (k == 1 ? d : 0)
                        d2[c] = (x2[c] - mu) * p + q + (k == 2 ? d : 0)
                        d3[c] = (x3[c] - mu) * p + q + (k == 3 ? d : 0)
                    }
                }
                if x.width % 2 == 1 {
                    for r in 0..<2 {
                        edge(top + r * rowStride + (x.width - 1) * channels, out + r * rowStride + (x.width - 1) * channels, first)
                    }
                }
            } }
        }
        if x.height % 2 == 1 {
            OpenMPTeam.forEachRange(x.batch, cost: rowStride) { planes in
                for n in planes {
                    let offset = ((n * x.height + x.height - 1) * x.width) * channels
                    let first = map.channelOffset(ofPlane: n)
                    for w in 0..<x.width {
                        edge(UnsafePointer(x.pointer) + offset + w * channels, dx.pointer + offset + w * channels, first)
                    }
                }
            }
        }

        /// One position outside every window: no gradient arrives, only the batch-statistics terms.
        func edge(_ xp: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ first: Int) {
            for c in 0..<channels { out[c] = (xp[c] - mean[first + c]) * pcAll[first + c] + qcAll[first + c] }
        }
    }

    // MARK: - Parts

    /// Chunks of a reduction: a fixed partition, so sums do not depend on the thread count.
    private static let reductionChunks = 32

    /// Runs `body(channels)` with `channels` a compile-time 16 or 8 for blocks of that many channels:
    /// with a run-time count, LLVM's vector loops (64 floats per trip on AVX-512, 32 on AVX2) fall
    /// through to their scalar remainder, which made the pooling 2× slower.
    @inline(__always)
    private static func withConstantBlock(_ channels: Int, _ body: (Int) -> Void) {
        switch channels {
        case 16: body(16)
        case 8: body(8)
        default: body(channels)
        }
    }

    static func inverseStandardDeviation(_ variance: Float, _ epsilon: Float) -> Float { 1 / (variance + epsilon).squareRoot() }

    /// Runs `body(range, sums1, sums2, scratch1, scratch2)` over a fixed partition of `0..<count` (in
    /// parallel) with zeroed double partial sums and float scratch per chunk, and returns `2 × channels`
    /// totals combined in chunk order (the caller deallocates them).
    private static func chunkedSums(
        count: Int, channels: Int, cost: Int,
        _ body: (Range<Int>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Float>,
                 UnsafeMutablePointer<Float>) -> Void
    ) -> UnsafeMutablePointer<Double> {
        let chunks = max(1, min(count, reductionChunks))
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: chunks * 2 * channels)
        defer { scratch.deallocate() }
        return PerChannelSums.combined(parts: chunks, channels: channels, cost: cost * max(count / chunks, 1)) { k, s1, s2 in
            let a = scratch + k * 2 * channels
            body((count * k / chunks)..<(count * (k + 1) / chunks), s1, s2, a, a + channels)
        }
    }

    /// `sums[c] += Double(block[c])`.
    @inline(__always)
    private static func flush(_ block: UnsafePointer<Float>, into sums: UnsafeMutablePointer<Double>, _ channels: Int) {
        for c in 0..<channels { sums[c] += Double(block[c]) }
    }
}
