/// Row-major single-precision matrix products, on whichever GEMM measured faster here.
///
/// oneDNN's `dnnl_sgemm` JITs AVX-512, while OpenBLAS on this machine runs its Prescott (SSE3)
/// kernels; `cola bench train` prints both (see docs/model.md), and oneDNN is the default.
public enum Matrix {
    /// The GEMM implementation used.
    public enum Backend: Sendable { case oneDNN, openBLAS }

    /// `C (m×n) = alpha * op(A) * op(B) + beta * C`, all row-major with the given leading dimensions.
    public static func multiply(
        _ backend: Backend = .oneDNN,
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        switch backend {
        case .oneDNN:
            do {
                try OneDNN.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                 a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            } catch {
                preconditionFailure("\(error)")
            }
        case .openBLAS:
            BLAS.sgemm(transposeA ? .transposed : .none, transposeB ? .transposed : .none, m: m, n: n, k: k, alpha: alpha,
                       a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }
}
