import ColaCore
import ColaModel

/// Everything a pretraining run needs, read from a YAML file in `configs/`.
///
/// Keys are `snake_case` as written in the file; every section is optional and defaults to the
/// reference's hyper-parameters (Saeed et al. 2021, google-research `cola/`). Unknown keys and
/// wrong types are errors naming the key and the file (``ConfigError``).
public struct RunConfig: Codable, Equatable, Sendable {
    /// The run's name; its directory is `runs/<name>/` unless `run_dir` says otherwise.
    public var name: String = "default"
    /// Root seed from which every random choice derives.
    public var seed: UInt64 = 1
    /// Where the run directory goes; defaults to `runs/<name>`.
    public var runDir: String?
    public var data = DataConfig()
    /// The model (ColaModel's ``ModelConfiguration``: the same type the checkpoint and evaluator use).
    public var model = ModelConfiguration()
    public var training = TrainingConfig()
    public var evaluation = EvaluationConfig()

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, seed, runDir = "run_dir", data, model, training, evaluation
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        let d = RunConfig()
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? d.name
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        runDir = try c.decodeIfPresent(String.self, forKey: .runDir)
        data = try c.decodeIfPresent(DataConfig.self, forKey: .data) ?? d.data
        model = try c.decodeIfPresent(ModelConfiguration.self, forKey: .model) ?? d.model
        training = try c.decodeIfPresent(TrainingConfig.self, forKey: .training) ?? d.training
        evaluation = try c.decodeIfPresent(EvaluationConfig.self, forKey: .evaluation) ?? d.evaluation
        let olderTraining = try? c.nestedContainer(keyedBy: OlderTrainingKeys.self, forKey: .training)
        if try olderTraining?.decodeIfPresent(Bool.self, forKey: .freezeBatchNorm) == true { model.batchNorm = .frozen }
    }

    /// `training.freeze_batch_norm: true` of configs and checkpoints written before
    /// `model.batch_norm` reads as `model.batch_norm: frozen`.
    private enum OlderTrainingKeys: String, CodingKey {
        case freezeBatchNorm = "freeze_batch_norm"
    }

    /// The run directory this config writes to.
    public var resolvedRunDir: String { runDir ?? "runs/\(name)" }
}

/// The pretraining data: which manifest, where the audio is, how clips become pairs.
public struct DataConfig: Codable, Equatable, Sendable {
    /// Manifest kinds Cola reads.
    public enum ManifestFormat: String, Codable, Sendable {
        /// `path[\tlabel]` with a header line.
        case tsv
        /// AudioSet segment CSV: `YTID, start_seconds, end_seconds, positive_labels`.
        case audioset
    }

    /// The manifest file; relative paths are resolved against `--data-root` when given.
    public var manifest: String = "pretrain/segments.csv"
    public var format: ManifestFormat = .audioset
    /// Folder holding the audio files an AudioSet manifest names; defaults to the manifest's folder.
    public var audioRoot: String?
    /// How an AudioSet segment maps to a file under `audio_root`, tried in order.
    /// Placeholders: `{ytid}`, `{start}`, `{end}` (seconds as written), `{start_ms}`, `{ytid_prefix2}`.
    public var pathPatterns: [String] = ["{ytid}.wav", "{ytid}.flac", "{ytid}_{start}.wav", "{ytid}_{start}.flac"]
    /// Target sample rate after resampling.
    public var sampleRate: Int = 16000
    /// Frames (10 ms hops) in each crop: 96 in the reference.
    public var cropFrames: Int = 96
    /// Standard deviation of Gaussian noise added to the positive crop (reference: 0.001).
    public var noiseStd: Float = 0.001
    /// Ready batches kept ahead of the trainer.
    public var prefetchBatches: Int = 4
    /// Decoding threads per rank.
    public var loaderThreads: Int = 1

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case manifest, format, audioRoot = "audio_root", pathPatterns = "path_patterns"
        case sampleRate = "sample_rate", cropFrames = "crop_frames", noiseStd = "noise_std"
        case prefetchBatches = "prefetch_batches", loaderThreads = "loader_threads"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: CodingKeys.self)
        let d = DataConfig()
        manifest = try c.decodeIfPresent(String.self, forKey: .manifest) ?? d.manifest
        format = try c.decodeIfPresent(ManifestFormat.self, forKey: .format) ?? d.format
        audioRoot = try c.decodeIfPresent(String.self, forKey: .audioRoot)
        pathPatterns = try c.decodeIfPresent([String].self, forKey: .pathPatterns) ?? d.pathPatterns
        sampleRate = try c.decodeIfPresent(Int.self, forKey: .sampleRate) ?? d.sampleRate
        cropFrames = try c.decodeIfPresent(Int.self, forKey: .cropFrames) ?? d.cropFrames
        noiseStd = try c.decodeIfPresent(Float.self, forKey: .noiseStd) ?? d.noiseStd
        prefetchBatches = try c.decodeIfPresent(Int.self, forKey: .prefetchBatches) ?? d.prefetchBatches
        loaderThreads = try c.decodeIfPresent(Int.self, forKey: .loaderThreads) ?? d.loaderThreads
    }
}

