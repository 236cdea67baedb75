import CFFTW
import Synchronization

/// A real-input FFT of fixed length (FFTW3 single precision, out of place, input preserved),
/// spectrum interleaved as (real, imaginary) pairs.
///
/// Plans are made with FFTW_ESTIMATE after importing ``RealFFT/wisdom`` once per process, so
/// every plan on every thread and every rank of a machine picks the same algorithm (bit-identical
/// results, unlike FFTW_MEASURE which chooses by timing) while still getting the measured fast
/// algorithm where the wisdom applies. All arrays come from `fftwf_malloc` (SIMD-aligned, the
/// alignment the wisdom was made for) and are reused for every transform.
///
/// This is the only file that imports `CFFTW`.
final class RealFFT {
    /// Transform length (input samples).
    let length: Int
    /// Output bins: `length / 2 + 1`.
    let binCount: Int
    /// Input buffer of `length` samples; the transform leaves it unchanged, so a zero tail
    /// written once stays zero.
    let input: UnsafeMutablePointer<Float>
    /// Output: `binCount` (real, imaginary) pairs, `2 · binCount` floats.
    let spectrum: UnsafeMutablePointer<Float>

    private let plan: fftwf_plan

    /// FFTW's planner is not thread-safe (executing a finished plan is).
    private static let planner = Mutex(false)

    /// FFTW 3.3.10 wisdom for the 1024-point real transform, measured with FFTW_PATIENT on this
    /// project's machine (AVX-512 Xeon; Debian's FFTW has AVX codelets). FFTW ignores wisdom that
    /// does not apply to the running CPU and then plans by its estimate.
    static let wisdom = """
(fftw-3.3.10 fftwf_wisdom #x9e7d4dee #xdb14fed1 #x34bf76a4 #xeb6e8fdf
  (fftwf_codelet_r2cf_16 2 #x11048 #x11048 #x0 #x47d0a12e #xc910d204 #x3dc4a7f4 #x4c581c0f)
  (fftwf_codelet_r2cfII_16 2 #x11048 #x11048 #x0 #xe7fc0162 #x17132a32 #x3dd3993f #xb8e0890f)
  (fftwf_codelet_n2fv_64_avx 0 #x11048 #x11048 #x0 #x60f7dd6b #xe5962c71 #x960dc0f4 #x2fbec2ab)
  (fftwf_codelet_hc2cfdftv_16_sse2 0 #x11048 #x11048 #x0 #x3f67885c #x1d118905 #x1b4c027b #x7ecffc87)
)
"""

    /// Plans a transform of `length` samples.
    init(length: Int) {
        precondition(length > 1 && length % 2 == 0, "RealFFT: length must be even")
        self.length = length
        binCount = length / 2 + 1
        input = RealFFT.allocate(length)
        spectrum = RealFFT.allocate(2 * binCount)
        let (input, spectrum) = (self.input, self.spectrum)
        nonisolated(unsafe) var made: fftwf_plan?
        RealFFT.planner.withLock { wisdomImported in
            if !wisdomImported {
                _ = fftwf_import_wisdom_from_string(RealFFT.wisdom)
                wisdomImported = true
            }
            made = spectrum.withMemoryRebound(to: fftwf_complex.self, capacity: length / 2 + 1) { output in
                fftwf_plan_dft_r2c_1d(Int32(length), input, output, UInt32(FFTW_ESTIMATE) | UInt32(FFTW_PRESERVE_INPUT))
            }
        }
        guard let made else { fatalError("RealFFT: FFTW could not plan a transform of length \(length)") }
        plan = made
    }

    deinit {
        nonisolated(unsafe) let plan = self.plan
        RealFFT.planner.withLock { _ in fftwf_destroy_plan(plan) }
        fftwf_free(input)
        fftwf_free(spectrum)
    }

    /// Transforms ``input`` into ``spectrum``.
    func execute() {
        fftwf_execute(plan)
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        guard let raw = fftwf_malloc(count * MemoryLayout<Float>.stride) else {
            fatalError("RealFFT: fftwf_malloc of \(count) floats failed")
        }
        let pointer = raw.bindMemory(to: Float.self, capacity: count)
        pointer.initialize(repeating: 0, count: count)
        return pointer
    }
}
