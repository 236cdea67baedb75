/// How a ``FeatureMap`` orders its elements in memory.
public enum FeatureStorage: String, Sendable, Codable, CaseIterable {
    /// N, H, W, C: every channel of a position together (Cola's default).
    case channelsLast = "channels_last"
    /// N, C/8, H, W, 8: blocks of 8 channels (oneDNN's `nChw8c`, the layout its AVX2 JIT
    /// convolutions and batch norm take natively).
    case blocks8 = "blocks8"
    /// N, C/16, H, W, 16: blocks of 16 channels (oneDNN's `nChw16c`, the layout of its AVX-512 JIT
    /// kernels, which its Winograd convolution requires).
    case blocks16 = "blocks16"

    /// Channels stored together at one position of a block: 8 or 16, nil for channels-last.
    public var channelBlock: Int? {
        switch self {
        case .channelsLast: return nil
        case .blocks8: return 8
        case .blocks16: return 16
        }
    }

    /// Blocks of `width` channels (8 or 16).
    public static func blocks(of width: Int) -> FeatureStorage {
        precondition(width == 8 || width == 16, "channel blocks are 8 or 16 wide, not \(width)")
        return width == 8 ? .blocks8 : .blocks16
    }
}

/// A batch of feature maps `[N, C, H, W]`, stored channels-last (N, H, W, C) or in blocks of 8 or
/// 16 channels (see ``FeatureStorage``).
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
        precondition(channels % (storage.channelBlock ?? 1) == 0,
                     "blocks of \(storage.channelBlock ?? 1) channels need a multiple of \(storage.channelBlock ?? 1), not \(channels)")
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

    /// Channels stored together at each position: all of them channels-last, 8 or 16 in blocks.
    public var channelsPerPlane: Int { storage.channelBlock ?? channels }
    /// Planes per sample (1 channels-last, C/8 or C/16 in blocks).
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
    public func layout() throws -> OneDNNLayout {
        switch storage {
        case .channelsLast: return try OneDNNLayout(dims, .nhwc)
        case .blocks8: return try OneDNNLayout(dims, .nChw8c)
        case .blocks16: return try OneDNNLayout(dims, .nChw16c)
        }
    }
}
