/// The floor without learning: each band's mean and standard deviation over the crop's 96
/// frames, 128 values (means first, then standard deviations).
public final class LogMelStatisticsEmbedder: ClipEmbedder {
    public let identity = "logmel-stats-v1"
    public let displayName = "logmel-stats"
    public let width = 2 * CropGeometry.bands

    /// The baseline embedder.
    public init() {}

    public func embed(_ crops: [Float], count: Int) throws -> [Float] {
        precondition(crops.count >= count * CropGeometry.floats, "LogMelStatisticsEmbedder: \(crops.count) floats for \(count) crops")
        let bands = CropGeometry.bands
        let frames = CropGeometry.frames
        var output = [Float](repeating: 0, count: count * width)
        crops.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                for crop in 0..<count {
                    let base = crop * CropGeometry.floats
                    for band in 0..<bands {
                        var sum: Double = 0
                        var squares: Double = 0
                        for frame in 0..<frames {
                            let value = Double(input[base + frame * bands + band])
                            sum += value
                            squares += value * value
                        }
                        let mean = sum / Double(frames)
                        let variance = max(0, squares / Double(frames) - mean * mean)
                        out[crop * width + band] = Float(mean)
                        out[crop * width + bands + band] = Float(variance.squareRoot())
                    }
                }
            }
        }
        return output
    }
}
