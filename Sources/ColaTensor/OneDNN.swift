import CDNNL

/// oneDNN, the convolution engine: version, instruction set and threads.
///
/// This is the only file that imports `CDNNL`; every oneDNN status is turned into ``OneDNNError``.
/// It builds against oneDNN 2.x and 3.x alike: what differs between them lives in `CDNNL/shim.h`.
public enum OneDNN {
    /// The library version, e.g. `2.6.0`.
    public static var version: String {
        guard let v = dnnl_version()?.pointee else { return "unknown" }
        return "\(v.major).\(v.minor).\(v.patch)"
    }

    /// The widest CPU instruction set oneDNN's JIT generates code for on this machine.
    public static var instructionSet: String { String(cString: cola_dnnl_cpu_isa_name()) }

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

// MARK: - Swift-typed primitives (the rest of ColaTensor uses only these)

/// A oneDNN memory layout: dimensions plus a format (plain, or whatever a primitive chose).
///
/// Plain layouts are named by ``OneDNNLayout/Format``; `.any` lets a primitive pick a blocked
/// layout, which is then read back with ``OneDNNPrimitive/layout(of:)``.
public struct OneDNNLayout: @unchecked Sendable {
    /// Plain formats Cola uses.
    public enum Format: Sendable {
        /// Let the primitive choose (weights of convolutions).
        case any
        /// Channels-last activations `[N, C, H, W]` stored as N, H, W, C.
        case nhwc
        /// Channels-first activations `[N, C, H, W]` (the same memory as `nhwc` for one channel).
        case nchw
        /// Activations in blocks of 8 channels: N, C/8, H, W, 8 (oneDNN's AVX2 layout).
        case nChw8c
        /// Activations in blocks of 16 channels: N, C/16, H, W, 16 (oneDNN's AVX-512 layout).
        case nChw16c
        /// Convolution weights `[O, I, kh, kw]` (PyTorch layout).
        case oihw
        /// Grouped convolution weights `[G, O/G, I/G, kh, kw]`.
        case goihw
        /// Convolution weights in blocks of 8 output channels: O/8, kh, kw, I, 8 (first layers into `nChw8c`).
        case Ohwi8o
        /// Convolution weights in blocks of 16 output channels: O/16, kh, kw, I, 16 (first layers into `nChw16c`).
        case Ohwi16o
        /// A vector.
        case x
        /// A row-major matrix `[rows, cols]`.
        case nc

        var tag: dnnl_format_tag_t {
            switch self {
            case .any: return dnnl_format_tag_any
            case .nhwc: return dnnl_nhwc
            case .nchw: return dnnl_nchw
            case .nChw8c: return dnnl_nChw8c
            case .nChw16c: return dnnl_nChw16c
            case .oihw: return dnnl_oihw
            case .goihw: return dnnl_goihw
            case .Ohwi8o: return dnnl_Ohwi8o
            case .Ohwi16o: return dnnl_Ohwi16o
            case .x: return dnnl_x
            case .nc: return dnnl_nc
            }
        }
    }

    /// The memory descriptor, owned: layouts are values, and copies share one immutable descriptor.
    private let owner: Descriptor

    var descriptor: cola_dnnl_layout_t { owner.handle }

    /// A float32 layout of `dims` (logical order: N, C, H, W for activations) in `format`.
    public init(_ dims: [Int], _ format: Format) throws {
        var handle: cola_dnnl_layout_t?
        let status = cola_dnnl_layout_create(&handle, Int32(dims.count), OneDNN.dims(dims), format.tag)
        guard status == dnnl_success, let handle else {
            cola_dnnl_layout_destroy(handle)
            throw OneDNNError(operation: "memory_desc_init \(dims) \(format)", status: Int(status.rawValue))
        }
        owner = Descriptor(handle)
    }

    /// Takes ownership of a descriptor made by the shim.
    init(owning handle: cola_dnnl_layout_t) { owner = Descriptor(handle) }

    /// Bytes a buffer of this layout occupies (blocked layouts may pad).
    public var byteCount: Int { cola_dnnl_layout_size(descriptor) }

    /// Float elements a buffer of this layout occupies.
    public var floatCount: Int { byteCount / MemoryLayout<Float>.stride }

