import ColaTensor

/// Which oneDNN implementation one of the encoder's computations runs (see
/// ``ContrastiveModel/kernelImplementations``).
public struct KernelImplementation: Sendable, Equatable, CustomStringConvertible {
    /// The encoder stage (stem, blocks, top) the computation belongs to.
    public let stage: Int
    /// What it computes, e.g. `conv bwd weights`.
    public let operation: String
    /// oneDNN's name for its implementation, e.g. `jit:avx2`, `jit_wino_4x3:avx512_core`, `ref:any`.
    public let implementation: String
    /// Whether that is one of oneDNN's reference implementations (tens to hundreds of times slower).
    public let isReference: Bool

    public var description: String { "stage \(stage) \(operation): \(implementation)" }
}

/// Computations that run oneDNN's reference loops where a benchmark or test requires its fast kernels.
public struct ReferenceKernelError: Error, CustomStringConvertible {
    /// The computations that run reference loops.
    public let kernels: [KernelImplementation]

    public var description: String {
        "\(kernels.count) computation(s) run oneDNN's reference loops on this CPU (oneDNN \(OneDNN.version), ISA "
            + "\(OneDNN.instructionSet)): " + kernels.map(\.description).joined(separator: "; ")
    }
}

extension ContrastiveModel {
    /// Throws ``ReferenceKernelError`` when any computation created so far runs oneDNN's reference loops.
    public func requireFastKernels() throws {
        let slow = kernelImplementations.filter(\.isReference)
        guard slow.isEmpty else { throw ReferenceKernelError(kernels: slow) }
    }
}
