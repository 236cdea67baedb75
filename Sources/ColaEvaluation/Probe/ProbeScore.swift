/// One embedder's score on one task, as `results.json` holds it (the task's own score at the
/// task level, each floor's under `floors`). Every field but `accuracy` is optional so that
/// results written before the L-BFGS probe (which had `best_epoch`/`epochs` instead) still read.
public struct ProbeScore: Sendable, Codable, Equatable {
    /// Test accuracy (clip level); with several few-shot draws, their mean.
    public var accuracy: Double
    /// 95% bootstrap interval of ``accuracy`` over test clips.
    public var accuracyInterval: ScoreInterval?
    /// Standard deviation of the accuracy over few-shot draws (two or more draws).
    public var accuracyStandardDeviation: Double?
    /// Accuracy of each few-shot draw (two or more draws).
    public var drawAccuracies: [Double]?
    /// Average precision of the positive class, for detection tasks (mean over draws).
    public var averagePrecision: Double?
    /// 95% bootstrap interval of ``averagePrecision``.
    public var averagePrecisionInterval: ScoreInterval?
    /// How `C` was chosen (`validation`, `5-fold cross-validation`, `fixed`).
    public var selection: String?
    /// Held-out clip accuracy at the chosen `C` (mean over draws); `nil` when `C` was fixed.
    public var selectionAccuracy: Double?
    /// The chosen `C` (scikit-learn's inverse regularization) of each draw.
    public var regularization: [Double]?
    /// L-BFGS iterations of the final fit (the most over draws).
    public var iterations: Int?
    /// Whether every final fit met the gradient tolerance.
    public var converged: Bool?
    /// Seconds spent embedding (0 when the cache had them).
    public var embeddingSeconds: Double?
    /// Seconds spent fitting and scoring the probe.
    public var probeSeconds: Double?
    /// Whether the embeddings came from the cache.
    public var cached: Bool?

    /// A score of `accuracy`; the other fields are set by the caller.
    public init(accuracy: Double) {
        self.accuracy = accuracy
    }

    enum CodingKeys: String, CodingKey {
        case accuracy, accuracyInterval = "accuracy_interval", accuracyStandardDeviation = "accuracy_std"
        case drawAccuracies = "draw_accuracies", averagePrecision = "mAP", averagePrecisionInterval = "mAP_interval"
        case selection, selectionAccuracy = "selection_accuracy", regularization = "C", iterations, converged
        case embeddingSeconds = "embedding_seconds", probeSeconds = "probe_seconds", cached = "embeddings_cached"
    }
}
