import ColaTensor

/// What layers see during one forward or backward pass: the flat buffers and where to put activations.
///
/// Training forwards bump-allocate every activation from one arena (kept for backward). Passes that
/// keep nothing (inference, GradCache pass 1) and backward passes alternate two arenas per block:
/// a block reads its input from one and writes everything it makes into the other, so memory is
/// bounded by the largest block, not by the network.
final class RunContext {
    let parameters: UnsafeMutablePointer<Float>
    let gradients: UnsafeMutablePointer<Float>
    let buffers: UnsafeMutablePointer<Float>
    var mode: ForwardMode
    /// Sums batch-norm statistics over the processes sharing the batch (`model.batch_norm: sync`);
    /// nil: each process normalizes with its own batch's.
    let statisticsReduction: BatchStatisticsReduction?
    /// Per-layer-type timing, when attached.
    var profile: LayerProfile?

    private let kept: ActivationArena
    private let alternating: [ActivationArena]
    private let gradientArenas: [ActivationArena]
    private var alternate = 0
    private var gradientAlternate = 0

    init(parameters: UnsafeMutablePointer<Float>, gradients: UnsafeMutablePointer<Float>, buffers: UnsafeMutablePointer<Float>,
         mode: ForwardMode, workspace: Workspace, statisticsReduction: BatchStatisticsReduction? = nil) {
        self.parameters = parameters
        self.gradients = gradients
        self.buffers = buffers
        self.mode = mode
        self.statisticsReduction = statisticsReduction
        kept = workspace.kept
        alternating = workspace.alternating
        gradientArenas = workspace.gradients
    }

    /// Whether batch normalization uses batch statistics.
    var usesBatchStatistics: Bool { mode.statistics == .batch }
    /// The synchronized statistics of this pass, when batch norm uses batch statistics reduced over processes.
    var synchronizedStatistics: SynchronizedBatchStatistics? {
        guard usesBatchStatistics, let statisticsReduction else { return nil }
        return SynchronizedBatchStatistics(reduction: statisticsReduction)
    }
    /// oneDNN propagation kind for this pass.
    var propagation: OneDNNPropagation { mode.keepsActivations || usesBatchStatistics ? .training : .inference }

    /// Starts a forward pass.
    func beginForward() {
        kept.reset()
        alternating.forEach { $0.reset() }
        alternate = 0
    }

    /// Starts a backward pass.
    func beginBackward() {
        gradientArenas.forEach { $0.reset() }
        gradientAlternate = 0
    }

    /// Called between blocks of a pass that keeps nothing: the next block writes into the other arena.
    func beginForwardBlock() {
        guard !mode.keepsActivations else { return }
        alternate ^= 1
        alternating[alternate].reset()
    }

    /// Called between blocks of a backward pass.
    func beginBackwardBlock() {
        gradientAlternate ^= 1
        gradientArenas[gradientAlternate].reset()
    }

    /// Memory for an activation (`count` floats).
    func activation(_ count: Int) -> UnsafeMutablePointer<Float> {
        mode.keepsActivations ? kept.take(count) : alternating[alternate].take(count)
    }

    /// Memory for an activation gradient.
    func gradient(_ count: Int) -> UnsafeMutablePointer<Float> {
        gradientArenas[gradientAlternate].take(count)
    }

    /// A feature map of the given shape in activation memory.
    func featureMap(batch: Int, channels: Int, height: Int, width: Int, storage: FeatureStorage = .channelsLast) -> FeatureMap {
        FeatureMap(activation(batch * channels * height * width), batch: batch, channels: channels, height: height, width: width,
                   storage: storage)
    }

    /// A gradient map shaped and stored like `like`.
    func gradientMap(like: FeatureMap) -> FeatureMap { like.relocated(to: gradient(like.count)) }

    /// `gradients[entry] += values`.
    func accumulateGradient(_ entry: ParameterEntry, _ values: UnsafePointer<Float>) {
        ChannelKernels.accumulate(values, into: gradients + entry.offset, count: entry.count)
    }
}

/// The arenas a model keeps across steps (see ``RunContext``).
final class Workspace {
    let kept = ActivationArena()
    let alternating = [ActivationArena(), ActivationArena()]
    let gradients = [ActivationArena(), ActivationArena()]

    /// Floats held by all arenas.
    var capacity: Int { ([kept] + alternating + gradients).reduce(0) { $0 + $1.capacity } }
}