    /// Whether two layouts are the same in memory.
    public func sameLayout(as other: OneDNNLayout) -> Bool {
        cola_dnnl_layout_equal(descriptor, other.descriptor) != 0
    }

    /// Frees the memory descriptor with the last layout that uses it.
    private final class Descriptor {
        let handle: cola_dnnl_layout_t
        init(_ handle: cola_dnnl_layout_t) { self.handle = handle }
        deinit { cola_dnnl_layout_destroy(handle) }
    }
}

/// Argument slots of a primitive execution (the `DNNL_ARG_*` numbers).
public enum OneDNNArgument: Int32, Sendable, CaseIterable {
    case source = 1
    case destination = 17
    case weights = 33
    case bias = 41
    case mean = 49
    case variance = 50
    case scale = 51
    case shift = 52
    case workspace = 64
    case sourceGradient = 129
    case destinationGradient = 145
    case weightsGradient = 161
    case biasGradient = 169
    case scaleGradient = 255
    case shiftGradient = 256

    var query: dnnl_query_t {
        switch self {
        case .source: return dnnl_query_src_md
        case .destination: return dnnl_query_dst_md
        case .weights, .bias: return dnnl_query_weights_md
        case .workspace: return dnnl_query_workspace_md
        case .sourceGradient: return dnnl_query_diff_src_md
        case .destinationGradient: return dnnl_query_diff_dst_md
        case .weightsGradient, .biasGradient: return dnnl_query_diff_weights_md
        default: return dnnl_query_exec_arg_md
        }
    }
}

/// Propagation kinds of forward primitives.
public enum OneDNNPropagation: Sendable {
    case training
    case inference

    var raw: dnnl_prop_kind_t { self == .training ? dnnl_forward_training : dnnl_forward_inference }
}

/// Elementwise functions Cola uses.
public enum OneDNNEltwise: Sendable {
    case relu, swish, sigmoid, tanh

    var raw: dnnl_alg_kind_t {
        switch self {
        case .relu: return dnnl_eltwise_relu
        case .swish: return dnnl_eltwise_swish
        case .sigmoid: return dnnl_eltwise_logistic
        case .tanh: return dnnl_eltwise_tanh
        }
    }
    var alpha: Float { self == .swish ? 1 : 0 }
}

/// Batch-normalization options (oneDNN's `dnnl_normalization_flags_t` bits, whose values differ by version).
public struct OneDNNBatchNormFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Normalize with given (running) statistics instead of batch statistics.
    public static let globalStatistics = OneDNNBatchNormFlags(rawValue: dnnl_use_global_stats.rawValue)
    /// ReLU fused after normalization (training keeps a workspace mask).
    public static let fusedReLU = OneDNNBatchNormFlags(rawValue: dnnl_fuse_norm_relu.rawValue)
    /// Learned per-channel scale γ.
    public static let scale = OneDNNBatchNormFlags(rawValue: dnnl_use_scale.rawValue)
    /// Learned per-channel shift β.
    public static let shift = OneDNNBatchNormFlags(rawValue: dnnl_use_shift.rawValue)
}

/// One oneDNN primitive (descriptor + compiled kernel), created once per shape and reused.
///
/// Owns its C handles and frees them in `deinit`. Memory objects per argument are created on first
/// use and re-pointed with `dnnl_memory_set_data_handle` on every execution (no allocation).
public final class OneDNNPrimitive {
    fileprivate let descriptor: dnnl_primitive_desc_t
    private let primitive: dnnl_primitive_t
    private var memories: [Int32: dnnl_memory_t] = [:]
    /// Arguments callers pass that this oneDNN version's primitive does not take (left out of executions).
    private let unread: Set<OneDNNArgument>
    /// What was created (for error messages and benchmarks).
    public let label: String

