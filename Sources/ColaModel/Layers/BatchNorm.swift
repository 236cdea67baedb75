import ColaTensor

/// γ, β and the running statistics of one batch-normalization layer, with Keras's running update.
///
/// ε = 1e-3 and momentum 0.99 as Keras's `BatchNormalization`: after a batch-statistics pass,
/// `running_mean = 0.99·running_mean + 0.01·mean` and `running_var = 0.99·running_var +
/// 0.01·var·m/(m−1)` (the unbiased batch variance, m = N·H·W). Training normalizes with the biased
/// batch variance. γ and β are parameters `<name>.weight|bias`; the running statistics are
/// buffers `<name>.running_mean|running_var` in the model's second table (PyTorch's names).
struct BatchNormParameters {
    static let epsilon: Float = 1e-3
    static let momentum: Float = 0.99

    let gamma: ParameterEntry
    let beta: ParameterEntry
    let runningMean: ParameterEntry
    let runningVariance: ParameterEntry

    init(_ name: String, channels: Int, table: inout ParameterTable, buffers: inout ParameterTable) {
        gamma = table.register("\(name).weight", shape: [channels])
        beta = table.register("\(name).bias", shape: [channels])
        runningMean = buffers.register("\(name).running_mean", shape: [channels])
        runningVariance = buffers.register("\(name).running_var", shape: [channels])
    }

    /// Keras's momentum update from a batch's mean and biased `variance` over `count` = N·H·W positions.
    func updateRunningStatistics(mean: UnsafePointer<Float>, variance: UnsafePointer<Float>, count: Int, _ run: RunContext) {
        let m = Float(count)
        let correction = m > 1 ? m / (m - 1) : 1
        let rm = run.buffers + runningMean.offset, rv = run.buffers + runningVariance.offset
        let keep = BatchNormParameters.momentum, take = 1 - BatchNormParameters.momentum
        for c in 0..<gamma.count {
            rm[c] = keep * rm[c] + take * mean[c]
            rv[c] = keep * rv[c] + take * variance[c] * correction
        }
    }
}

/// Batch normalization over channels (Keras semantics, ``BatchNormParameters``), optionally with a
/// fused ReLU, on oneDNN.
///
/// Synchronized statistics (a ``RunContext/statisticsReduction``): the layer computes this rank's
/// statistics (``BatchStatisticsKernels``), reduces them, and runs oneDNN with them as fixed
/// statistics; the backward reduces oneDNN's Σg·x̂ and Σg and adds the batch-statistics terms
/// oneDNN's fixed-statistics gradient leaves out.
final class BatchNorm: Layer {
    let entries: BatchNormParameters
    let channels: Int
    let fusedReLU: Bool

    private var plans: [PlanKey: Plan] = [:]
    private let batchMean: FloatBuffer
    private let batchVariance: FloatBuffer
    private let gammaGradient: FloatBuffer
    private let betaGradient: FloatBuffer
    private var input: FeatureMap?
    private var workspace: UnsafeMutablePointer<Float>?
    private var usedBatchStatistics = true
    /// The reduction of the last forward's statistics and the positions they cover, when synchronized.
    private var synchronization: (statistics: SynchronizedBatchStatistics, positions: Int)?

    init(_ name: String, channels: Int, fusedReLU: Bool = false, table: inout ParameterTable, buffers: inout ParameterTable) {
        entries = BatchNormParameters(name, channels: channels, table: &table, buffers: &buffers)
        self.channels = channels
        self.fusedReLU = fusedReLU
        batchMean = FloatBuffer(count: channels)
        batchVariance = FloatBuffer(count: channels)
        gammaGradient = FloatBuffer(count: channels)
        betaGradient = FloatBuffer(count: channels)
    }

    func forward(_ x: FeatureMap, _ run: RunContext) throws -> FeatureMap {
        let y = run.featureMap(batch: x.batch, channels: x.channels, height: x.height, width: x.width, storage: x.storage)
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
        let mean = batchStatistics ? batchMean.pointer : run.buffers + entries.runningMean.offset
        let variance = batchStatistics ? batchVariance.pointer : run.buffers + entries.runningVariance.offset
        var ws: UnsafeMutablePointer<Float>? = nil
        if plan.workspaceFloats > 0 { ws = run.activation(plan.workspaceFloats) }
        var arguments: [(OneDNNArgument, UnsafeMutableRawPointer)] = [
            (.source, .init(x.pointer)), (.destination, .init(y.pointer)), (.mean, .init(mean)), (.variance, .init(variance)),
            (.scale, .init(run.parameters + entries.gamma.offset)), (.shift, .init(run.parameters + entries.beta.offset)),
        ]
        if let ws { arguments.append((.workspace, .init(ws))) }
        try plan.forward.execute(arguments: arguments)
        if batchStatistics && run.mode.updatesRunningStatistics {
            entries.updateRunningStatistics(mean: batchMean.pointer, variance: batchVariance.pointer,
                                            count: synchronization?.positions ?? x.batch * x.spatial, run)
        }
        input = x
        workspace = ws
        usedBatchStatistics = batchStatistics
        return y
    }

