import ColaTensor

/// 2-D convolution without bias on oneDNN: 3×3/5×5/1×1, stride 1 or 2, dense or depthwise (grouped).
///
/// Padding: stride 1 is 'same' (k/2 each side); stride 2 pads like Keras `correct_pad` for even
/// input sizes, k/2 − 1 before and k/2 after, followed by a 'valid' convolution. Weights live in
/// the flat buffer in PyTorch layout `[out, in/groups, kh, kw]`; oneDNN's preferred (blocked)
/// weight layout is filled by a reorder before every forward, and the weight gradient comes back
/// through the inverse reorder.
///
/// The output is stored as `storage` says; the input is taken as it comes. Winograd convolutions
/// (``OneDNNConvolutionAlgorithm/winograd``) need blocks of 16 channels on both sides.
/// ``primitives`` lists what oneDNN created, to check that none runs its reference loops.
final class Conv2D: ConvolutionLayer {
    let weight: ParameterEntry
    let inputChannels: Int
    let outputChannels: Int
    let kernel: Int
    let stride: Int
    let groups: Int
    let storage: FeatureStorage
    let algorithm: OneDNNConvolutionAlgorithm

    private var plans: [PlanKey: Plan] = [:]
    private var input: FeatureMap?
    private var output: FeatureMap?

    init(_ name: String, inputChannels: Int, outputChannels: Int, kernel: Int, stride: Int = 1, depthwise: Bool = false,
         storage: FeatureStorage = .channelsLast, algorithm: OneDNNConvolutionAlgorithm = .direct, table: inout ParameterTable) {
        precondition(algorithm == .direct || (storage == .blocks16 && kernel == 3 && stride == 1 && !depthwise),
                     "\(name): Winograd needs a 3×3, stride-1, dense convolution into blocks of 16 channels")
        self.storage = storage
        self.algorithm = algorithm
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernel = kernel
        self.stride = stride
        groups = depthwise ? inputChannels : 1
        weight = table.register(name, shape: [outputChannels, inputChannels / groups, kernel, kernel])
    }

    /// Depthwise kernels other than 3×3 get their weight gradient from ``DepthwiseKernels`` (see there).
    var usesOwnWeightGradient: Bool { groups > 1 && kernel != 3 }

    /// The input of the last forward (for FLOP counts of the backward).
    var lastInput: FeatureMap? { input }

    var paddingBefore: Int { stride == 1 ? kernel / 2 : kernel / 2 - 1 }
    var paddingAfter: Int { kernel / 2 }

    /// Output spatial size for an input size.
    func outputSize(_ size: Int) -> Int { (size + paddingBefore + paddingAfter - kernel) / stride + 1 }

    /// Multiply-adds of one forward pass over `x` (for GFLOP/s reports).
    func forwardMultiplyAdds(batch: Int, height: Int, width: Int) -> Int {
        batch * outputSize(height) * outputSize(width) * outputChannels * (inputChannels / groups) * kernel * kernel
    }

    func forward(_ x: FeatureMap, _ run: RunContext) throws -> FeatureMap {
        precondition(x.channels == inputChannels, "\(weight.name): input has \(x.channels) channels, expected \(inputChannels)")
        precondition(!usesOwnWeightGradient || x.storage == .channelsLast, "\(weight.name): depthwise kernels need channels-last maps")
        let y = run.featureMap(batch: x.batch, channels: outputChannels, height: outputSize(x.height), width: outputSize(x.width),
                               storage: storage)
        let plan = try self.plan(x, y, run.propagation)
        let w = run.parameters + weight.offset
        let fwdWeights = try plan.forwardWeights(from: w)
        try plan.forward.execute([.source: UnsafeMutableRawPointer(x.pointer), .weights: fwdWeights,
                                  .destination: UnsafeMutableRawPointer(y.pointer)])
        input = x
        output = y
        return y
    }