    /// Creates the primitive descriptor with `create` (a `cola_dnnl_*_pd_create` call on the engine),
    /// then compiles it.
    fileprivate init(
        label: String, unread: Set<OneDNNArgument> = [],
        _ create: (UnsafeMutablePointer<dnnl_primitive_desc_t?>, dnnl_engine_t) -> dnnl_status_t
    ) throws {
        var pd: dnnl_primitive_desc_t?
        try check(create(&pd, OneDNNRuntime.shared.engine), "create \(label)")
        var p: dnnl_primitive_t?
        do {
            try check(dnnl_primitive_create(&p, pd), "compile \(label)")
        } catch {
            dnnl_primitive_desc_destroy(pd)
            throw error
        }
        descriptor = pd!
        primitive = p!
        self.label = label
        self.unread = unread
    }

    deinit {
        for memory in memories.values { dnnl_memory_destroy(memory) }
        dnnl_primitive_destroy(primitive)
        dnnl_primitive_desc_destroy(descriptor)
    }

    /// The layout the primitive expects for an argument.
    public func layout(of argument: OneDNNArgument) -> OneDNNLayout {
        let index: Int32
        if argument.query == dnnl_query_exec_arg_md {
            index = argument.rawValue
        } else {
            index = (argument == .bias || argument == .biasGradient) ? 1 : 0
        }
        guard let handle = cola_dnnl_layout_query(descriptor, argument.query, index) else {
            preconditionFailure("oneDNN: out of memory copying the \(argument) layout of \(label)")
        }
        return OneDNNLayout(owning: handle)
    }

    /// The implementation oneDNN picked (e.g. `jit:avx512_core`, `ref:any`).
    public var implementation: String {
        var name: UnsafePointer<CChar>?
        guard dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &name) == dnnl_success,
              let name else { return "unknown" }
        return String(cString: name)
    }

    /// Whether oneDNN fell back to its reference loops (`ref:…`, `bnorm_ref:…`), tens to hundreds of
    /// times slower than its JIT kernels: the sign of a layout or algorithm this CPU has no kernel for.
    public var isReference: Bool { implementation.hasPrefix("ref") || implementation.contains("_ref") }

    /// Runs the primitive on the given buffers and waits for it.
    public func execute(_ arguments: KeyValuePairs<OneDNNArgument, UnsafeMutableRawPointer>) throws {
        try execute(arguments: arguments.map { ($0.key, $0.value) })
    }

    /// Runs the primitive on the given (argument, buffer) pairs and waits for it.
    public func execute(arguments: [(OneDNNArgument, UnsafeMutableRawPointer)]) throws {
        var args: [dnnl_exec_arg_t] = []
        args.reserveCapacity(arguments.count)
        for (argument, pointer) in arguments where !unread.contains(argument) {
            let memory = try memory(for: argument)
            try check(cola_dnnl_memory_set_handle(memory, pointer, OneDNNRuntime.shared.stream), "set handle \(label)")
            args.append(dnnl_exec_arg_t(arg: argument.rawValue, memory: memory))
        }
        try check(dnnl_primitive_execute(primitive, OneDNNRuntime.shared.stream, Int32(args.count), args), "execute \(label)")
        try check(dnnl_stream_wait(OneDNNRuntime.shared.stream), "wait \(label)")
    }

    private func memory(for argument: OneDNNArgument) throws -> dnnl_memory_t {
        if let memory = memories[argument.rawValue] { return memory }
        let layout = layout(of: argument)
        var memory: dnnl_memory_t?
        let status = withExtendedLifetime(layout) {
            cola_dnnl_memory_create(&memory, layout.descriptor, OneDNNRuntime.shared.engine)
        }
        try check(status, "memory \(label) \(argument)")
        memories[argument.rawValue] = memory!
        return memory!
    }
}

/// How a convolution computes: directly, or by Winograd's minimal filtering.
public enum OneDNNConvolutionAlgorithm: String, Sendable, Codable {
    /// Direct convolution (any shape and layout).
    case direct
    /// Winograd F(4×4, 3×3): 3×3, stride 1, channels in multiples of 16, `nChw16c` maps (oneDNN 2.6:
    /// AVX-512 only, see ``ConvolutionCapabilities``); about
    /// 4× fewer multiplications, with rounding error of the order of float epsilon times the taps.
    case winograd

    var raw: dnnl_alg_kind_t { self == .direct ? dnnl_convolution_direct : dnnl_convolution_winograd }
}

