/// Depthwise-convolution weight gradient on channels-last maps.
///
/// oneDNN 2.6 has a depthwise backward-weights kernel only for 3×3; for 5×5 it falls back to the
/// generic grouped kernel, which pads every group to a 16×16 block (256× the work). This loop
/// runs over channels innermost (contiguous in NHWC), so it vectorizes.
public enum DepthwiseKernels {
    /// `dW[c, ky, kx] += Σ dy[n, oy, ox, c] · x[n, oy·s + ky − p, ox·s + kx − p, c]` into a
    /// PyTorch-layout gradient `[C, 1, k, k]`.
    public static func accumulateWeightGradient(
        x: FeatureMap, dy: FeatureMap, kernel k: Int, stride s: Int, paddingBefore p: Int,
        into gradient: UnsafeMutablePointer<Float>
    ) {
        let channels = x.channels
        let taps = k * k
        let blocks = (channels + 15) / 16
        Parallel.forEachRange(blocks, cost: dy.count / max(blocks, 1) * taps / 16) { blockRange in
            let c0 = blockRange.lowerBound * 16, c1 = min(channels, blockRange.upperBound * 16)
            let width = c1 - c0
            guard width > 0 else { return }
            let sums = UnsafeMutablePointer<Float>.allocate(capacity: taps * width)
            sums.initialize(repeating: 0, count: taps * width)
            defer { sums.deallocate() }
            for n in 0..<dy.batch {
                for oy in 0..<dy.height {
                    for ox in 0..<dy.width {
                        let g = dy.pointer + ((n * dy.height + oy) * dy.width + ox) * channels + c0
                        for ky in 0..<k {
                            let iy = oy * s + ky - p
                            guard iy >= 0 && iy < x.height else { continue }
                            for kx in 0..<k {
                                let ix = ox * s + kx - p
                                guard ix >= 0 && ix < x.width else { continue }
                                let xs = x.pointer + ((n * x.height + iy) * x.width + ix) * channels + c0
                                let acc = sums + (ky * k + kx) * width
                                for c in 0..<width { acc[c] += g[c] * xs[c] }
                            }
                        }
                    }
                }
            }
            for c in 0..<width {
                let out = gradient + (c0 + c) * taps
                for t in 0..<taps { out[t] += sums[t * width + c] }
            }
        }
    }
}
