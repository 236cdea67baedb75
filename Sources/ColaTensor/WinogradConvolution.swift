/// Winograd F(4×4, 3×3) convolution (3×3, stride 1, padding 1, no bias) on maps in blocks of 8
/// channels, for CPUs where oneDNN 2.6 has no Winograd kernel (it has one only on AVX-512).
///
/// Each 4×4 output tile is computed from the 6×6 input patch around it with 36 element-wise
/// products per channel pair instead of 144 multiply-adds (``WinogradTransforms``). Summed over
/// input channels, the 36 products are 36 matrix products: with `T` tiles,
/// `M_ξ (T × Cout) = V_ξ (T × Cin) · U_ξ (Cin × Cout)`, run on oneDNN's sgemm, where `V` holds the
/// transformed input patches and `U` the transformed kernels. Any map size works: tiles that
/// cross the lower or right border read zeros and write only the outputs inside the map.
///
/// Buffers of transformed values hold the 36 matrices one after another, ξ = 6·row + column of
/// the transformed tile. Tiles are numbered sample by sample, row by row.
///
/// Every pass is split over OpenMP's team (``OpenMPTeam``) so that each value is computed by one
/// thread in a fixed order: results do not depend on the thread count. The forward and
/// backward-data passes run in chunks of tiles, each chunk on one thread from input transform
/// through its 36 (single-threaded) matrix products to the output. The weight gradient's 36
/// products, each summed over all tiles, are divided among the threads whole, rather than each
/// product over all threads, because a threaded GEMM may split that sum differently per thread count.
public enum WinogradConvolution {
    private typealias Lanes = WinogradTransforms.Lanes
    /// Points of a transformed tile (6 × 6).
    public static let points = 36
    private static let block = 8
    /// Tiles per chunk of the forward and backward-data passes: 36 × 128 rows of transformed inputs
    /// and products, 3.5 MB at 64 → 128 channels; large enough for efficient matrix products.
    private static let chunkTiles = 128

    /// The 4×4 output tiles covering maps of `height × width`, over `batch` samples.
    public static func tileCount(batch: Int, height: Int, width: Int) -> Int {
        batch * ((height + 3) / 4) * ((width + 3) / 4)
    }

    /// The sample of tile `tile` of `map` and the row and column of its first (top-left) output.
    @inline(__always)
    private static func tileOrigin(_ tile: Int, in map: FeatureMap) -> (sample: Int, top: Int, left: Int) {
        let tilesAcross = (map.width + 3) / 4, perSample = ((map.height + 3) / 4) * tilesAcross
        let inSample = tile % perSample
        return (tile / perSample, 4 * (inSample / tilesAcross), 4 * (inSample % tilesAcross))
    }

    /// Floats of the transformed input of `x` (36 × tiles × channels).
    public static func transformedCount(_ x: FeatureMap) -> Int {
        points * tileCount(batch: x.batch, height: x.height, width: x.width) * x.channels
    }

    /// `V = Bᵀ d B` of every 6×6 patch of `x` (zeros outside the map) into `transformed`
    /// (``transformedCount(_:)`` floats), as ``forward(_:keepingTransformedInputIn:weights:output:workspace:)``
    /// keeps it: for a weight gradient after a forward that kept nothing.
    public static func transformInput(_ x: FeatureMap, into transformed: UnsafeMutablePointer<Float>) {
        precondition(x.storage == .blocks8, "Cola's Winograd convolution takes maps in blocks of 8 channels, not \(x.storage)")
        let tiles = tileCount(batch: x.batch, height: x.height, width: x.width)
        OpenMPTeam.forEachRange(tiles, cost: points * x.channels) { range in
            transformInput(x, tiles: range, into: transformed + range.lowerBound * x.channels, pointStride: tiles * x.channels)
        }
    }

    /// `y = conv(x, w)` for PyTorch-layout weights `[Cout, Cin, 3, 3]`; `y` sets the output channels
    /// (same height and width as `x`). Also writes `V`, the transformed input, into `transformed`
    /// (``transformedCount(_:)`` floats) for the weight gradient.
    ///
    /// Runs in chunks of tiles, each on one thread from input transform to output, so that the
    /// chunk's products stay in cache instead of going through memory as 36 matrices of all tiles.
    public static func forward(_ x: FeatureMap, keepingTransformedInputIn transformed: UnsafeMutablePointer<Float>,
                               weights: UnsafePointer<Float>, output y: FeatureMap, workspace: WinogradWorkspace) {
        let tiles = tileCount(batch: x.batch, height: x.height, width: x.width)
        convolveInChunks(x, weights: weights, flipped: false, into: y, workspace: workspace) { part, _ in
            (transformed + part.lowerBound * x.channels, tiles * x.channels)
        }
    }

