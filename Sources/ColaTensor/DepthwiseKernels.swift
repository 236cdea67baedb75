/// Depthwise-convolution weight gradient on channels-last maps.
///
/// oneDNN 2.6 has a depthwise backward-weights kernel only for 3×3; for 5×5 it falls back to the
/// generic grouped kernel, which pads every group to a 16×16 block (256× the work). This kernel
/// takes 16 channels (one AVX-512 vector, contiguous in NHWC) at a time and, for each kernel row,
/// keeps that row's taps in registers over the whole batch, so the inner loop is loads and FMAs.
public enum DepthwiseKernels {
    /// Largest kernel the register-held row supports.
    public static let maximumKernel = 5

    private typealias Lanes = SIMD16<Float>

    /// `dW[c, ky, kx] += Σ dy[n, oy, ox, c] · x[n, oy·s + ky − p, ox·s + kx − p, c]` into a
    /// PyTorch-layout gradient `[C, 1, k, k]`, for `k` ≤ ``maximumKernel``.
    public static func accumulateWeightGradient(
        x: FeatureMap, dy: FeatureMap, kernel k: Int, stride s: Int, paddingBefore p: Int,
        into gradient: UnsafeMutablePointer<Float>
    ) {
        precondition(k >= 1 && k <= maximumKernel, "depthwise weight gradient: kernel \(k) > \(maximumKernel)")
        let channels = x.channels
        let blocks = (channels + 15) / 16
        OpenMPTeam.forEachRange(blocks, cost: dy.count / max(blocks, 1) * k * k / 16) { blockRange in
            for block in blockRange {
                let c0 = block * 16
                let width = min(16, channels - c0)
                for ky in 0..<k {
                    var row = [Float](repeating: 0, count: k * 16)
                    if width == 16 {
                        accumulateRow(x: x, dy: dy, c0: c0, ky: ky, k: k, s: s, p: p, into: &row)
                    } else {
                        accumulateRowLanes(x: x, dy: dy, c0: c0, width: width, ky: ky, k: k, s: s, p: p, into: &row)
                    }
                    for c in 0..<width {
                        let out = gradient + (c0 + c) * k * k + ky * k
                        for kx in 0..<k { out[kx] += row[kx * 16 + c] }
                    }
                }
            }
        }
    }

    /// Row `ky` of 16 channels from `c0`: five vector accumulators (taps beyond `k` stay zero).
    private static func accumulateRow(x: FeatureMap, dy: FeatureMap, c0: Int, ky: Int, k: Int, s: Int, p: Int,
                                      into row: inout [Float]) {
        let channels = x.channels
        var a0 = Lanes(), a1 = Lanes(), a2 = Lanes(), a3 = Lanes(), a4 = Lanes()
        for n in 0..<dy.batch {
            for oy in 0..<dy.height {
                let iy = oy * s + ky - p
                guard iy >= 0 && iy < x.height else { continue }
                let gradientRow = dy.pointer + ((n * dy.height + oy) * dy.width) * channels + c0
                let inputRow = x.pointer + ((n * x.height + iy) * x.width) * channels + c0
                for ox in 0..<dy.width {
                    let g = load(gradientRow + ox * channels)
                    let first = ox * s - p
                    if first >= 0 && first + k <= x.width {
                        let base = inputRow + first * channels
                        a0 += g * load(base)
                        if k > 1 { a1 += g * load(base + channels) }
                        if k > 2 { a2 += g * load(base + 2 * channels) }
                        if k > 3 { a3 += g * load(base + 3 * channels) }
                        if k > 4 { a4 += g * load(base + 4 * channels) }
                    } else {
                        for kx in 0..<k {
                            let ix = first + kx
                            guard ix >= 0 && ix < x.width else { continue }
                            let product = g * load(inputRow + ix * channels)
                            switch kx {
                            case 0: a0 += product
                            case 1: a1 += product
                            case 2: a2 += product
                            case 3: a3 += product
                            default: a4 += product
                            }
                        }
                    }
                }
            }
        }
        row.withUnsafeMutableBufferPointer { out in
            for (kx, sum) in [a0, a1, a2, a3, a4].prefix(k).enumerated() {
                UnsafeMutableRawPointer(out.baseAddress! + kx * 16).storeBytes(of: sum, as: Lanes.self)
            }
        }
    }

    /// The same for a last block of fewer than 16 channels, lane by lane.
    private static func accumulateRowLanes(x: FeatureMap, dy: FeatureMap, c0: Int, width: Int, ky: Int, k: Int, s: Int, p: Int,
                                           into row: inout [Float]) {
        let channels = x.channels
        for n in 0..<dy.batch {
            for oy in 0..<dy.height {
                let iy = oy * s + ky - p
                guard iy >= 0 && iy < x.height else { continue }
                for ox in 0..<dy.width {
                    let g = dy.pointer + ((n * dy.height + oy) * dy.width + ox) * channels + c0
                    for kx in 0..<k {
                        let ix = ox * s + kx - p
                        guard ix >= 0 && ix < x.width else { continue }
                        let xs = x.pointer + ((n * x.height + iy) * x.width + ix) * channels + c0
                        for c in 0..<width { row[kx * 16 + c] += g[c] * xs[c] }
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func load(_ pointer: UnsafeMutablePointer<Float>) -> Lanes {
        UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
    }
}
