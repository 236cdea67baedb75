import CFFTW
import Synchronization

/// A real-input FFT of fixed length whose spectrum comes out split into real and imaginary
/// arrays (FFTW3 single precision, guru split interface), so magnitudes vectorize.
///
/// All arrays are allocated once with `fftwf_malloc` (SIMD-aligned) and reused for every
/// transform. This is the only file that imports `CFFTW`.
final class RealFFT {
    /// Transform length (input samples).
    let length: Int
    /// Output bins: `length / 2 + 1`.
    let binCount: Int
    /// Input buffer of `length` samples, preserved by the transform (a zero tail written once stays).
    let input: UnsafeMutablePointer<Float>
    /// Real parts of bins `0 ..< binCount`.
    let real: UnsafeMutablePointer<Float>
    /// Imaginary parts of bins `0 ..< binCount`.
    let imaginary: UnsafeMutablePointer<Float>

    private let plan: fftwf_plan

    /// FFTW's planner is not thread-safe; executing a finished plan is.
    private static let plannerLock = Mutex(())

    /// Plans a transform of `length` samples. FFTW_ESTIMATE picks the algorithm by rule, not by
    /// timing, so every plan (every thread, every rank) rounds identically.
    init(length: Int) {
        precondition(length > 1 && length % 2 == 0, "RealFFT: length must be even")
        self.length = length
        self.binCount = length / 2 + 1
        input = RealFFT.allocate(length)
        real = RealFFT.allocate(binCount)
        imaginary = RealFFT.allocate(binCount)
        var dimension = fftwf_iodim(n: Int32(length), is: 1, os: 1)
        let (input, real, imaginary) = (self.input, self.real, self.imaginary)
        nonisolated(unsafe) var made: fftwf_plan?
        RealFFT.plannerLock.withLock { _ in
            made = fftwf_plan_guru_split_dft_r2c(
                1, &dimension, 0, nil, input, real, imaginary, UInt32(FFTW_ESTIMATE) | UInt32(FFTW_PRESERVE_INPUT))
        }
        guard let made else { fatalError("RealFFT: FFTW could not plan a transform of length \(length)") }
        plan = made
        input.initialize(repeating: 0, count: length)
    }

    deinit {
        nonisolated(unsafe) let plan = self.plan
        RealFFT.plannerLock.withLock { _ in fftwf_destroy_plan(plan) }
        fftwf_free(input)
        fftwf_free(real)
        fftwf_free(imaginary)
    }

    /// Transforms ``input`` into ``real`` and ``imaginary``.
    func execute() {
        fftwf_execute_split_dft_r2c(plan, input, real, imaginary)
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
