/// A batch of feature maps `[N, C, H, W]` stored channels-last (N, H, W, C), Cola's activation layout.
///
/// A view: the memory belongs to an ``ActivationArena``.
public struct FeatureMap {
    public var pointer: UnsafeMutablePointer<Float>
    public var batch: Int
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(_ pointer: UnsafeMutablePointer<Float>, batch: Int, channels: Int, height: Int, width: Int) {
        self.pointer = pointer
        self.batch = batch
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// Elements over the batch.
    public var count: Int { batch * channels * height * width }
    /// Spatial positions per sample.
    public var spatial: Int { height * width }
    /// Logical dimensions in oneDNN order (N, C, H, W).
    public var dims: [Int] { [batch, channels, height, width] }

    /// The oneDNN layout of this map.
    public func layout() throws -> OneDNNLayout { try OneDNNLayout(dims, .nhwc) }
}
