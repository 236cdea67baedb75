import Foundation

/// Settings of a ``PairBatchLoader``.
public struct PairBatchLoaderConfiguration: Sendable {
    /// Seed of the permutation, crops and noise.
    public var seed: UInt64
    /// Pairs per step over all ranks (a multiple of `worldSize`).
    public var globalBatch: Int
    /// This process's rank.
    public var rank: Int
    /// Number of ranks.
    public var worldSize: Int
    /// Global position of the first step (0, or the checkpoint's position when resuming).
    public var startPosition: Int
    /// Noise on the positive's waveform (reference: 0.001).
    public var noiseStandardDeviation: Float
    /// Background decoding threads.
    public var threads: Int
    /// Ready batches kept ahead of the trainer.
    public var queueDepth: Int
    /// Skipped files named in warnings before the loader only counts.
    public var warningLimit: Int

    /// Settings with the reference's defaults for noise, 2 threads and 4 batches of look-ahead.
    public init(
        seed: UInt64, globalBatch: Int, rank: Int = 0, worldSize: Int = 1, startPosition: Int = 0,
        noiseStandardDeviation: Float = 0.001, threads: Int = 2, queueDepth: Int = 4, warningLimit: Int = 5
    ) {
        self.seed = seed
        self.globalBatch = globalBatch
        self.rank = rank
        self.worldSize = worldSize
        self.startPosition = startPosition
        self.noiseStandardDeviation = noiseStandardDeviation
        self.threads = threads
        self.queueDepth = queueDepth
        self.warningLimit = warningLimit
    }
}

/// Why a loader cannot start.
public enum LoaderError: Error, CustomStringConvertible, Equatable {
    /// The settings are inconsistent.
    case invalidConfiguration(String)
    /// Not one file of this rank's shard decodes; training would stall.
    case shardUnreadable(rank: Int, worldSize: Int, tried: Int, examples: [String])

    public var description: String {
        switch self {
        case .invalidConfiguration(let message): return "loader: \(message)"
        case .shardUnreadable(let rank, let worldSize, let tried, let examples):
            return "loader: rank \(rank) of \(worldSize): none of the \(tried) files in its shard can be decoded; "
                + "check --data-root and the manifest. First errors: " + examples.joined(separator: "; ")
        }
    }
}

/// Builds this rank's batches of (anchor, positive) log-mel pairs on background threads, ahead
/// of the trainer, into a bounded queue of reusable ``PairBatch`` buffers.
///
/// Step k reads the rank-strided slice of global positions
/// `[start + k·globalBatch, start + (k+1)·globalBatch)` of a ``SampleOrder``. An item that cannot
/// be used (see ``SkipReason``) is counted and replaced by the next item of this rank's stream
/// (positions after the step: `next + rank`, `next + rank + worldSize`, …), so every batch is full
/// and no rank stalls; ``PairBatch/itemIndices`` says which clips were used. The first few
/// skipped files are named in warnings.
public final class PairBatchLoader: @unchecked Sendable {
    /// The settings.
    public let configuration: PairBatchLoaderConfiguration
    /// Pairs per batch on this rank.
    public let batchSize: Int
    /// The visiting order.
    public let order: SampleOrder

    private let items: [AudioItem]
    private let warn: @Sendable (String) -> Void
    private let condition = NSCondition()
    private var nextStepToBuild = 0
    private var nextStepToDeliver = 0
    private var ready: [Int: PairBatch] = [:]
    private var free: [PairBatch] = []
    private var stopped = false
    private var runningThreads = 0
    private var deliveredCounts = LoaderCounts()
    private var warningsGiven = 0
    private var knownBad = Set<Int>()