    /// `dx = ∂L/∂x` (written, not accumulated) from `dy` and PyTorch-layout weights: the forward
    /// convolution of `dy` with every kernel turned 180° and input and output channels swapped,
    /// in chunks of tiles like the forward.
    public static func backwardData(outputGradient dy: FeatureMap, weights: UnsafePointer<Float>, inputGradient dx: FeatureMap,
                                    workspace: WinogradWorkspace) {
        let tiles = tileCount(batch: dy.batch, height: dy.height, width: dy.width)
        let chunks = (tiles + chunkTiles - 1) / chunkTiles
        let perThread = points * chunkTiles * dy.channels
        let scratch = workspace.take(OpenMPTeam.threadLimit(chunks) * perThread, slot: 2)
        convolveInChunks(dy, weights: weights, flipped: true, into: dx, workspace: workspace) { part, thread in
            (scratch + thread * perThread, part.count * dy.channels)
        }
    }

    /// The 'same' convolution of `source` into `destination` (kernels turned 180° and channels
    /// swapped when `flipped`), chunk by chunk of tiles, each chunk on one thread: input transform
    /// to where `transformedInput(tiles, thread)` says (pointer and the stride between the 36
    /// matrices), its 36 products into the thread's scratch, output transform.
    private static func convolveInChunks(
        _ source: FeatureMap, weights: UnsafePointer<Float>, flipped: Bool, into destination: FeatureMap, workspace: WinogradWorkspace,
        transformedInput: (Range<Int>, Int) -> (UnsafeMutablePointer<Float>, Int)
    ) {
        precondition(source.storage == .blocks8 && destination.storage == .blocks8,
                     "Cola's Winograd convolution takes maps in blocks of 8 channels")
        precondition(source.height == destination.height && source.width == destination.width && source.batch == destination.batch,
                     "a 'same' convolution keeps the map size")
        let inner = source.channels, outer = destination.channels
        let (cout, cin) = flipped ? (inner, outer) : (outer, inner)
        let tiles = tileCount(batch: source.batch, height: source.height, width: source.width)
        let u = workspace.take(points * cin * cout, slot: 0)
        transformKernels(weights, outputChannels: cout, inputChannels: cin, flipped: flipped, into: u)
        let chunks = (tiles + chunkTiles - 1) / chunkTiles
        let perThread = points * chunkTiles * outer
        let products = workspace.take(OpenMPTeam.threadLimit(chunks) * perThread, slot: 1)
        OpenMPTeam.forEachRange(chunks, cost: 1 << 15) { range, thread in
            let m = products + thread * perThread
            for chunk in range {
                let part = (chunk * chunkTiles)..<min(tiles, (chunk + 1) * chunkTiles)
                let (v, stride) = transformedInput(part, thread)
                transformInput(source, tiles: part, into: v, pointStride: stride)
                multiply(v, pointStride: stride, u, into: m, rows: part.count, inner: inner, outer: outer)
                transformOutput(m, pointStride: part.count * outer, tiles: part, into: destination)
            }
        }
    }

    /// `weightGradient += ∂L/∂w` (PyTorch layout `[Cout, Cin, 3, 3]`) from `transformedInput`
    /// (``transformInput(_:into:)`` of the forward's input) and `dy`:
    /// `∂L/∂U_ξ = V_ξᵀ · (A dy Aᵀ)_ξ`, summed over tiles by the matrix product, then `Gᵀ (∂L/∂U) G`.
    public static func accumulateWeightGradient(transformedInput: UnsafePointer<Float>, inputChannels: Int,
                                                outputGradient dy: FeatureMap, into weightGradient: UnsafeMutablePointer<Float>,
                                                workspace: WinogradWorkspace) {
        precondition(dy.storage == .blocks8, "Cola's Winograd convolution takes maps in blocks of 8 channels, not \(dy.storage)")
        let tiles = tileCount(batch: dy.batch, height: dy.height, width: dy.width)
        let dm = workspace.take(points * tiles * dy.channels, slot: 1)
        transformOutputGradient(dy, into: dm)
        let du = workspace.take(points * inputChannels * dy.channels, slot: 0)
        let cin = inputChannels, cout = dy.channels
        OpenMPTeam.forEachRange(points, cost: 1 << 15) { range in
            for xi in range {
                Matrix.multiply(transposeA: true, m: cin, n: cout, k: tiles,
                                a: transformedInput + xi * tiles * cin, lda: cin, b: dm + xi * tiles * cout, ldb: cout,
                                c: du + xi * cin * cout, ldc: cout)
            }
        }
        accumulateKernelGradient(du, outputChannels: cout, inputChannels: cin, into: weightGradient)
    }

