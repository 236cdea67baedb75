import CBLAS

/// Single-precision matrix products and thread control on OpenBLAS.
///
/// This is the only file that imports `CBLAS`. Matrices are row-major, as everywhere in Cola.
/// The environment's `OPENBLAS_CORETYPE` is respected: Cola never sets it.
public enum BLAS {
    /// Whether an operand is used as stored or transposed.
    public enum Transpose: Sendable {
        case none
        case transposed

        var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
    }

    /// `C = alpha * op(A) * op(B) + beta * C` for row-major `op(A)` of shape m×k and `op(B)` of k×n.
    ///
    /// - Parameters:
    ///   - lda: Row stride of `A` as stored (columns of the stored matrix when packed).
    ///   - ldb: Row stride of `B` as stored.
    ///   - ldc: Row stride of `C`.
    public static func sgemm(
        _ transA: Transpose, _ transB: Transpose,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative dimension")
        guard m > 0, n > 0 else { return }
        cblas_sgemm(
            CblasRowMajor, transA.cblas, transB.cblas,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc))
    }

    /// Packed row-major product on Swift arrays: `C (m×n) = alpha * op(A) * op(B) + beta * C`.
    public static func sgemm(
        _ transA: Transpose = .none, _ transB: Transpose = .none,
        m: Int, n: Int, k: Int,
        alpha: Float = 1, a: [Float], b: [Float], beta: Float = 0, c: inout [Float]
    ) {
        precondition(a.count >= m * k && b.count >= k * n && c.count >= m * n, "sgemm: buffer too small")
        let lda = transA == .none ? k : m
        let ldb = transB == .none ? n : k
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    sgemm(transA, transB, m: m, n: n, k: k, alpha: alpha,
                          a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                          beta: beta, c: pc.baseAddress!, ldc: n)
                }
            }
        }
    }

    /// The number of threads OpenBLAS uses for one call.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Sets the number of threads OpenBLAS uses; each rank sets its own.
    public static func setThreadCount(_ count: Int) {
        precondition(count >= 1, "BLAS thread count must be at least 1")
        openblas_set_num_threads(Int32(count))
    }

    /// The kernel family OpenBLAS selected (e.g. `Haswell`, `SkylakeX`).
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS's build configuration string.
    public static var configuration: String { String(cString: openblas_get_config()) }
}
