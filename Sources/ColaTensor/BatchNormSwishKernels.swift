/// Batch normalization followed by swish, fused, on channels-last maps viewed as `[rows, channels]`
/// (rows = N·H·W, channel innermost).
///
/// The pre-activation y = (x − mean)·scale + β (scale = γ·invstd) is never stored: the forward pass
/// writes z = y·σ(y) only, and the backward pass recomputes y from x and the per-channel
/// coefficients. Centering before scaling keeps y accurate when |mean| ≫ standard deviation.
/// Loops run over channels in SIMD16 (then SIMD8, the last one possibly partial) vectors.
///
/// Per-channel sums are deterministic: rows are cut into parts whose size depends only on the shape,
/// each part sums floats over blocks of 64 rows (Kahan-compensated for the statistics) and adds the
/// block sums in Double, and the parts are added in order, whatever the thread count.
public enum BatchNormSwishKernels {
    /// Per-channel mean and biased variance of `x`.
    ///
    /// Sums are shifted by the first row (x − x₀), so a mean far from zero does not cancel the variance.
    public static func statistics(
        _ x: UnsafePointer<Float>, rows: Int, channels: Int,
        mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>
    ) {
        precondition(rows > 0, "batch norm over no positions")
        let sums = reduceOverRows(rows: rows, channels: channels) { range, c, lanes, first, second, vector in
            switch vector {
            case .wide: shiftedSums(SIMD16<Float>.self, FullVectors.self, x, range, channels, c, lanes, first, second)
            case .narrow: shiftedSums(SIMD8<Float>.self, FullVectors.self, x, range, channels, c, lanes, first, second)
            case .partial: shiftedSums(SIMD8<Float>.self, PartialVectors.self, x, range, channels, c, lanes, first, second)
            }
        }
        defer { sums.deallocate() }
        let m = Double(rows)
        for c in 0..<channels {
            let s = sums[c] / m
            mean[c] = Float(Double(x[c]) + s)
            variance[c] = Float(max(sums[channels + c] / m - s * s, 0))
        }
    }

    /// `z = y·σ(y)` with `y = (x − mean)·scale + beta` per channel.
    public static func forward(
        _ x: UnsafePointer<Float>, rows: Int, channels: Int, mean: UnsafePointer<Float>,
        scale: UnsafePointer<Float>, beta: UnsafePointer<Float>, into z: UnsafeMutablePointer<Float>
    ) {
        forEachBlock(rows, channels) { range in
            forEachChunk(channels) { c, lanes, vector in
                switch vector {
                case .wide: forwardChunk(SIMD16<Float>.self, FullVectors.self, x, range, channels, c, lanes, mean, scale, beta, z)
                case .narrow: forwardChunk(SIMD8<Float>.self, FullVectors.self, x, range, channels, c, lanes, mean, scale, beta, z)
                case .partial: forwardChunk(SIMD8<Float>.self, PartialVectors.self, x, range, channels, c, lanes, mean, scale, beta, z)
                }
            }
        }
    }

    /// First backward pass: g = dz·swish′(y) (y recomputed), written as `g·outputScale` into `g`, and
    /// per-channel `sumG = Σ g` and `sumGXHat = Σ g·x̂` with x̂ = (x − mean)·invstd.
    ///
    /// With running statistics the input gradient is γ·invstd·g, so `outputScale = γ·invstd` makes
    /// this the only pass; with batch statistics `outputScale = 1` and ``combine`` finishes dx.
    public static func backwardSums(
        _ dz: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int, channels: Int,
        mean: UnsafePointer<Float>, scale: UnsafePointer<Float>, beta: UnsafePointer<Float>, invstd: UnsafePointer<Float>,
        outputScale: UnsafePointer<Float>, into g: UnsafeMutablePointer<Float>,
        sumG: UnsafeMutablePointer<Double>, sumGXHat: UnsafeMutablePointer<Double>
    ) {
        let coefficients = BackwardCoefficients(mean: mean, scale: scale, beta: beta, invstd: invstd, outputScale: outputScale)
        let sums = reduceOverRows(rows: rows, channels: channels) { range, c, lanes, first, second, vector in
            switch vector {
            case .wide: backwardChunk(SIMD16<Float>.self, FullVectors.self, dz, x, range, channels, c, lanes, coefficients, g, first, second)
            case .narrow: backwardChunk(SIMD8<Float>.self, FullVectors.self, dz, x, range, channels, c, lanes, coefficients, g, first, second)
            case .partial: backwardChunk(SIMD8<Float>.self, PartialVectors.self, dz, x, range, channels, c, lanes, coefficients, g, first, second)
            }
        }
        defer { sums.deallocate() }
        sumG.update(from: sums, count: channels)
        sumGXHat.update(from: sums + channels, count: channels)
    }

