import ColaTensor

/// Batch normalization with ReLU followed by 2×2 max pooling (stride 2, 'valid'), in one layer:
/// exactly ``BatchNorm`` (`fusedReLU: true`) then ``MaxPool2D``.
///
/// Same parameters, buffers and running update as ``BatchNorm`` (``BatchNormParameters``), so
/// checkpoints and reference fixtures load unchanged. Odd heights/widths drop the last row/column, as ``MaxPool2D``.
///
/// The forward pass is oneDNN's batch norm + ReLU (statistics and ReLU decisions bit for bit as
/// before: Cola's own statistics, though more accurate, flipped ReLU near-ties, and the 20-step
/// trajectory test against PyTorch is sensitive to each flip) into a scratch map shared by the
/// encoder's layers, then Cola's pooling, which keeps one byte per pooled element instead of
/// oneDNN's pooling and ReLU workspaces and the full-size BN output. The backward pass is one fused
/// pair of passes (``BatchNormReLUMaxPoolKernels``) instead of oneDNN's pooling and batch-norm backward.
final class BatchNormReLUMaxPool: Layer {
    let entries: BatchNormParameters
    let channels: Int

    private let batchMean: FloatBuffer
    private let batchVariance: FloatBuffer
    private let gammaGradient: FloatBuffer
    private let betaGradient: FloatBuffer
    private let scratch: NormalizedScratch
    private var plans: [PlanKey: Plan] = [:]
    private var input: FeatureMap?
    private var argmax: UnsafeMutablePointer<UInt8>?
    private var usedBatchStatistics = true
    /// The reduction of the last forward's statistics and the positions they cover, when synchronized.
    private var synchronization: (statistics: SynchronizedBatchStatistics, positions: Int)?

    /// A layer whose full-size BN output goes to `scratch` (one shared by the layers of an encoder).
    init(_ name: String, channels: Int, scratch: NormalizedScratch, table: inout ParameterTable, buffers: inout ParameterTable) {
        self.channels = channels
        self.scratch = scratch
        entries = BatchNormParameters(name, channels: channels, table: &table, buffers: &buffers)
        batchMean = FloatBuffer(count: channels)
        batchVariance = FloatBuffer(count: channels)
        gammaGradient = FloatBuffer(count: channels)
        betaGradient = FloatBuffer(count: channels)
    }

    func forward(_ x: FeatureMap, _ run: RunContext) throws -> FeatureMap {
        precondition(x.channels == channels, "\(entries.gamma.name): input has \(x.channels) channels, expected \(channels)")
        let batchStatistics = run.usesBatchStatistics
        synchronization = nil
        if let synchronized = run.synchronizedStatistics {
            BatchStatisticsKernels.meanAndVariance(x, mean: batchMean.pointer, variance: batchVariance.pointer)
            let positions = try synchronized.combine(mean: batchMean.pointer, variance: batchVariance.pointer, channels: channels,
                                                     count: x.batch * x.spatial)
            synchronization = (synchronized, positions)
        }
        // Synchronized statistics are computed above and given to oneDNN as fixed ones.
        let plan = try self.plan(x, run.propagation, batchStatistics: batchStatistics && synchronization == nil)
        let (mean, variance) = statistics(batchStatistics, run)
        // The BN + ReLU output and oneDNN's ReLU workspace live only during this call.
        let memory = scratch.take(x.count + plan.workspaceFloats)
        let normalized = x.relocated(to: memory)
        var arguments: [(OneDNNArgument, UnsafeMutableRawPointer)] = [
            (.source, .init(x.pointer)), (.destination, .init(normalized.pointer)), (.mean, .init(mutating: mean)),
            (.variance, .init(mutating: variance)), (.scale, .init(run.parameters + entries.gamma.offset)),
            (.shift, .init(run.parameters + entries.beta.offset)),
        ]
        if plan.workspaceFloats > 0 { arguments.append((.workspace, .init(memory + x.count))) }
        try plan.forward.execute(arguments: arguments)
        if batchStatistics && run.mode.updatesRunningStatistics {
            entries.updateRunningStatistics(mean: batchMean.pointer, variance: batchVariance.pointer,
                                            count: synchronization?.positions ?? x.batch * x.spatial, run)
        }
        let y = run.featureMap(batch: x.batch, channels: channels, height: x.height / 2, width: x.width / 2, storage: x.storage)
        // One byte per pooled element, kept for backward only.
        let indices = run.mode.keepsActivations
            ? UnsafeMutableRawPointer(run.activation((y.count + 3) / 4)).bindMemory(to: UInt8.self, capacity: y.count) : nil
        BatchNormReLUMaxPoolKernels.maxPool(normalized, into: y, argmax: indices)
        input = x
        argmax = indices
        usedBatchStatistics = batchStatistics
        return y
    }