    /// The 36 products `M_ξ (rows × outer) = V_ξ (rows × inner) · U_ξ (inner × outer)` on this thread,
    /// `V_ξ` starting at `v + ξ · pointStride`, `M` packed.
    private static func multiply(_ v: UnsafePointer<Float>, pointStride: Int, _ u: UnsafePointer<Float>,
                                 into m: UnsafeMutablePointer<Float>, rows: Int, inner: Int, outer: Int) {
        for xi in 0..<points {
            Matrix.multiply(m: rows, n: outer, k: inner, a: v + xi * pointStride, lda: inner,
                            b: u + xi * inner * outer, ldb: outer, c: m + xi * rows * outer, ldc: outer)
        }
    }

    /// `U_ξ[k][n] = (G g Gᵀ)_ξ` with `g = w[n][k]` (forward: k input, n output channel), or with
    /// `g = w[k][n]` turned 180° when `flipped` (backward data: k output, n input channel).
    private static func transformKernels(_ w: UnsafePointer<Float>, outputChannels: Int, inputChannels: Int, flipped: Bool,
                                         into u: UnsafeMutablePointer<Float>) {
        let rowsK = flipped ? outputChannels : inputChannels, columnsN = flipped ? inputChannels : outputChannels
        let pointStride = rowsK * columnsN
        OpenMPTeam.forEachRange(rowsK, cost: columnsN * 9 * 16) { range in
            for k in range {
                for n in 0..<columnsN {
                    let g = flipped ? w + (k * inputChannels + n) * 9 : w + (n * inputChannels + k) * 9
                    // tap(r, c) of the kernel as the forward uses it.
                    func tap(_ r: Int, _ c: Int) -> Float { flipped ? g[(2 - r) * 3 + (2 - c)] : g[r * 3 + c] }
                    let c0 = WinogradTransforms.kernel(tap(0, 0), tap(1, 0), tap(2, 0))
                    let c1 = WinogradTransforms.kernel(tap(0, 1), tap(1, 1), tap(2, 1))
                    let c2 = WinogradTransforms.kernel(tap(0, 2), tap(1, 2), tap(2, 2))
                    let out = u + k * columnsN + n
                    func emitRow(_ i: Int, _ a: Float, _ b: Float, _ c: Float) {
                        let r = WinogradTransforms.kernel(a, b, c)
                        let base = out + 6 * i * pointStride
                        base[0] = r.0
                        base[pointStride] = r.1
                        base[2 * pointStride] = r.2
                        base[3 * pointStride] = r.3
                        base[4 * pointStride] = r.4
                        base[5 * pointStride] = r.5
                    }
                    emitRow(0, c0.0, c1.0, c2.0)
                    emitRow(1, c0.1, c1.1, c2.1)
                    emitRow(2, c0.2, c1.2, c2.2)
                    emitRow(3, c0.3, c1.3, c2.3)
                    emitRow(4, c0.4, c1.4, c2.4)
                    emitRow(5, c0.5, c1.5, c2.5)
                }
            }
        }
    }

    /// `w[n][k] += Gᵀ (∂L/∂U)[·][k][n] G` for every output channel n and input channel k.
    private static func accumulateKernelGradient(_ du: UnsafePointer<Float>, outputChannels: Int, inputChannels: Int,
                                                 into w: UnsafeMutablePointer<Float>) {
        let pointStride = inputChannels * outputChannels
        OpenMPTeam.forEachRange(outputChannels, cost: inputChannels * points * 16) { range in
            for n in range {
                for k in 0..<inputChannels {
                    let source = du + k * outputChannels + n
                    // Gᵀ over the rows of each of the six columns, then over the columns of the three rows.
                    func column(_ j: Int) -> (Float, Float, Float) {
                        WinogradTransforms.kernelAdjoint(
                            (source[j * pointStride], source[(6 + j) * pointStride], source[(12 + j) * pointStride],
                             source[(18 + j) * pointStride], source[(24 + j) * pointStride], source[(30 + j) * pointStride]))
                    }
                    let c0 = column(0), c1 = column(1), c2 = column(2), c3 = column(3), c4 = column(4), c5 = column(5)
                    let g = w + (n * inputChannels + k) * 9
                    let r0 = WinogradTransforms.kernelAdjoint((c0.0, c1.0, c2.0, c3.0, c4.0, c5.0))
                    let r1 = WinogradTransforms.kernelAdjoint((c0.1, c1.1, c2.1, c3.1, c4.1, c5.1))
                    let r2 = WinogradTransforms.kernelAdjoint((c0.2, c1.2, c2.2, c3.2, c4.2, c5.2))
                    g[0] += r0.0; g[1] += r0.1; g[2] += r0.2
                    g[3] += r1.0; g[4] += r1.1; g[5] += r1.2
                    g[6] += r2.0; g[7] += r2.1; g[8] += r2.2
                }
            }
        }
    }