    func backward(_ dy: FeatureMap, _ run: RunContext, inputGradient: Bool) throws -> FeatureMap? {
        guard let x = input else { preconditionFailure("\(entries.gamma.name): backward before forward") }
        let plan = try self.plan(x, .training, batchStatistics: usedBatchStatistics && synchronization == nil)
        let backward = try plan.makeBackward(x)
        let dx = run.gradientMap(like: x)
        let mean = usedBatchStatistics ? batchMean.pointer : run.buffers + entries.runningMean.offset
        let variance = usedBatchStatistics ? batchVariance.pointer : run.buffers + entries.runningVariance.offset
        var arguments: [(OneDNNArgument, UnsafeMutableRawPointer)] = [
            (.source, .init(x.pointer)), (.mean, .init(mean)), (.variance, .init(variance)),
            (.destinationGradient, .init(dy.pointer)), (.scale, .init(run.parameters + entries.gamma.offset)),
            (.shift, .init(run.parameters + entries.beta.offset)), (.sourceGradient, .init(dx.pointer)), (.scaleGradient, .init(gammaGradient.pointer)),
            (.shiftGradient, .init(betaGradient.pointer)),
        ]
        if let workspace { arguments.append((.workspace, .init(workspace))) }
        try backward.execute(arguments: arguments)
        run.accumulateGradient(entries.gamma, gammaGradient.pointer)
        run.accumulateGradient(entries.beta, betaGradient.pointer)
        if let synchronization {
            try addSynchronizedTerms(x, synchronization, into: dx, run)
        }
        return dx
    }

    /// dx += −γσ⁻¹·(Σg/M + x̂·Σg·x̂/M) with the sums and M over every rank (the local sums were
    /// accumulated into the gradients first: the parameter allreduce sums them).
    private func addSynchronizedTerms(_ x: FeatureMap, _ synchronization: (statistics: SynchronizedBatchStatistics, positions: Int),
                                      into dx: FeatureMap, _ run: RunContext) throws {
        try synchronization.statistics.sum(gammaGradient.pointer, betaGradient.pointer, channels: channels)
        let gamma = run.parameters + entries.gamma.offset
        let m = Double(synchronization.positions)
        var slope = [Float](repeating: 0, count: channels), offset = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            let invstd = 1 / (Double(batchVariance[c]) + Double(BatchNormParameters.epsilon)).squareRoot()
            let scale = Double(gamma[c]) * invstd
            slope[c] = Float(-scale * invstd * Double(gammaGradient[c]) / m)
            offset[c] = Float(-scale * Double(betaGradient[c]) / m)
        }
        BatchStatisticsKernels.addBatchStatisticsTerms(x, mean: batchMean.pointer, slope: slope, offset: offset, into: dx)
    }

    var primitives: [OneDNNPrimitive] { plans.values.flatMap(\.primitives) }

    private struct PlanKey: Hashable {
        let batch: Int, height: Int, width: Int, storage: FeatureStorage, training: Bool, batchStatistics: Bool
    }

    private func plan(_ x: FeatureMap, _ propagation: OneDNNPropagation, batchStatistics: Bool) throws -> Plan {
        let key = PlanKey(batch: x.batch, height: x.height, width: x.width, storage: x.storage, training: propagation == .training,
                          batchStatistics: batchStatistics)
        if let plan = plans[key] { return plan }
        var flags: OneDNNBatchNormFlags = [.scale, .shift]
        if !batchStatistics { flags.insert(.globalStatistics) }
        if fusedReLU { flags.insert(.fusedReLU) }
        let plan = try Plan(layout: try x.layout(), propagation: propagation, flags: flags)
        plans[key] = plan
        return plan
    }

    private final class Plan {
        let layout: OneDNNLayout
        let flags: OneDNNBatchNormFlags
        let forward: OneDNNPrimitive
        let workspaceFloats: Int
        private var backward: OneDNNPrimitive?

        init(layout: OneDNNLayout, propagation: OneDNNPropagation, flags: OneDNNBatchNormFlags) throws {
            self.layout = layout
            self.flags = flags
            forward = try OneDNN.batchNormForward(propagation, data: layout, epsilon: BatchNormParameters.epsilon, flags: flags)
            let bytes = propagation == .training && flags.contains(.fusedReLU) ? forward.layout(of: .workspace).byteCount : 0
            workspaceFloats = (bytes + 3) / 4
        }

        var primitives: [OneDNNPrimitive] { [forward] + (backward.map { [$0] } ?? []) }

        func makeBackward(_ x: FeatureMap) throws -> OneDNNPrimitive {
            if let backward { return backward }
            let made = try OneDNN.batchNormBackward(data: layout, epsilon: BatchNormParameters.epsilon, flags: flags, hint: forward)
            backward = made
            return made
        }
    }
}
