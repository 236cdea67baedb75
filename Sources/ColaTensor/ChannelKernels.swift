/// Small hand-written kernels on channels-last maps (NHWC) and flat vectors.
///
/// These are the passes oneDNN has no single primitive for in Cola's layout: global pooling,
/// per-sample/per-channel scaling (squeeze-excite, drop-connect) and accumulation.
public enum ChannelKernels {
    /// `destination[i] += source[i]`.
    public static func accumulate(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int) {
        OpenMPTeam.forEachRange(count) { r in
            for i in r { destination[i] += source[i] }
        }
    }

    /// `destination[i] = a[i] + b[i]`.
    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int) {
        OpenMPTeam.forEachRange(count) { r in
            for i in r { destination[i] = a[i] + b[i] }
        }
    }

    /// `destination[i] = source[i] * factor`.
    public static func scale(_ source: UnsafePointer<Float>, by factor: Float, into destination: UnsafeMutablePointer<Float>, count: Int) {
        OpenMPTeam.forEachRange(count) { r in
            for i in r { destination[i] = source[i] * factor }
        }
    }

    /// Mean over the spatial positions: `[N, HW, C]` → `[N, C]`.
    public static func globalAveragePool(_ x: UnsafePointer<Float>, batch: Int, spatial: Int, channels: Int, into y: UnsafeMutablePointer<Float>) {
        let inverse = 1 / Float(spatial)
        OpenMPTeam.forEachRange(batch, cost: spatial * channels) { samples in
        for n in samples {
            let out = y + n * channels
            out.initialize(repeating: 0, count: channels)
            var row = x + n * spatial * channels
            for _ in 0..<spatial {
                for c in 0..<channels { out[c] += row[c] }
                row += channels
            }
            for c in 0..<channels { out[c] *= inverse }
        }
        }
    }

    /// Maximum over the spatial positions: `[N, HW, C]` → `[N, C]`, remembering where it was.
    public static func globalMaxPool(
        _ x: UnsafePointer<Float>, batch: Int, spatial: Int, channels: Int,
        into y: UnsafeMutablePointer<Float>, positions: UnsafeMutablePointer<Int32>
    ) {
        OpenMPTeam.forEachRange(batch, cost: spatial * channels) { samples in
        for n in samples {
            let base = x + n * spatial * channels
            let out = y + n * channels
            let at = positions + n * channels
            out.update(from: base, count: channels)
            at.initialize(repeating: 0, count: channels)
            for s in 1..<max(spatial, 1) {
                let row = base + s * channels
                for c in 0..<channels where row[c] > out[c] {
                    out[c] = row[c]
                    at[c] = Int32(s)
                }
            }
        }
        }
    }

    /// Gradient of ``globalMaxPool``: `dx` is overwritten (zero except at the maxima).
    public static func globalMaxPoolBackward(
        _ dy: UnsafePointer<Float>, positions: UnsafePointer<Int32>, batch: Int, spatial: Int, channels: Int,
        into dx: UnsafeMutablePointer<Float>
    ) {
        dx.initialize(repeating: 0, count: batch * spatial * channels)
        for n in 0..<batch {
            for c in 0..<channels {
                let s = Int(positions[n * channels + c])
                dx[(n * spatial + s) * channels + c] += dy[n * channels + c]
            }
        }
    }

    /// `y[n, s, c] = x[n, s, c] * factors[n, c]` (squeeze-excite gating).
    public static func scaleChannels(
        _ x: UnsafePointer<Float>, by factors: UnsafePointer<Float>, batch: Int, spatial: Int, channels: Int,
        into y: UnsafeMutablePointer<Float>
    ) {
        OpenMPTeam.forEachRange(batch, cost: spatial * channels) { samples in
        for n in samples {
            let f = factors + n * channels
            for s in 0..<spatial {
                let offset = (n * spatial + s) * channels
                let xr = x + offset, yr = y + offset
                for c in 0..<channels { yr[c] = xr[c] * f[c] }
            }
        }
        }
    }

    /// Per-sample channel dot products over the spatial positions:
    /// `dFactors[n, c] = Σ_s dy[n, s, c] · x[n, s, c]` (overwritten), the gradient of the factors of
    /// ``scaleChannels``.
    public static func spatialDotProducts(
        _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, batch: Int, spatial: Int, channels: Int,
        into dFactors: UnsafeMutablePointer<Float>
    ) {
        OpenMPTeam.forEachRange(batch, cost: spatial * channels) { samples in
        for n in samples {
            let df = dFactors + n * channels
            df.initialize(repeating: 0, count: channels)
            for s in 0..<spatial {
                let offset = (n * spatial + s) * channels
                let dyr = dy + offset, xr = x + offset
                for c in 0..<channels { df[c] += dyr[c] * xr[c] }
            }
        }
        }
    }

    /// `dx[n, s, c] = dy[n, s, c] · factors[n, c] + shift[n, c]` (overwritten): the input gradient of
    /// a squeeze-excite block, gate and average-pool paths in one pass.
    public static func scaleChannelsAndShift(
        _ dy: UnsafePointer<Float>, factors: UnsafePointer<Float>, shift: UnsafePointer<Float>,
        batch: Int, spatial: Int, channels: Int, into dx: UnsafeMutablePointer<Float>
    ) {
        OpenMPTeam.forEachRange(batch, cost: spatial * channels) { samples in
        for n in samples {
            let f = factors + n * channels, b = shift + n * channels
            for s in 0..<spatial {
                let offset = (n * spatial + s) * channels
                let dyr = dy + offset, dxr = dx + offset
                for c in 0..<channels { dxr[c] = dyr[c] * f[c] + b[c] }
            }
        }
        }
    }

    /// `y[n, ...] = x[n, ...] * factors[n]` over samples of `sampleSize` elements.
    public static func scaleSamples(
        _ x: UnsafePointer<Float>, by factors: UnsafePointer<Float>, batch: Int, sampleSize: Int,
        into y: UnsafeMutablePointer<Float>
    ) {
        OpenMPTeam.forEachRange(batch, cost: sampleSize) { samples in
            for n in samples {
                let f = factors[n]
                let xr = x + n * sampleSize, yr = y + n * sampleSize
                for i in 0..<sampleSize { yr[i] = xr[i] * f }
            }
        }
    }
}
