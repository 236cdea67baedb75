import ColaTensor

/// Batch normalization (Keras semantics, as ``BatchNorm``) followed by swish z = y·σ(y), fused into
/// two memory passes forward and two backward (``BatchNormSwishKernels``).
///
/// Same parameters and buffers under the same names as ``BatchNorm`` (checkpoints and PyTorch
/// fixtures load unchanged). The pre-activation y is never stored: backward recomputes it from the
/// input, the statistics and γ, β.
///
/// Synchronized statistics (a ``RunContext/statisticsReduction``): this rank's mean and variance
/// are reduced before normalizing, and Σg, Σg·x̂ before the input gradient.
final class BatchNormSwish: Layer {
    let entries: BatchNormParameters
    let channels: Int

    /// Statistics of the last forward: the batch's (biased variance) or a copy of the running ones.
    private let mean: FloatBuffer
    private let variance: FloatBuffer
    /// Per-channel coefficients of the last forward: invstd and scale = γ·invstd.
    private let invstd: FloatBuffer
    private let scale: FloatBuffer
    /// Per-channel coefficients of the backward passes.
    private let outputScale: FloatBuffer
    private let centeredScale: FloatBuffer
    private let offset: FloatBuffer
    private let sumG: UnsafeMutablePointer<Double>
    private let sumGXHat: UnsafeMutablePointer<Double>
    private var input: FeatureMap?
    private var usedBatchStatistics = true
    /// The reduction of the last forward's statistics and the positions they cover, when synchronized.
    private var synchronization: (statistics: SynchronizedBatchStatistics, positions: Int)?

    init(_ name: String, channels: Int, table: inout ParameterTable, buffers: inout ParameterTable) {
        entries = BatchNormParameters(name, channels: channels, table: &table, buffers: &buffers)
        self.channels = channels
        mean = FloatBuffer(count: channels)
        variance = FloatBuffer(count: channels)
        invstd = FloatBuffer(count: channels)
        scale = FloatBuffer(count: channels)
        outputScale = FloatBuffer(count: channels)
        centeredScale = FloatBuffer(count: channels)
        offset = FloatBuffer(count: channels)
        sumG = .allocate(capacity: channels)
        sumGXHat = .allocate(capacity: channels)
    }

    deinit {
        sumG.deallocate()
        sumGXHat.deallocate()
    }

    func forward(_ x: FeatureMap, _ run: RunContext) throws -> FeatureMap {
        precondition(x.storage == .channelsLast, "\(entries.gamma.name): batch norm + swish needs channels-last maps")
        let z = run.featureMap(batch: x.batch, channels: x.channels, height: x.height, width: x.width)
        let rows = x.batch * x.spatial
        let batchStatistics = run.usesBatchStatistics
        synchronization = nil
        if batchStatistics {
            BatchNormSwishKernels.statistics(x.pointer, rows: rows, channels: channels, mean: mean.pointer, variance: variance.pointer)
            if let synchronized = run.synchronizedStatistics {
                let positions = try synchronized.combine(mean: mean.pointer, variance: variance.pointer, channels: channels, count: rows)
                synchronization = (synchronized, positions)
            }
        } else {
            mean.pointer.update(from: run.buffers + entries.runningMean.offset, count: channels)
            variance.pointer.update(from: run.buffers + entries.runningVariance.offset, count: channels)
        }
        let gamma = run.parameters + entries.gamma.offset
        for c in 0..<channels {
            let inverse = 1 / (Double(variance[c]) + Double(BatchNormParameters.epsilon)).squareRoot()
            let a = Double(gamma[c]) * inverse
            invstd[c] = Float(inverse)
            scale[c] = Float(a)
        }
        BatchNormSwishKernels.forward(x.pointer, rows: rows, channels: channels, mean: mean.pointer, scale: scale.pointer,
                                      beta: run.parameters + entries.beta.offset, into: z.pointer)
        if batchStatistics && run.mode.updatesRunningStatistics {
            entries.updateRunningStatistics(mean: mean.pointer, variance: variance.pointer, count: synchronization?.positions ?? rows, run)
        }
        input = x
        usedBatchStatistics = batchStatistics
        return z
    }

    func backward(_ dz: FeatureMap, _ run: RunContext, inputGradient: Bool) throws -> FeatureMap? {
        guard let x = input else { preconditionFailure("\(entries.gamma.name): backward before forward") }
        let rows = x.batch * x.spatial
        let dx = run.gradientMap(like: x)
        // With running statistics dx = γ·invstd·g is written by the first pass; with batch statistics
        // the first pass leaves g and `combine` subtracts the mean terms.
        for c in 0..<channels { outputScale[c] = usedBatchStatistics ? 1 : scale[c] }
        BatchNormSwishKernels.backwardSums(
            dz.pointer, x: x.pointer, rows: rows, channels: channels, mean: mean.pointer, scale: scale.pointer,
            beta: run.parameters + entries.beta.offset, invstd: invstd.pointer, outputScale: outputScale.pointer, into: dx.pointer,
            sumG: sumG, sumGXHat: sumGXHat)
        let dGamma = run.gradients + entries.gamma.offset, dBeta = run.gradients + entries.beta.offset
        for c in 0..<channels {
            dGamma[c] += Float(sumGXHat[c])
            dBeta[c] += Float(sumG[c])
        }
        guard inputGradient else { return nil }
        guard usedBatchStatistics else { return dx }
        // The local sums went into the gradients above (the parameter allreduce sums them); dx needs every rank's.
        try synchronization?.statistics.sum(sumG, sumGXHat, channels: channels)
        // dx = γ·invstd·(g − Σg/m − x̂·Σg·x̂/m), x̂ = (x − mean)·invstd.
        let m = Double(synchronization?.positions ?? rows)
        for c in 0..<channels {
            let a = Double(scale[c]), inverse = Double(invstd[c])
            centeredScale[c] = Float(-a * inverse * sumGXHat[c] / m)
            offset[c] = Float(-a * sumG[c] / m)
        }
        BatchNormSwishKernels.combine(dx.pointer, x: x.pointer, rows: rows, channels: channels, mean: mean.pointer,
                                      a: scale.pointer, b: centeredScale.pointer, c: offset.pointer, into: dx.pointer)
        return dx
    }
}