    /// Checks the settings, makes sure this rank's shard has at least one decodable file, and
    /// starts the background threads.
    ///
    /// - Parameter warn: Receives the first `warningLimit` skip messages (default: stderr).
    public init(
        items: [AudioItem], configuration: PairBatchLoaderConfiguration,
        warn: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data("warning: \($0)\n".utf8)) }
    ) throws(LoaderError) {
        let c = configuration
        guard !items.isEmpty else { throw .invalidConfiguration("no items") }
        guard c.worldSize > 0, c.rank >= 0, c.rank < c.worldSize else {
            throw .invalidConfiguration("rank \(c.rank) is not in 0..<\(c.worldSize)")
        }
        guard c.globalBatch > 0, c.globalBatch % c.worldSize == 0 else {
            throw .invalidConfiguration("global batch \(c.globalBatch) must be a positive multiple of \(c.worldSize) ranks")
        }
        guard c.threads > 0, c.queueDepth > 0, c.startPosition >= 0 else {
            throw .invalidConfiguration("threads, queue depth must be positive and the start position ≥ 0")
        }
        self.configuration = c
        self.items = items
        self.warn = warn
        batchSize = c.globalBatch / c.worldSize
        order = SampleOrder(itemCount: items.count, seed: c.seed)
        try probeShard()
        runningThreads = c.threads
        for worker in 0..<c.threads {
            let thread = Thread { [self] in work() }
            thread.name = "cola-loader-\(worker)"
            thread.start()
        }
    }

    deinit { stop() }

    /// The next step's batch, in step order; blocks while it is still being built and records
    /// that time in ``PairBatch/dataWaitSeconds``.
    public func next() -> PairBatch {
        let clock = ContinuousClock()
        let began = clock.now
        condition.lock()
        let step = nextStepToDeliver
        while ready[step] == nil { condition.wait() }
        let batch = ready.removeValue(forKey: step)!
        nextStepToDeliver += 1
        deliveredCounts.add(batch.counts)
        condition.broadcast()
        condition.unlock()
        let waited = clock.now - began
        batch.dataWaitSeconds = Double(waited.components.seconds) + Double(waited.components.attoseconds) * 1e-18
        return batch
    }

    /// Returns a batch's buffers for reuse. Do not touch `batch` afterwards.
    public func recycle(_ batch: PairBatch) {
        condition.lock()
        if batch.batchSize == batchSize { free.append(batch) }
        condition.unlock()
    }

    /// Skips and flags over all batches delivered so far.
    public var totals: LoaderCounts {
        condition.lock()
        defer { condition.unlock() }
        return deliveredCounts
    }

    /// Stops the background threads (after their current batch) and waits for them.
    public func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while runningThreads > 0 { condition.wait() }
        condition.unlock()
    }

    // MARK: - Background work

    private func work() {
        let decoder = AudioDecoder()
        let sampler = PairSampler(seed: configuration.seed, noiseStandardDeviation: configuration.noiseStandardDeviation)
        while true {
            condition.lock()
            while !stopped && nextStepToBuild - nextStepToDeliver >= configuration.queueDepth { condition.wait() }
            if stopped {
                runningThreads -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let step = nextStepToBuild
            nextStepToBuild += 1
            let batch = free.popLast() ?? PairBatch(batchSize: batchSize)
            condition.unlock()
            build(step: step, into: batch, decoder: decoder, sampler: sampler)
            condition.lock()
            ready[step] = batch
            condition.broadcast()
            condition.unlock()
        }
    }

    private func build(step: Int, into batch: PairBatch, decoder: AudioDecoder, sampler: PairSampler) {
        let c = configuration
        let start = c.startPosition + step * c.globalBatch
        let positions = order.positions(globalPosition: start, globalBatch: c.globalBatch, rank: c.rank, worldSize: c.worldSize)
        batch.globalPosition = start
        batch.nextPosition = start + c.globalBatch
        batch.counts = LoaderCounts()
        var spare = batch.nextPosition + c.rank
        let shardSize = (items.count + c.worldSize - 1) / c.worldSize
        for (slot, position) in positions.enumerated() {
            var candidate = position
            var attempts = 0
            while true {
                let item = order.item(atPosition: candidate)
                if !isKnownBad(item) {
                    do {
                        try fill(slot: slot, of: batch, item: item, position: candidate, decoder: decoder, sampler: sampler)
                        break
                    } catch {
                        if markBad(item) {
                            batch.counts.skipped[error.reason, default: 0] += 1
                            report(error)
                        }
                    }
                }
                attempts += 1
                guard attempts <= 2 * items.count + shardSize else {
                    fatalError("loader: rank \(c.rank): no usable item in \(attempts) tries from position \(position)")
                }
                // Next item of this rank's stream; after a whole shard of failures, any rank's items.
                candidate = spare
                spare += attempts > shardSize ? 1 : c.worldSize
            }
        }
    }

    private func fill(
        slot: Int, of batch: PairBatch, item: Int, position: Int, decoder: AudioDecoder, sampler: PairSampler
    ) throws(AudioDecodeError) {
        var waveform = try decoder.decode(path: items[item].path, start: items[item].start, end: items[item].end)
        let notes = batch.anchors.withUnsafeMutableBufferPointer { anchors in
            batch.positives.withUnsafeMutableBufferPointer { positives in
                sampler.makePair(
                    from: &waveform, item: item, epoch: order.epoch(ofPosition: position),
                    anchor: anchors.baseAddress! + slot * PairSampler.valuesPerCrop,
                    positive: positives.baseAddress! + slot * PairSampler.valuesPerCrop)
            }
        }
        if notes.padded { batch.counts.padded += 1 }
        if notes.silent { batch.counts.silent += 1 }
        batch.itemIndices[slot] = items[item].index
    }

    private func isKnownBad(_ item: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return knownBad.contains(item)
    }

    /// Records `item` as unusable; true the first time (so each file is counted once).
    private func markBad(_ item: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return knownBad.insert(item).inserted
    }

    private func report(_ error: AudioDecodeError) {
        condition.lock()
        let shouldWarn = warningsGiven < configuration.warningLimit
        warningsGiven += 1
        condition.unlock()
        if shouldWarn { warn("skipping \(error)") }
    }

    /// Decodes this rank's shard in order until one file works; throws when none does.
    private func probeShard() throws(LoaderError) {
        let c = configuration
        let decoder = AudioDecoder()
        var examples = [String]()
        let shardSize = (items.count - c.rank + c.worldSize - 1) / c.worldSize
        let epochStart = order.epoch(ofPosition: c.startPosition) * items.count
        for j in 0..<max(shardSize, 1) {
            let item = order.item(atPosition: epochStart + c.rank + j * c.worldSize)
            do {
                _ = try decoder.decode(path: items[item].path, start: items[item].start, end: items[item].end)
                return
            } catch {
                if examples.count < 3 { examples.append(error.description) }
            }
        }
        throw .shardUnreadable(rank: c.rank, worldSize: c.worldSize, tried: max(shardSize, 1), examples: examples)
    }
}
