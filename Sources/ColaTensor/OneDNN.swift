import CDNNL

/// oneDNN, the convolution engine: version, instruction set and threads.
///
/// This is the only file that imports `CDNNL`; every oneDNN status is turned into ``OneDNNError``.
public enum OneDNN {
    /// The library version, e.g. `2.6.0`.
    public static var version: String {
        guard let v = dnnl_version()?.pointee else { return "unknown" }
        return "\(v.major).\(v.minor).\(v.patch)"
    }

    /// The widest CPU instruction set oneDNN's JIT generates code for on this machine.
    public static var instructionSet: String {
        switch dnnl_get_effective_cpu_isa() {
        case dnnl_cpu_isa_sse41: return "SSE4.1"
        case dnnl_cpu_isa_avx: return "AVX"
        case dnnl_cpu_isa_avx2: return "AVX2"
        case dnnl_cpu_isa_avx512_mic: return "AVX-512 (MIC)"
        case dnnl_cpu_isa_avx512_mic_4ops: return "AVX-512 (MIC 4ops)"
        case dnnl_cpu_isa_avx512_core: return "AVX-512 core"
        case dnnl_cpu_isa_avx512_core_vnni: return "AVX-512 core VNNI"
        case dnnl_cpu_isa_avx512_core_bf16: return "AVX-512 core BF16"
        case dnnl_cpu_isa_avx512_core_amx: return "AVX-512 core AMX"
        case dnnl_cpu_isa_avx2_vnni: return "AVX2 VNNI"
        default: return "baseline"
        }
    }

    /// The number of OpenMP threads oneDNN primitives run on.
    public static var threadCount: Int { Int(omp_get_max_threads()) }

    /// Sets the OpenMP thread count for this process (each rank sets its own).
    public static func setThreadCount(_ count: Int) {
        precondition(count >= 1, "oneDNN thread count must be at least 1")
        omp_set_num_threads(Int32(count))
    }
}

/// A oneDNN call that did not return `dnnl_success`.
public struct OneDNNError: Error, CustomStringConvertible {
    /// What Cola was doing.
    public let operation: String
    /// The raw `dnnl_status_t` value.
    public let status: Int

    public var description: String { "oneDNN \(operation) failed with status \(status)" }
}
