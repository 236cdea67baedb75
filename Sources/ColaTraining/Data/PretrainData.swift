import ColaAudio
import Foundation

/// The pretraining clips a config names: its manifest parsed and resolved against the data root.
public struct PretrainData: Sendable {
    /// Resolved clips; every rank builds the same list.
    public let items: [AudioItem]
    /// One line for the run log (found / missing counts).
    public let summary: String

    /// Reads the manifest of `config` (paths relative to `dataRoot` when given).
    ///
    /// Throws ``ManifestError`` (file, line, what was expected) for malformed manifests or when no
    /// listed file exists, and ``TrainerError`` for settings the loader does not support.
    public init(config: DataConfig, dataRoot: String?) throws {
        guard config.sampleRate == LogMelExtractor.sampleRate, config.cropFrames == PairSampler.frames else {
            throw TrainerError("data.sample_rate \(config.sampleRate) / data.crop_frames \(config.cropFrames): "
                + "the loader produces \(LogMelExtractor.sampleRate) Hz, \(PairSampler.frames)-frame crops; set those values")
        }
        let manifest = Self.resolve(config.manifest, against: dataRoot)
        guard FileManager.default.fileExists(atPath: manifest) else {
            throw TrainerError("data.manifest: \(manifest) does not exist"
                + (dataRoot == nil ? " (relative paths are taken against --data-root; none was given)" : ""))
        }
        switch config.format {
        case .audioset:
            let audioRoot = config.audioRoot.map { Self.resolve($0, against: dataRoot) }
                ?? URL(fileURLWithPath: manifest).deletingLastPathComponent().path
            let parsed = try AudioSetManifest(segmentsPath: manifest, classes: nil, audioRoot: audioRoot, patterns: config.pathPatterns)
            items = parsed.items
            summary = parsed.summary
        case .tsv:
            let parsed = try TSVManifest(path: manifest)
            items = parsed.items
            summary = parsed.summary
        }
    }

    static func resolve(_ path: String, against root: String?) -> String {
        guard !path.hasPrefix("/"), let root else { return path }
        return (root as NSString).appendingPathComponent(path)
    }
}

/// ``StepBatchSource`` over the audio pipeline's ``PairBatchLoader`` (rank-strided shards of a
/// seeded global order, decoded ahead on background threads).
public final class LoaderBatchSource: StepBatchSource {
    public let loader: PairBatchLoader
    private var expected: Int
    private var previous: PairBatch?

    /// Starts a loader for this rank at global `position`.
    public init(items: [AudioItem], config: RunConfig, rank: Int, worldSize: Int, position: Int,
                warn: @escaping @Sendable (String) -> Void) throws {
        loader = try PairBatchLoader(
            items: items,
            configuration: PairBatchLoaderConfiguration(
                seed: config.seed, globalBatch: config.training.batchSize, rank: rank, worldSize: worldSize,
                startPosition: position, noiseStandardDeviation: config.data.noiseStd,
                threads: config.data.loaderThreads, queueDepth: config.data.prefetchBatches),
            warn: warn)
        expected = position
    }

    deinit { loader.stop() }

    public func batch(position: Int) throws -> StepBatch {
        guard position == expected else {
            throw TrainerError("loader: asked for global position \(position), it streams from \(expected)")
        }
        if let previous { loader.recycle(previous) }
        let batch = loader.next()
        previous = batch
        expected = batch.nextPosition
        var skipped: [String: Int] = [:]
        for (reason, count) in batch.counts.skipped where count > 0 { skipped[reason.rawValue] = count }
        if batch.counts.padded > 0 { skipped["padded"] = batch.counts.padded }
        if batch.counts.silent > 0 { skipped["silent"] = batch.counts.silent }
        return StepBatch(anchors: batch.anchors, positives: batch.positives, clips: batch.batchSize,
                         itemIDs: batch.itemIndices, waitSeconds: batch.dataWaitSeconds, skipped: skipped)
    }
}