    func backward(_ dy: FeatureMap, _ run: RunContext, inputGradient: Bool) throws -> FeatureMap? {
        guard let x = input, let y = output else { preconditionFailure("\(weight.name): backward before forward") }
        let plan = try self.plan(x, y, .training)
        if usesOwnWeightGradient {
            DepthwiseKernels.accumulateWeightGradient(x: x, dy: dy, kernel: kernel, stride: stride, paddingBefore: paddingBefore,
                                                      into: run.gradients + weight.offset)
        } else {
            let backwardWeights = try plan.makeBackwardWeights()
            let diffWeights = plan.weightsGradientBuffer
            var gradient = UnsafeMutableRawPointer(dy.pointer)
            if let toChannelsLast = plan.gradientToChannelsLast {
                let channelsLast = run.gradient(dy.count)
                try toChannelsLast.execute([.source: gradient, .destination: UnsafeMutableRawPointer(channelsLast)])
                gradient = UnsafeMutableRawPointer(channelsLast)
            }
            try backwardWeights.execute([.source: UnsafeMutableRawPointer(x.pointer), .destinationGradient: gradient,
                                         .weightsGradient: UnsafeMutableRawPointer(diffWeights.pointer)])
            if let reorder = plan.weightsGradientToUser {
                try reorder.execute([.source: UnsafeMutableRawPointer(diffWeights.pointer),
                                     .destination: UnsafeMutableRawPointer(plan.userScratch.pointer)])
                run.accumulateGradient(weight, plan.userScratch.pointer)
            } else {
                run.accumulateGradient(weight, diffWeights.pointer)
            }
        }
        guard inputGradient else { return nil }
        let dx = run.gradientMap(like: x)
        let w = run.parameters + weight.offset
        let backwardData = try plan.makeBackwardData()
        let bwdWeights = try plan.backwardDataWeights(from: w)
        try backwardData.execute([.destinationGradient: UnsafeMutableRawPointer(dy.pointer), .weights: bwdWeights,
                                        .sourceGradient: UnsafeMutableRawPointer(dx.pointer)])
        return dx
    }

    var primitives: [OneDNNPrimitive] { plans.values.flatMap(\.primitives) }

    private struct PlanKey: Hashable {
        let batch: Int, height: Int, width: Int, storage: FeatureStorage, training: Bool
    }

    private func plan(_ x: FeatureMap, _ y: FeatureMap, _ propagation: OneDNNPropagation) throws -> Plan {
        let key = PlanKey(batch: x.batch, height: x.height, width: x.width, storage: x.storage, training: propagation == .training)
        if let plan = plans[key] { return plan }
        let plan = try Plan(self, x, y, propagation)
        plans[key] = plan
        return plan
    }

    /// oneDNN primitives and weight buffers for one input shape.
    private final class Plan {
        let forward: OneDNNPrimitive
        let userWeights: OneDNNLayout
        let forwardWeightsLayout: OneDNNLayout
        let toForwardWeights: OneDNNPrimitive?
        let forwardWeightsBuffer: FloatBuffer
        let userScratch: FloatBuffer
        let strides: [Int], paddingLeft: [Int], paddingRight: [Int]
        let algorithm: OneDNNConvolutionAlgorithm
        let source: OneDNNLayout, destination: OneDNNLayout
        let sourceDims: [Int], destinationDims: [Int]
        let weightsAny: OneDNNLayout
        /// A one-channel input into channel blocks (the small CNN's first layer).
        let firstIntoBlocks: Bool
        private(set) var backwardData: OneDNNPrimitive?
        private(set) var backwardWeights: OneDNNPrimitive?
        /// Set when the weight gradient is computed from a channels-last copy of the output gradient.
        private(set) var gradientToChannelsLast: OneDNNPrimitive?
        var toBackwardWeights: OneDNNPrimitive?
        var backwardWeightsBuffer = FloatBuffer(count: 0)
        var weightsGradientToUser: OneDNNPrimitive?
        var weightsGradientBuffer = FloatBuffer(count: 0)

        init(_ conv: Conv2D, _ x: FeatureMap, _ y: FeatureMap, _ propagation: OneDNNPropagation) throws {
            let dims = conv.groups == 1
                ? [conv.outputChannels, conv.inputChannels, conv.kernel, conv.kernel]
                : [conv.groups, conv.outputChannels / conv.groups, conv.inputChannels / conv.groups, conv.kernel, conv.kernel]
            userWeights = try OneDNNLayout(dims, conv.groups == 1 ? .oihw : .goihw)
            weightsAny = try OneDNNLayout(dims, .any)
            strides = [conv.stride, conv.stride]
            paddingLeft = [conv.paddingBefore, conv.paddingBefore]
            paddingRight = [conv.paddingAfter, conv.paddingAfter]
            algorithm = conv.algorithm
            destination = try y.layout()
            sourceDims = x.dims
            destinationDims = y.dims
            // A first layer into blocks: oneDNN's JIT kernel for it wants the one-channel input described
            // as nchw (the same memory) and its own weight layout, which 'any' does not select (oneDNN 2.6
            // then falls back to its reference code, 250× slower).
            firstIntoBlocks = y.storage.channelBlock != nil && x.channels == 1
            source = firstIntoBlocks ? try OneDNNLayout(x.dims, .nchw) : try x.layout()
            let forwardWeights = firstIntoBlocks ? try OneDNNLayout(dims, y.storage == .blocks8 ? .Ohwi8o : .Ohwi16o) : weightsAny
            forward = try OneDNN.convolutionForward(propagation, source: source, weights: forwardWeights, bias: nil,
                                                    destination: destination, strides: strides,
                                                    paddingLeft: paddingLeft, paddingRight: paddingRight, algorithm: algorithm)
            forwardWeightsLayout = forward.layout(of: .weights)
            if forwardWeightsLayout.sameLayout(as: userWeights) {
                toForwardWeights = nil
                forwardWeightsBuffer = FloatBuffer(count: 0)
            } else {
                toForwardWeights = try OneDNN.reorder(from: userWeights, to: forwardWeightsLayout)
                forwardWeightsBuffer = FloatBuffer(count: forwardWeightsLayout.floatCount)
            }
            userScratch = FloatBuffer(count: userWeights.floatCount)
        }