    /// Second backward pass with batch statistics: `dx = a·g + (x − mean)·b + c` per channel
    /// (`dx` may be `g`).
    public static func combine(
        _ g: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int, channels: Int, mean: UnsafePointer<Float>,
        a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>
    ) {
        forEachBlock(rows, channels) { range in
            forEachChunk(channels) { channel, lanes, vector in
                switch vector {
                case .wide: combineChunk(SIMD16<Float>.self, FullVectors.self, g, x, range, channels, channel, lanes, mean, a, b, c, dx)
                case .narrow: combineChunk(SIMD8<Float>.self, FullVectors.self, g, x, range, channels, channel, lanes, mean, a, b, c, dx)
                case .partial: combineChunk(SIMD8<Float>.self, PartialVectors.self, g, x, range, channels, channel, lanes, mean, a, b, c, dx)
                }
            }
        }
    }
}

// MARK: - Chunks of channels

/// Which vector type covers a chunk of channels: 16 or 8 lanes, or the last < 8 channels.
private enum VectorWidth { case wide, narrow, partial }

/// Calls `body(first channel, lanes, width)` for 16-wide chunks, then 8-wide ones, then the
/// remaining < 8 channels.
@inline(__always)
private func forEachChunk(_ channels: Int, _ body: (Int, Int, VectorWidth) -> Void) {
    var c = 0
    while c + 16 <= channels {
        body(c, 16, .wide)
        c += 16
    }
    while c + 8 <= channels {
        body(c, 8, .narrow)
        c += 8
    }
    if c < channels { body(c, channels - c, .partial) }
}

/// How a chunk kernel reads and writes its vectors. A type parameter rather than a test of
/// `lanes` inside the loop: a partial-load branch in the loop keeps LLVM from keeping the
/// vectors in full-width registers (the backward pass ran 2.5× slower with it).
private protocol VectorAccess {
    static func load<V: SIMD>(_: V.Type, _ p: UnsafePointer<Float>, _ lanes: Int) -> V where V.Scalar == Float
    static func store<V: SIMD>(_ v: V, _ p: UnsafeMutablePointer<Float>, _ lanes: Int) where V.Scalar == Float
}

/// Whole vectors.
private enum FullVectors: VectorAccess {
    @inline(__always)
    static func load<V: SIMD>(_: V.Type, _ p: UnsafePointer<Float>, _ lanes: Int) -> V where V.Scalar == Float {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    @inline(__always)
    static func store<V: SIMD>(_ v: V, _ p: UnsafeMutablePointer<Float>, _ lanes: Int) where V.Scalar == Float {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }
}

/// The first `lanes` lanes; the others read as 0 and are not written.
private enum PartialVectors: VectorAccess {
    @inline(__always)
    static func load<V: SIMD>(_: V.Type, _ p: UnsafePointer<Float>, _ lanes: Int) -> V where V.Scalar == Float {
        var v = V()
        for i in 0..<lanes { v[i] = p[i] }
        return v
    }