    /// `V = Bᵀ d B` for `tiles` and every block of 8 channels (zeros outside the map); tile `t`'s
    /// point ξ goes to `transformed + (t − tiles.lowerBound) · C + ξ · pointStride`.
    private static func transformInput(_ x: FeatureMap, tiles: Range<Int>, into transformed: UnsafeMutablePointer<Float>,
                                       pointStride: Int) {
        let blocks = x.channels / block
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 2 * points) { scratch in
            let patch = scratch.baseAddress!, rows = patch + points
            for tile in tiles {
                let (n, outputTop, outputLeft) = tileOrigin(tile, in: x)
                // The 6×6 input patch starts one row and column before the tile's 4×4 outputs.
                let top = outputTop - 1, left = outputLeft - 1
                let interior = top >= 0 && left >= 0 && top + 6 <= x.height && left + 6 <= x.width
                for b in 0..<blocks {
                    let plane = x.pointer + (n * blocks + b) * x.spatial * block
                    loadPatch(plane, top: top, left: left, height: x.height, width: x.width, interior: interior, into: patch)
                    for j in 0..<6 {
                        store(WinogradTransforms.input(column(patch, j)), column: j, into: rows)
                    }
                    let out = transformed + (tile - tiles.lowerBound) * x.channels + b * block
                    for i in 0..<6 {
                        let v = WinogradTransforms.input(row(rows, i))
                        let base = out + 6 * i * pointStride
                        save(v.0, base)
                        save(v.1, base + pointStride)
                        save(v.2, base + 2 * pointStride)
                        save(v.3, base + 3 * pointStride)
                        save(v.4, base + 4 * pointStride)
                        save(v.5, base + 5 * pointStride)
                    }
                }
            }
        }
    }

    /// `y = Aᵀ m A` for `tiles` and every block of 8 output channels, writing only outputs inside the
    /// map; tile `t`'s point ξ is at `m + (t − tiles.lowerBound) · Cout + ξ · pointStride`.
    private static func transformOutput(_ m: UnsafePointer<Float>, pointStride: Int, tiles: Range<Int>, into y: FeatureMap) {
        let blocks = y.channels / block
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 24) { scratch in
            let rows = scratch.baseAddress!
            for tile in tiles {
                let (n, top, left) = tileOrigin(tile, in: y)
                for b in 0..<blocks {
                    let source = m + (tile - tiles.lowerBound) * y.channels + b * block
                    // Aᵀ over the six rows of each column, into 4 × 6.
                    for j in 0..<6 {
                        let c = source + j * pointStride
                        let o = WinogradTransforms.output((load(c), load(c + 6 * pointStride), load(c + 12 * pointStride),
                                                           load(c + 18 * pointStride), load(c + 24 * pointStride),
                                                           load(c + 30 * pointStride)))
                        rows[j] = o.0
                        rows[6 + j] = o.1
                        rows[12 + j] = o.2
                        rows[18 + j] = o.3
                    }
                    let plane = y.pointer + (n * blocks + b) * y.spatial * block
                    for i in 0..<4 where top + i < y.height {
                        let r = rows + 6 * i
                        let o = WinogradTransforms.output((r[0], r[1], r[2], r[3], r[4], r[5]))
                        let out = plane + ((top + i) * y.width + left) * block
                        let inside = y.width - left
                        save(o.0, out)
                        if inside > 1 { save(o.1, out + block) }
                        if inside > 2 { save(o.2, out + 2 * block) }
                        if inside > 3 { save(o.3, out + 3 * block) }
                    }
                }
            }
        }
    }

    /// `A dy Aᵀ` of every 4×4 tile of `dy` (zeros outside the map) into 36 × tiles × channels.
    private static func transformOutputGradient(_ dy: FeatureMap, into dm: UnsafeMutablePointer<Float>) {
        let tiles = tileCount(batch: dy.batch, height: dy.height, width: dy.width)
        let blocks = dy.channels / block
        let pointStride = tiles * dy.channels
        OpenMPTeam.forEachRange(tiles, cost: points * dy.channels) { range in
            withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 24) { scratch in
                let columns = scratch.baseAddress!
                for tile in range {
                    let (n, top, left) = tileOrigin(tile, in: dy)
                    for b in 0..<blocks {
                        let plane = dy.pointer + (n * blocks + b) * dy.spatial * block
                        // A over the four columns of each row, into 4 × 6.
                        for i in 0..<4 {
                            var values = (Lanes(), Lanes(), Lanes(), Lanes())
                            if top + i < dy.height {
                                let row = plane + ((top + i) * dy.width + left) * block
                                let inside = dy.width - left
                                values.0 = load(row)
                                if inside > 1 { values.1 = load(row + block) }
                                if inside > 2 { values.2 = load(row + 2 * block) }
                                if inside > 3 { values.3 = load(row + 3 * block) }
                            }
                            let e = WinogradTransforms.outputAdjoint(values)
                            let r = columns + 6 * i
                            r[0] = e.0; r[1] = e.1; r[2] = e.2; r[3] = e.3; r[4] = e.4; r[5] = e.5
                        }
                        let out = dm + tile * dy.channels + b * block
                        for j in 0..<6 {
                            let e = WinogradTransforms.outputAdjoint((columns[j], columns[6 + j], columns[12 + j], columns[18 + j]))
                            let base = out + j * pointStride
                            save(e.0, base)
                            save(e.1, base + 6 * pointStride)
                            save(e.2, base + 12 * pointStride)
                            save(e.3, base + 18 * pointStride)
                            save(e.4, base + 24 * pointStride)
                            save(e.5, base + 30 * pointStride)
                        }
                    }
                }
            }
        }
    }

    /// The 6×6 patch of one block plane from (`top`, `left`), zeros outside the map.
    @inline(__always)
    private static func loadPatch(_ plane: UnsafeMutablePointer<Float>, top: Int, left: Int, height: Int, width: Int,
                                  interior: Bool, into patch: UnsafeMutablePointer<Lanes>) {
        if interior {
            for i in 0..<6 {
                let row = plane + ((top + i) * width + left) * block
                for j in 0..<6 { patch[6 * i + j] = load(row + j * block) }
            }
            return
        }
        for i in 0..<6 {
            let y = top + i
            for j in 0..<6 {
                let x = left + j
                patch[6 * i + j] = y >= 0 && y < height && x >= 0 && x < width ? load(plane + (y * width + x) * block) : Lanes()
            }
        }
    }

    @inline(__always)
    private static func column(_ patch: UnsafeMutablePointer<Lanes>, _ j: Int) -> WinogradTransforms.Six {
        (patch[j], patch[6 + j], patch[12 + j], patch[18 + j], patch[24 + j], patch[30 + j])
    }

    @inline(__always)
    private static func row(_ patch: UnsafeMutablePointer<Lanes>, _ i: Int) -> WinogradTransforms.Six {
        let r = patch + 6 * i
        return (r[0], r[1], r[2], r[3], r[4], r[5])
    }

    @inline(__always)
    private static func store(_ v: WinogradTransforms.Six, column j: Int, into patch: UnsafeMutablePointer<Lanes>) {
        patch[j] = v.0
        patch[6 + j] = v.1
        patch[12 + j] = v.2
        patch[18 + j] = v.3
        patch[24 + j] = v.4
        patch[30 + j] = v.5
    }

    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
    }

    @inline(__always)
    private static func load(_ pointer: UnsafeMutablePointer<Float>) -> Lanes { load(UnsafePointer(pointer)) }

    @inline(__always)
    private static func save(_ value: Lanes, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Lanes.self)
    }
}

/// Scratch memory for ``WinogradConvolution``: three buffers (transformed kernels and two matrix
/// sets), grown to the largest request and shared by the convolutions of one network, which run
/// one at a time.
public final class WinogradWorkspace {
    private var buffers = [FloatBuffer(count: 0), FloatBuffer(count: 0), FloatBuffer(count: 0)]

    /// An empty workspace; its buffers grow on first use.
    public init() {}

    /// At least `count` floats of buffer `slot` (0–2), valid until the next request for that slot.
    func take(_ count: Int, slot: Int) -> UnsafeMutablePointer<Float> {
        if buffers[slot].count < count { buffers[slot] = FloatBuffer(count: count) }
        return buffers[slot].pointer
    }
}
