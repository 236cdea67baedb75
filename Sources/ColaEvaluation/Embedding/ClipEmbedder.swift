/// Turns log-mel crops into fixed-width embeddings: the one thing the transfer suite needs from
/// an encoder.
///
/// Crops are 96 frames × 64 mel bands, row-major `[frames][bands]`, `count` of them back to back
/// (the model input layout `[count, 1, 96, 64]`). Implementations: ``LogMelStatisticsEmbedder``
/// (a floor without any learning), ``ModelEmbedder`` (randomly initialized or trained encoder).
public protocol ClipEmbedder: AnyObject {
    /// Names the embedder and its weights, e.g. `logmel-stats` or `checkpoint:<hash of model.bin>`;
    /// cached embeddings are keyed by it, so it must change whenever the output would.
    var identity: String { get }
    /// A short name for reports, e.g. `logmel-stats`, `random-effnet`, `step-000500`.
    var displayName: String { get }
    /// Values per embedding.
    var width: Int { get }
    /// Embeds `count` crops (`count × 96 × 64` floats) into `count × width` floats.
    func embed(_ crops: [Float], count: Int) throws -> [Float]
}

/// The crop geometry every embedder receives.
public enum CropGeometry {
    /// Samples per crop at 16 kHz: 96 frames with window 400 and hop 160, no padding.
    public static let samples = 15_600
    /// Log-mel frames per crop (rows).
    public static let frames = 96
    /// Mel bands per frame (columns).
    public static let bands = 64
    /// Floats per crop.
    public static let floats = frames * bands
    /// Input sample rate.
    public static let sampleRate = 16_000
}