/// Optimization, distribution and checkpointing.
public struct TrainingConfig: Codable, Equatable, Sendable {
    /// Which clips serve as negatives.
    public enum Negatives: String, Codable, Sendable {
        /// Every other clip of the global batch, gathered across ranks (exact large-batch gradient).
        case global
        /// Only the clips of the same rank, as the reference's per-replica loss.
        case local
    }

    /// The shape of the learning rate over a run (`lr_schedule`), see ``LearningRateSchedule``.
    public enum LearningRateShape: String, Codable, Sendable {
        /// The peak rate (after warm-up) to the end: the reference's constant 1e-3.
        case constant
        /// Cosine decay from the peak at the end of warm-up to `min_learning_rate_fraction` of it at the last step.
        case cosine
    }

    /// How the peak learning rate follows the global batch (`lr_scaling`): `learning_rate ×
    /// (batch_size / base_batch_size)^p`.
    public enum LearningRateScaling: String, Codable, Sendable {
        /// p = 0: the same rate at every batch size.
        case none
        /// p = 1.
        case linear
        /// p = ½.
        case sqrt

        /// The exponent p.
        public var exponent: Double {
            switch self {
            case .none: return 0
            case .linear: return 1
            case .sqrt: return 0.5
            }
        }
    }

    /// Global batch: clips per step summed over ranks (each clip gives an anchor and a positive).
    public var batchSize: Int = 256
    /// Optimizer steps.
    public var steps: Int = 1000
    /// The peak learning rate at `base_batch_size` (scaled by `lr_scaling` for other batch sizes).
    public var learningRate: Float = 1e-3
    /// Cosine after warm-up by default, where the reference keeps 1e-3 constant: measured on the
    /// small CNN, it removed the loss spike of the first steps and trained further at batch 32 and
    /// 128 (docs/training.md).
    public var learningRateSchedule: LearningRateShape = .cosine
    /// √ scaling by default: of none, linear and √, the one that gave the best measured rate at both batch sizes.
    public var learningRateScaling: LearningRateScaling = .sqrt
    /// The batch size at which `learning_rate` applies unscaled.
    public var baseBatchSize: Int = 256
    /// Steps of linear warm-up from `peak / warmup_steps` to the peak (0: none).
    public var warmupSteps: Int = 8
    /// The cosine's last rate as a fraction of the peak.
    public var minLearningRateFraction: Double = 0.1
    public var weightDecay: Float = 0
    public var negatives: Negatives = .global
    /// Clips per recomputation chunk (GradCache); 0 processes each rank's batch at once.
    public var chunkSize: Int = 0
    /// BLAS and oneDNN threads per rank; 0 divides the cores evenly among the ranks of a node.
    public var threadsPerRank: Int = 0
    /// Gradient allreduce bucket size in MiB.
    public var bucketMegabytes: Double = 4
    public var checkpointEvery: Int = 500
    /// How many checkpoints to keep (oldest removed first).
    public var keepCheckpoints: Int = 3
    public var logEvery: Int = 10
    /// With `negatives: local`: replicas over the whole job, each scoring only its own clips
    /// (0 = one per rank). `local_groups: 8` on one rank reproduces an 8-replica reference run.
    public var localGroups: Int = 0

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case batchSize = "batch_size", steps, learningRate = "learning_rate", weightDecay = "weight_decay"
        case learningRateSchedule = "lr_schedule", learningRateScaling = "lr_scaling", baseBatchSize = "base_batch_size"
        case warmupSteps = "warmup_steps", minLearningRateFraction = "min_learning_rate_fraction"
        case negatives, chunkSize = "chunk_size", threadsPerRank = "threads_per_rank"
        case bucketMegabytes = "bucket_megabytes", checkpointEvery = "checkpoint_every"
        case keepCheckpoints = "keep_checkpoints", logEvery = "log_every"
        case localGroups = "local_groups"
    }

    /// The keys a config may hold: ``CodingKeys`` and `freeze_batch_norm`, which configs and
    /// checkpoints written before `model.batch_norm` carry (``RunConfig`` reads it).
    private enum ReadableKeys: String, CodingKey, CaseIterable {
        case batchSize = "batch_size", steps, learningRate = "learning_rate", weightDecay = "weight_decay"
        case learningRateSchedule = "lr_schedule", learningRateScaling = "lr_scaling", baseBatchSize = "base_batch_size"
        case warmupSteps = "warmup_steps", minLearningRateFraction = "min_learning_rate_fraction"
        case negatives, chunkSize = "chunk_size", threadsPerRank = "threads_per_rank"
        case bucketMegabytes = "bucket_megabytes", checkpointEvery = "checkpoint_every"
        case keepCheckpoints = "keep_checkpoints", logEvery = "log_every"
        case localGroups = "local_groups", obsoleteFreezeBatchNorm = "freeze_batch_norm"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: ReadableKeys.self)
        let d = TrainingConfig()
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
        steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? d.steps
        learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate) ?? d.learningRate
        learningRateSchedule = try c.decodeIfPresent(LearningRateShape.self, forKey: .learningRateSchedule) ?? d.learningRateSchedule
        learningRateScaling = try c.decodeIfPresent(LearningRateScaling.self, forKey: .learningRateScaling) ?? d.learningRateScaling
        baseBatchSize = try c.decodeIfPresent(Int.self, forKey: .baseBatchSize) ?? d.baseBatchSize
        warmupSteps = try c.decodeIfPresent(Int.self, forKey: .warmupSteps) ?? d.warmupSteps
        minLearningRateFraction = try c.decodeIfPresent(Double.self, forKey: .minLearningRateFraction) ?? d.minLearningRateFraction
        weightDecay = try c.decodeIfPresent(Float.self, forKey: .weightDecay) ?? d.weightDecay
        negatives = try c.decodeIfPresent(Negatives.self, forKey: .negatives) ?? d.negatives
        chunkSize = try c.decodeIfPresent(Int.self, forKey: .chunkSize) ?? d.chunkSize
        threadsPerRank = try c.decodeIfPresent(Int.self, forKey: .threadsPerRank) ?? d.threadsPerRank
        bucketMegabytes = try c.decodeIfPresent(Double.self, forKey: .bucketMegabytes) ?? d.bucketMegabytes
        checkpointEvery = try c.decodeIfPresent(Int.self, forKey: .checkpointEvery) ?? d.checkpointEvery
        keepCheckpoints = try c.decodeIfPresent(Int.self, forKey: .keepCheckpoints) ?? d.keepCheckpoints
        logEvery = try c.decodeIfPresent(Int.self, forKey: .logEvery) ?? d.logEvery
        localGroups = try c.decodeIfPresent(Int.self, forKey: .localGroups) ?? d.localGroups
    }
}

