import ColaModel

extension TransferSuite {
    /// Scores trained encoder weights on the transfer suite, with the log-mel statistics and
    /// random-encoder floors beside them: what `cola pretrain`'s rank 0 calls after training
    /// (or every K checkpoints), with the same protocol as `cola eval`'s defaults.
    ///
    /// ```
    /// let configuration = try ModelEmbedder.configuration(encoder: config.model.encoder.rawValue,
    ///     similarity: config.model.similarity.rawValue, temperature: config.model.temperature,
    ///     embeddingSize: config.model.embeddingDim)
    /// try TransferSuite.scoreTrainedEncoder(configuration, parameters: (snapshot.parameterTable, snapshot.parameters),
    ///     buffers: (snapshot.bufferTable, snapshot.buffers), name: "step-002000",
    ///     dataRoot: root, tasks: config.evaluation.tasks, outputDirectory: "\(runDir)/eval",
    ///     configurationText: yaml) { print($0) }
    /// ```
    ///
    /// - Parameters:
    ///   - name: How the encoder appears in the report and `scores.csv` (e.g. the checkpoint's step folder).
    ///   - tasks: Task names or `all` (an empty list scores nothing and writes an empty report).
    ///   - outputDirectory: Receives `results.json` and `results.md`; `scores.csv` goes next to it
    ///     unless `scoresFile` is given.
    ///   - cacheDirectory: Embedding cache (default ``EmbeddingCache/defaultDirectory``).
    @discardableResult
    public static func scoreTrainedEncoder(
        _ configuration: ModelConfiguration,
        parameters: (table: ParameterTable, values: [Float]),
        buffers: (table: ParameterTable, values: [Float]),
        name: String,
        dataRoot: String,
        tasks: [String],
        outputDirectory: String,
        configurationText: String = "",
        scoresFile: String? = nil,
        cacheDirectory: String? = nil,
        log: (String) -> Void = { _ in }
    ) throws -> SuiteReport {
        let embedder = try ModelEmbedder.trained(configuration, parameters: parameters, buffers: buffers, displayName: name)
        var options = TransferSuiteOptions(dataRoot: dataRoot, tasks: SuiteTask.select(tasks.joined(separator: ","), dataRoot: dataRoot), outputDirectory: outputDirectory)
        if let scoresFile { options.scoresFile = scoresFile }
        if let cacheDirectory { options.cacheDirectory = cacheDirectory }
        options.configurationText = configurationText
        let floors: [any ClipEmbedder] = [LogMelStatisticsEmbedder(), ModelEmbedder.random(configuration.encoder)]
        return try TransferSuite(embedder: embedder, floors: floors, options: options).run(log: log)
    }
}