    func backward(_ dy: FeatureMap, _ run: RunContext, inputGradient: Bool) throws -> FeatureMap? {
        guard let x = input, let argmax else { preconditionFailure("\(entries.gamma.name): backward before a training forward") }
        let (mean, variance) = statistics(usedBatchStatistics, run)
        BatchNormReLUMaxPoolKernels.parameterGradients(dy, argmax: argmax, x: x, mean: mean, variance: variance,
                                                       epsilon: BatchNormParameters.epsilon, dGamma: gammaGradient.pointer,
                                                       dBeta: betaGradient.pointer)
        run.accumulateGradient(entries.gamma, gammaGradient.pointer)
        run.accumulateGradient(entries.beta, betaGradient.pointer)
        guard inputGradient else { return nil }
        // The local sums went into the gradients above (the parameter allreduce sums them); dx needs every rank's.
        try synchronization?.statistics.sum(gammaGradient.pointer, betaGradient.pointer, channels: channels)
        let dx = run.gradientMap(like: x)
        BatchNormReLUMaxPoolKernels.inputGradient(dy, argmax: argmax, x: x, mean: mean, variance: variance,
                                                  epsilon: BatchNormParameters.epsilon, gamma: run.parameters + entries.gamma.offset,
                                                  dGamma: gammaGradient.pointer, dBeta: betaGradient.pointer,
                                                  batchStatistics: usedBatchStatistics, positions: synchronization?.positions, into: dx)
        return dx
    }

    var primitives: [OneDNNPrimitive] { plans.values.map(\.forward) }

    private struct PlanKey: Hashable {
        let batch: Int, height: Int, width: Int, storage: FeatureStorage, training: Bool, batchStatistics: Bool
    }

    /// oneDNN's batch norm + ReLU forward for one shape and mode, built as ``BatchNorm`` builds it.
    private final class Plan {
        let forward: OneDNNPrimitive
        let workspaceFloats: Int

        init(layout: OneDNNLayout, propagation: OneDNNPropagation, flags: OneDNNBatchNormFlags) throws {
            forward = try OneDNN.batchNormForward(propagation, data: layout, epsilon: BatchNormParameters.epsilon, flags: flags)
            workspaceFloats = propagation == .training ? (forward.layout(of: .workspace).byteCount + 3) / 4 : 0
        }
    }

    private func plan(_ x: FeatureMap, _ propagation: OneDNNPropagation, batchStatistics: Bool) throws -> Plan {
        let key = PlanKey(batch: x.batch, height: x.height, width: x.width, storage: x.storage, training: propagation == .training,
                          batchStatistics: batchStatistics)
        if let plan = plans[key] { return plan }
        var flags: OneDNNBatchNormFlags = [.scale, .shift, .fusedReLU]
        if !batchStatistics { flags.insert(.globalStatistics) }
        let plan = try Plan(layout: try x.layout(), propagation: propagation, flags: flags)
        plans[key] = plan
        return plan
    }

    /// The statistics a pass normalizes with: this batch's, or the running ones.
    private func statistics(_ batchStatistics: Bool, _ run: RunContext) -> (UnsafePointer<Float>, UnsafePointer<Float>) {
        batchStatistics ? (UnsafePointer(batchMean.pointer), UnsafePointer(batchVariance.pointer))
            : (UnsafePointer(run.buffers + entries.runningMean.offset), UnsafePointer(run.buffers + entries.runningVariance.offset))
    }
}

/// Memory for the full-size batch-norm output that ``BatchNormReLUMaxPool`` pools right away: one
/// buffer shared by an encoder's layers, grown to the largest request and reused by every forward.
final class NormalizedScratch {
    private var buffer = FloatBuffer(count: 0)

    /// At least `count` floats, valid until the next call.
    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        if buffer.count < count { buffer = FloatBuffer(count: count) }
        return buffer.pointer
    }
}