/// The transfer suite run after pretraining.
public struct EvaluationConfig: Codable, Equatable, Sendable {
    /// Task names (`spcv1`, `spcv2`, `librispeech`, `voxceleb`, `voxforge`, `musan`, `nsynth`,
    /// `birds`, `tut2018`, any generic task folder) or `all`; empty skips the suite.
    public var tasks: [String] = []
    /// Folder holding one sub-folder per task.
    public var dataRoot: String?
    /// Also evaluate every K-th checkpoint; 0 evaluates only the final model.
    public var everyCheckpoints: Int = 0

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case tasks, dataRoot = "data_root", everyCheckpoints = "every_checkpoints"
    }

    /// The keys a config may hold: ``CodingKeys`` and `probe_epochs`, which configs and
    /// checkpoints written before the probe was solved to convergence carry; it is ignored (the
    /// suite uses `cola eval`'s default protocol).
    private enum ReadableKeys: String, CodingKey, CaseIterable {
        case tasks, dataRoot = "data_root", everyCheckpoints = "every_checkpoints", obsoleteProbeEpochs = "probe_epochs"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.strictContainer(keyedBy: ReadableKeys.self)
        let d = EvaluationConfig()
        tasks = try c.decodeIfPresent([String].self, forKey: .tasks) ?? d.tasks
        dataRoot = try c.decodeIfPresent(String.self, forKey: .dataRoot)
        everyCheckpoints = try c.decodeIfPresent(Int.self, forKey: .everyCheckpoints) ?? d.everyCheckpoints
    }
}
