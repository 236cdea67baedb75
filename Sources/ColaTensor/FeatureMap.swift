/// How a ``FeatureMap`` orders its elements in memory.
public enum FeatureStorage: Sendable {
    /// N, H, W, C: every channel of a position together (Cola's default).
    case channelsLast
    /// N, C/16, H, W, 16: blocks of 16 channels, each block channels-last (oneDNN's `nChw16c`, which
    /// its Winograd convolution requires).
    case blocks16
}

/// A batch of feature maps `[N, C, H, W]`, stored channels-last (N, H, W, C) or in blocks of 16
/// channels (see ``FeatureStorage``).
///
/// A view: the memory belongs to an ``ActivationArena``.
public struct FeatureMap {
    public var pointer: UnsafeMutablePointer<Float>
    public var batch: Int
    public var channels: Int
    public var height: Int
    public var width: Int
    public var storage: FeatureStorage

    public init(_ pointer: UnsafeMutablePointer<Float>, batch: Int, channels: Int, height: Int, width: Int,
                storage: FeatureStorage = .channelsLast) {
        precondition(storage == .channelsLast || channels % 16 == 0, "blocks of 16 channels need a multiple of 16, not \(channels)")
        self.pointer = pointer
        self.batch = batch
        self.channels = channels
        self.height = height
        self.width = width
        self.storage = storage
    }

    /// Elements over the batch.
    public var count: Int { batch * channels * height * width }
    /// Spatial positions per sample.
    public var spatial: Int { height * width }
    /// Logical dimensions in oneDNN order (N, C, H, W).
    public var dims: [Int] { [batch, channels, height, width] }

    /// Channels stored together at each position: all of them channels-last, 16 in blocks.
    public var channelsPerPlane: Int { storage == .channelsLast ? channels : 16 }
    /// Planes per sample (1 channels-last, C/16 in blocks).
    public var planesPerSample: Int { channels / channelsPerPlane }

    /// The same memory seen as a channels-last map of `batch × planesPerSample` planes of
    /// ``channelsPerPlane`` channels: plane `p` holds channels from `(p % planesPerSample) · channelsPerPlane`
    /// of sample `p / planesPerSample`. Kernels written for channels-last run on it unchanged and
    /// offset per-channel parameters by ``channelOffset(ofPlane:)``.
    public var planes: FeatureMap {
        FeatureMap(pointer, batch: batch * planesPerSample, channels: channelsPerPlane, height: height, width: width)
    }

    /// The first channel of plane `plane` of ``planes``.
    public func channelOffset(ofPlane plane: Int) -> Int { (plane % planesPerSample) * channelsPerPlane }

    /// The same shape and storage at another address.
    public func relocated(to pointer: UnsafeMutablePointer<Float>) -> FeatureMap {
        FeatureMap(pointer, batch: batch, channels: channels, height: height, width: width, storage: storage)
    }

    /// The oneDNN layout of this map.
    public func layout() throws -> OneDNNLayout { try OneDNNLayout(dims, storage == .channelsLast ? .nhwc : .nChw16c) }
}