    @inline(__always)
    static func store<V: SIMD>(_ v: V, _ p: UnsafeMutablePointer<Float>, _ lanes: Int) where V.Scalar == Float {
        for i in 0..<lanes { p[i] = v[i] }
    }
}

/// Rows per block: a block's rows are finished (all chunks of channels) before the next block, so
/// they stay in cache, and per-channel float sums run over one block before they are added in Double.
private let blockRows = 64

/// Calls `body` on blocks of ``blockRows`` rows, the rows split across threads.
@inline(__always)
private func forEachBlock(_ rows: Int, _ channels: Int, _ body: (Range<Int>) -> Void) {
    OpenMPTeam.forEachRange(rows, cost: channels) { range in
        var r = range.lowerBound
        while r < range.upperBound {
            let end = min(r + blockRows, range.upperBound)
            body(r..<end)
            r = end
        }
    }
}

// MARK: - Deterministic per-channel sums

/// Two per-channel Double sums over all rows, returned as one allocation `[first | second]` of
/// `2·channels` (the caller deallocates). `part(rows, c, lanes, first, second, width)` adds the sums
/// of one chunk of channels over one block of rows into `first[c...]`, `second[c...]`.
private func reduceOverRows(
    rows: Int, channels: Int,
    _ part: (Range<Int>, Int, Int, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, VectorWidth) -> Void
) -> UnsafeMutablePointer<Double> {
    // About 16 Ki elements per part: enough parts for the threads on every EfficientNet shape.
    let partRows = max(16, (1 << 14) / max(channels, 1))
    let parts = (rows + partRows - 1) / partRows
    return PerChannelSums.combined(parts: parts, channels: channels, cost: partRows * channels) { p, first, second in
        var r = p * partRows
        let partEnd = min(rows, (p + 1) * partRows)
        while r < partEnd {
            let end = min(r + blockRows, partEnd)
            forEachChunk(channels) { c, lanes, vector in part(r..<end, c, lanes, first, second, vector) }
            r = end
        }
    }
}

/// Adds the lanes of two float accumulators into Double sums.
@inline(__always)
private func addLanes<V: SIMD>(
    _ s: V, _ q: V, _ lanes: Int, into first: UnsafeMutablePointer<Double>, _ second: UnsafeMutablePointer<Double>
) where V.Scalar == Float {
    for i in 0..<lanes {
        first[i] += Double(s[i])
        second[i] += Double(q[i])
    }
}

/// Σ (x − x₀) and Σ (x − x₀)² over one block of rows for one chunk of channels (x₀ = row 0).
@inline(__always)
private func shiftedSums<V: SIMD, A: VectorAccess>(
    _: V.Type, _: A.Type, _ x: UnsafePointer<Float>, _ range: Range<Int>, _ channels: Int, _ c: Int, _ lanes: Int,
    _ first: UnsafeMutablePointer<Double>, _ second: UnsafeMutablePointer<Double>
) where V.Scalar == Float {
    let origin = A.load(V.self, x + c, lanes)
    // Kahan-compensated float sums: the error stays at a few ulp whatever the block length.
    var s = V(), q = V(), sError = V(), qError = V()
    var p = x + range.lowerBound * channels + c
    for _ in range {
        let d = A.load(V.self, p, lanes) - origin
        let sTerm = d - sError, sNext = s + sTerm
        sError = (sNext - s) - sTerm
        s = sNext
        let qTerm = d * d - qError, qNext = q + qTerm
        qError = (qNext - q) - qTerm
        q = qNext
        p += channels
    }
    addLanes(s, q, lanes, into: first + c, second + c)
}

// MARK: - Elementwise passes

@inline(__always)
private func forwardChunk<V: ExpVector, A: VectorAccess>(
    _: V.Type, _: A.Type, _ x: UnsafePointer<Float>, _ range: Range<Int>, _ channels: Int, _ c: Int, _ lanes: Int,
    _ mean: UnsafePointer<Float>, _ scale: UnsafePointer<Float>, _ beta: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>
) where V.Scalar == Float {
    let m = A.load(V.self, mean + c, lanes), a = A.load(V.self, scale + c, lanes), b = A.load(V.self, beta + c, lanes)
    var offset = range.lowerBound * channels + c
    for _ in range {
        let y = b.addingProduct(A.load(V.self, x + offset, lanes) - m, a)
        A.store(y * VectorExp.sigmoid(y), z + offset, lanes)
        offset += channels
    }
}

/// Per-channel inputs of ``BatchNormSwishKernels/backwardSums``.
private struct BackwardCoefficients {
    let mean: UnsafePointer<Float>, scale: UnsafePointer<Float>, beta: UnsafePointer<Float>, invstd: UnsafePointer<Float>
    let outputScale: UnsafePointer<Float>
}

@inline(__always)
private func backwardChunk<V: ExpVector, A: VectorAccess>(
    _: V.Type, _: A.Type, _ dz: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ range: Range<Int>, _ channels: Int, _ c: Int,
    _ lanes: Int, _ k: BackwardCoefficients, _ g: UnsafeMutablePointer<Float>,
    _ first: UnsafeMutablePointer<Double>, _ second: UnsafeMutablePointer<Double>
) where V.Scalar == Float {
    let a = A.load(V.self, k.scale + c, lanes), b = A.load(V.self, k.beta + c, lanes)
    let mean = A.load(V.self, k.mean + c, lanes), invstd = A.load(V.self, k.invstd + c, lanes)
    let out = A.load(V.self, k.outputScale + c, lanes)
    var s = V(), q = V()
    var offset = range.lowerBound * channels + c
    for _ in range {
        let centered = A.load(V.self, x + offset, lanes) - mean
        let y = b.addingProduct(centered, a)
        let sigma = VectorExp.sigmoid(y)
        // swish′(y) = σ(y)·(1 + y·(1 − σ(y)))
        let gv = A.load(V.self, dz + offset, lanes) * sigma * (y * (1 - sigma) + 1)
        s += gv
        q = q.addingProduct(gv, centered * invstd)
        A.store(gv * out, g + offset, lanes)
        offset += channels
    }
    addLanes(s, q, lanes, into: first + c, second + c)
}

@inline(__always)
private func combineChunk<V: SIMD, A: VectorAccess>(
    _: V.Type, _: A.Type, _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ range: Range<Int>, _ channels: Int, _ c: Int,
    _ lanes: Int, _ mean: UnsafePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ k: UnsafePointer<Float>,
    _ dx: UnsafeMutablePointer<Float>
) where V.Scalar == Float {
    let m = A.load(V.self, mean + c, lanes), av = A.load(V.self, a + c, lanes)
    let bv = A.load(V.self, b + c, lanes), kv = A.load(V.self, k + c, lanes)
    var offset = range.lowerBound * channels + c
    for _ in range {
        let v = kv.addingProduct(A.load(V.self, g + offset, lanes), av).addingProduct(A.load(V.self, x + offset, lanes) - m, bv)
        A.store(v, dx + offset, lanes)
        offset += channels
    }
}