extension OneDNN {
    /// 2-D convolution forward (`groups` > 1 for depthwise: weights `[G, O/G, I/G, kh, kw]`).
    public static func convolutionForward(
        _ propagation: OneDNNPropagation, source: OneDNNLayout, weights: OneDNNLayout, bias: OneDNNLayout?,
        destination: OneDNNLayout, strides: [Int], paddingLeft: [Int], paddingRight: [Int],
        algorithm: OneDNNConvolutionAlgorithm = .direct
    ) throws -> OneDNNPrimitive {
        let st = dims(strides), pl = dims(paddingLeft), pr = dims(paddingRight)
        return try OneDNNPrimitive(label: "conv fwd") { pd, engine in
            cola_dnnl_conv_fwd_pd_create(pd, engine, propagation.raw, algorithm.raw, source.descriptor, weights.descriptor,
                                         bias?.descriptor, destination.descriptor, st, pl, pr)
        }
    }

    /// Convolution gradient with respect to its input.
    public static func convolutionBackwardData(
        sourceGradient: OneDNNLayout, weights: OneDNNLayout, destinationGradient: OneDNNLayout,
        strides: [Int], paddingLeft: [Int], paddingRight: [Int], hint: OneDNNPrimitive,
        algorithm: OneDNNConvolutionAlgorithm = .direct
    ) throws -> OneDNNPrimitive {
        let st = dims(strides), pl = dims(paddingLeft), pr = dims(paddingRight)
        return try OneDNNPrimitive(label: "conv bwd data") { pd, engine in
            cola_dnnl_conv_bwd_data_pd_create(pd, engine, algorithm.raw, sourceGradient.descriptor, weights.descriptor,
                                              destinationGradient.descriptor, st, pl, pr, hint.descriptor)
        }
    }

    /// Convolution gradient with respect to its weights (and bias).
    public static func convolutionBackwardWeights(
        source: OneDNNLayout, weightsGradient: OneDNNLayout, biasGradient: OneDNNLayout?, destinationGradient: OneDNNLayout,
        strides: [Int], paddingLeft: [Int], paddingRight: [Int], hint: OneDNNPrimitive,
        algorithm: OneDNNConvolutionAlgorithm = .direct
    ) throws -> OneDNNPrimitive {
        let st = dims(strides), pl = dims(paddingLeft), pr = dims(paddingRight)
        return try OneDNNPrimitive(label: "conv bwd weights") { pd, engine in
            cola_dnnl_conv_bwd_weights_pd_create(pd, engine, algorithm.raw, source.descriptor, weightsGradient.descriptor,
                                                 biasGradient?.descriptor, destinationGradient.descriptor, st, pl, pr,
                                                 hint.descriptor)
        }
    }

    /// Batch normalization forward.
    public static func batchNormForward(
        _ propagation: OneDNNPropagation, data: OneDNNLayout, epsilon: Float, flags: OneDNNBatchNormFlags
    ) throws -> OneDNNPrimitive {
        try OneDNNPrimitive(label: "bn fwd") { pd, engine in
            cola_dnnl_bnorm_fwd_pd_create(pd, engine, propagation.raw, data.descriptor, epsilon, flags.rawValue)
        }
    }

    /// Batch normalization backward (data, scale and shift gradients).
    public static func batchNormBackward(
        data: OneDNNLayout, epsilon: Float, flags: OneDNNBatchNormFlags, hint: OneDNNPrimitive
    ) throws -> OneDNNPrimitive {
        try OneDNNPrimitive(label: "bn bwd", unread: cola_dnnl_bnorm_bwd_reads_shift() != 0 ? [] : [.shift]) { pd, engine in
            cola_dnnl_bnorm_bwd_pd_create(pd, engine, data.descriptor, epsilon, flags.rawValue, hint.descriptor)
        }
    }

    /// Elementwise forward.
    public static func eltwiseForward(_ propagation: OneDNNPropagation, _ function: OneDNNEltwise, data: OneDNNLayout) throws -> OneDNNPrimitive {
        try OneDNNPrimitive(label: "eltwise fwd \(function)") { pd, engine in
            cola_dnnl_eltwise_fwd_pd_create(pd, engine, propagation.raw, function.raw, data.descriptor, function.alpha, 0)
        }
    }

