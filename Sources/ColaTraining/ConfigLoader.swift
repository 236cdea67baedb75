import Foundation
import Yams

/// A config that cannot be used, naming the file, the key and (where known) the line.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    /// The config file.
    public let file: String
    /// The dotted key, e.g. `training.batch_size`; empty for the whole file.
    public let key: String
    /// 1-based line of the offending key, when the YAML parser knows it.
    public let line: Int?
    /// What is wrong and what was expected.
    public let problem: String

    /// An error for `key` of `file` (empty: the whole file), at `line` when known.
    public init(file: String, key: String, line: Int?, problem: String) {
        self.file = file
        self.key = key
        self.line = line
        self.problem = problem
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return key.isEmpty ? "\(place): \(problem)" : "\(place): \(key): \(problem)"
    }
}

extension RunConfig {
    /// Reads, overrides and validates a config file.
    ///
    /// - Parameters:
    ///   - path: The YAML file.
    ///   - overrides: `dotted.key=value` pairs applied on top of the file (`--set`); the value is YAML.
    public static func load(path: String, overrides: [String] = []) throws -> RunConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, key: "", line: nil, problem: "cannot read the file (\(error.localizedDescription))")
        }
        return try parse(yaml: text, file: path, overrides: overrides)
    }

    /// Parses YAML text as a config; `file` names it in errors.
    public static func parse(yaml text: String, file: String, overrides: [String] = []) throws -> RunConfig {
        var root = try StrictYAML.compose(text, file: file)
        for override in overrides {
            try apply(override: override, to: &root, file: file)
        }
        let config = try StrictYAML.decode(RunConfig.self, from: root, file: file)
        try config.validate(file: file)
        return config
    }

    /// The config as YAML, as written to `runs/<name>/config.yaml`.
    public func yaml() throws -> String {
        try YAMLEncoder().encode(self)
    }

    /// Checks ranges and combinations that types alone cannot express.
    public func validate(file: String) throws {
        func fail(_ key: String, _ problem: String) -> ConfigError {
            ConfigError(file: file, key: key, line: nil, problem: problem)
        }
        guard !name.isEmpty, !name.contains("/") else { throw fail("name", "must be a non-empty name without '/'") }
        guard training.batchSize >= 2 else { throw fail("training.batch_size", "must be at least 2 (a batch needs negatives), got \(training.batchSize)") }
        guard training.steps >= 1 else { throw fail("training.steps", "must be at least 1, got \(training.steps)") }
        guard training.learningRate > 0 else { throw fail("training.learning_rate", "must be positive, got \(training.learningRate)") }
        guard training.baseBatchSize >= 1 else { throw fail("training.base_batch_size", "must be at least 1, got \(training.baseBatchSize)") }
        guard training.warmupSteps >= 0 else { throw fail("training.warmup_steps", "must be 0 (no warm-up) or positive, got \(training.warmupSteps)") }
        guard (0...1).contains(training.minLearningRateFraction) else {
            throw fail("training.min_learning_rate_fraction", "must be in [0, 1] (a fraction of the peak rate), got \(training.minLearningRateFraction)")
        }
        guard training.weightDecay >= 0 else { throw fail("training.weight_decay", "must be non-negative") }
        guard training.chunkSize >= 0 else { throw fail("training.chunk_size", "must be 0 (off) or a positive clip count") }
        guard training.threadsPerRank >= 0 else { throw fail("training.threads_per_rank", "must be 0 (automatic) or positive") }
        guard training.bucketMegabytes > 0 else { throw fail("training.bucket_megabytes", "must be positive") }
        guard training.checkpointEvery >= 0 else { throw fail("training.checkpoint_every", "must be 0 (only at the end) or positive") }
        guard training.keepCheckpoints >= 1 else { throw fail("training.keep_checkpoints", "must keep at least 1") }
        guard training.localGroups >= 0 else { throw fail("training.local_groups", "must be 0 (one per rank) or positive") }
        guard training.logEvery >= 1 else { throw fail("training.log_every", "must be at least 1") }
        guard model.embeddingDim >= 1 else { throw fail("model.embedding_dim", "must be positive") }
        guard model.temperature > 0 else { throw fail("model.temperature", "must be positive") }
        guard data.sampleRate >= 8000 else { throw fail("data.sample_rate", "must be at least 8000 Hz") }
        guard data.cropFrames >= 32 else { throw fail("data.crop_frames", "must be at least 32 frames (the encoder downsamples 32×)") }
        guard data.noiseStd >= 0 else { throw fail("data.noise_std", "must be non-negative") }
        guard data.prefetchBatches >= 1 else { throw fail("data.prefetch_batches", "must be at least 1") }
        guard data.loaderThreads >= 1 else { throw fail("data.loader_threads", "must be at least 1") }
        guard !data.pathPatterns.isEmpty else { throw fail("data.path_patterns", "needs at least one pattern") }
        guard evaluation.everyCheckpoints >= 0 else { throw fail("evaluation.every_checkpoints", "must be non-negative") }
    }

    private static func apply(override: String, to root: inout Node, file: String) throws {
        guard let equals = override.firstIndex(of: "="), equals != override.startIndex else {
            throw ConfigError(file: file, key: override, line: nil, problem: "--set expects key=value, e.g. training.batch_size=64")
        }
        let path = override[..<equals].split(separator: ".").map(String.init)
        let valueText = String(override[override.index(after: equals)...])
        guard let value = try? Yams.compose(yaml: valueText) ?? Node("", Tag(.null)) else {
            throw ConfigError(file: file, key: path.joined(separator: "."), line: nil, problem: "--set value is not valid YAML: \(valueText)")
        }
        root = try setting(value, at: path[...], in: root, file: file, fullKey: path.joined(separator: "."))
    }

    private static func setting(_ value: Node, at path: ArraySlice<String>, in node: Node, file: String, fullKey: String) throws -> Node {
        guard let head = path.first else { return value }
        guard var mapping = node.mapping else {
            throw ConfigError(file: file, key: fullKey, line: nil, problem: "--set: parent of '\(head)' is not a section")
        }
        let child = mapping[head] ?? Node.mapping(Node.Mapping([]))
        mapping[head] = try setting(value, at: path.dropFirst(), in: child, file: file, fullKey: fullKey)
        return Node.mapping(mapping)
    }
}