        var primitives: [OneDNNPrimitive] { [forward] + [backwardData, backwardWeights].compactMap { $0 } }

        func forwardWeights(from w: UnsafeMutablePointer<Float>) throws -> UnsafeMutableRawPointer {
            guard let reorder = toForwardWeights else { return UnsafeMutableRawPointer(w) }
            try reorder.execute([.source: UnsafeMutableRawPointer(w), .destination: UnsafeMutableRawPointer(forwardWeightsBuffer.pointer)])
            return UnsafeMutableRawPointer(forwardWeightsBuffer.pointer)
        }

        /// The backward-data primitive (created on first use: a first layer never needs one).
        func makeBackwardData() throws -> OneDNNPrimitive {
            if let backwardData { return backwardData }
            let data = try OneDNN.convolutionBackwardData(sourceGradient: source, weights: weightsAny, destinationGradient: destination,
                                                          strides: strides, paddingLeft: paddingLeft, paddingRight: paddingRight,
                                                          hint: forward, algorithm: algorithm)
            let dataWeights = data.layout(of: .weights)
            if dataWeights.sameLayout(as: userWeights) {
                toBackwardWeights = nil
            } else if dataWeights.sameLayout(as: forwardWeightsLayout) {
                toBackwardWeights = nil
                backwardWeightsBuffer = forwardWeightsBuffer
            } else {
                toBackwardWeights = try OneDNN.reorder(from: userWeights, to: dataWeights)
                backwardWeightsBuffer = FloatBuffer(count: dataWeights.floatCount)
            }
            backwardData = data
            return data
        }

        /// The backward-weights primitive, created on first use.
        ///
        /// A first layer into blocks of 8 channels has no JIT weight-gradient kernel in oneDNN 2.6 on
        /// AVX2 (only `ref:any`), but one for channels-last maps: the one-channel input is the same
        /// memory either way, so only the output gradient is reordered to channels-last first.
        func makeBackwardWeights() throws -> OneDNNPrimitive {
            if let backwardWeights { return backwardWeights }
            var weights = try weightGradientPrimitive(source: source, destinationGradient: destination)
            if weights.isReference && firstIntoBlocks {
                let channelsLastGradient = try OneDNNLayout(destinationDims, .nhwc)
                let alternative = try weightGradientPrimitive(source: try OneDNNLayout(sourceDims, .nhwc),
                                                              destinationGradient: channelsLastGradient)
                if !alternative.isReference {
                    weights = alternative
                    gradientToChannelsLast = try OneDNN.reorder(from: destination, to: channelsLastGradient)
                }
            }
            let diffLayout = weights.layout(of: .weightsGradient)
            weightsGradientBuffer = FloatBuffer(count: diffLayout.floatCount)
            weightsGradientToUser = diffLayout.sameLayout(as: userWeights) ? nil : try OneDNN.reorder(from: diffLayout, to: userWeights)
            backwardWeights = weights
            return weights
        }

        private func weightGradientPrimitive(source: OneDNNLayout, destinationGradient: OneDNNLayout) throws -> OneDNNPrimitive {
            try OneDNN.convolutionBackwardWeights(source: source, weightsGradient: weightsAny, biasGradient: nil,
                                                  destinationGradient: destinationGradient, strides: strides,
                                                  paddingLeft: paddingLeft, paddingRight: paddingRight, hint: forward,
                                                  algorithm: algorithm)
        }

        /// Weights in the backward-data primitive's layout (the forward copy when layouts agree).
        func backwardDataWeights(from w: UnsafeMutablePointer<Float>) throws -> UnsafeMutableRawPointer {
            if let reorder = toBackwardWeights {
                try reorder.execute([.source: UnsafeMutableRawPointer(w), .destination: UnsafeMutableRawPointer(backwardWeightsBuffer.pointer)])
                return UnsafeMutableRawPointer(backwardWeightsBuffer.pointer)
            }
            if backwardWeightsBuffer.count > 0 {
                // Same layout as the forward copy, which this step's forward already filled.
                return UnsafeMutableRawPointer(backwardWeightsBuffer.pointer)
            }
            return UnsafeMutableRawPointer(w)
        }
    }
}