    /// Elementwise backward (from the forward input).
    public static func eltwiseBackward(_ function: OneDNNEltwise, data: OneDNNLayout, hint: OneDNNPrimitive) throws -> OneDNNPrimitive {
        try OneDNNPrimitive(label: "eltwise bwd \(function)") { pd, engine in
            cola_dnnl_eltwise_bwd_pd_create(pd, engine, function.raw, data.descriptor, function.alpha, 0, hint.descriptor)
        }
    }

    /// Max pooling forward (training keeps a workspace of argmax positions).
    public static func maxPoolForward(
        _ propagation: OneDNNPropagation, source: OneDNNLayout, destination: OneDNNLayout,
        kernel: [Int], strides: [Int], paddingLeft: [Int], paddingRight: [Int]
    ) throws -> OneDNNPrimitive {
        let k = dims(kernel), st = dims(strides), pl = dims(paddingLeft), pr = dims(paddingRight)
        return try OneDNNPrimitive(label: "pool fwd") { pd, engine in
            cola_dnnl_pool_fwd_pd_create(pd, engine, propagation.raw, dnnl_pooling_max, source.descriptor,
                                         destination.descriptor, st, k, pl, pr)
        }
    }

    /// Max pooling backward.
    public static func maxPoolBackward(
        sourceGradient: OneDNNLayout, destinationGradient: OneDNNLayout,
        kernel: [Int], strides: [Int], paddingLeft: [Int], paddingRight: [Int], hint: OneDNNPrimitive
    ) throws -> OneDNNPrimitive {
        let k = dims(kernel), st = dims(strides), pl = dims(paddingLeft), pr = dims(paddingRight)
        return try OneDNNPrimitive(label: "pool bwd") { pd, engine in
            cola_dnnl_pool_bwd_pd_create(pd, engine, dnnl_pooling_max, sourceGradient.descriptor,
                                         destinationGradient.descriptor, st, k, pl, pr, hint.descriptor)
        }
    }

    /// A copy between two layouts of the same tensor.
    public static func reorder(from source: OneDNNLayout, to destination: OneDNNLayout) throws -> OneDNNPrimitive {
        try OneDNNPrimitive(label: "reorder") { pd, engine in
            cola_dnnl_reorder_pd_create(pd, engine, source.descriptor, destination.descriptor)
        }
    }

    /// Row-major `C = alpha * op(A) * op(B) + beta * C` on oneDNN's AVX-512 JIT GEMM.
    public static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) throws {
        guard m > 0, n > 0 else { return }
        try check(dnnl_sgemm(transposeA ? 84 : 78, transposeB ? 84 : 78, dnnl_dim_t(m), dnnl_dim_t(n), dnnl_dim_t(k), alpha,
                             a, dnnl_dim_t(lda), b, dnnl_dim_t(ldb), beta, c, dnnl_dim_t(ldc)), "sgemm \(m)x\(n)x\(k)")
    }

    fileprivate static func dims(_ values: [Int]) -> [dnnl_dim_t] {
        var raw = [dnnl_dim_t](repeating: 0, count: 12)
        for (i, v) in values.enumerated() { raw[i] = dnnl_dim_t(v) }
        return raw
    }
}

/// The CPU engine and stream every primitive runs on (one per process, never freed).
private final class OneDNNRuntime: @unchecked Sendable {
    static let shared = OneDNNRuntime()
    let engine: dnnl_engine_t
    let stream: dnnl_stream_t

    private init() {
        var e: dnnl_engine_t?
        var s: dnnl_stream_t?
        precondition(dnnl_engine_create(&e, dnnl_cpu, 0) == dnnl_success, "oneDNN: no CPU engine")
        precondition(dnnl_stream_create(&s, e, UInt32(bitPattern: Int32(dnnl_stream_default_flags.rawValue))) == dnnl_success, "oneDNN: no stream")
        engine = e!
        stream = s!
    }
}

private func check(_ status: dnnl_status_t, _ operation: String) throws {
    guard status == dnnl_success else { throw OneDNNError(operation: operation, status: Int(status.rawValue)) }
}
