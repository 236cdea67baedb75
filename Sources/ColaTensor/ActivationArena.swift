/// A bump allocator for activations that keeps its memory across steps.
///
/// Memory comes in blocks that are allocated the first time a step needs them and reused after
/// every ``reset()``: a step that repeats the previous step's requests allocates nothing.
public final class ActivationArena {
    private var blocks: [FloatBuffer] = []
    private var blockIndex = 0
    private var offset = 0
    private let minimumBlock: Int

    /// An empty arena that grows in blocks of at least `minimumBlock` floats.
    public init(minimumBlock: Int = 1 << 22) {
        self.minimumBlock = minimumBlock
    }

    /// Floats held over all blocks.
    public var capacity: Int { blocks.reduce(0) { $0 + $1.count } }

    /// Makes all memory available again (pointers handed out before become invalid).
    public func reset() {
        blockIndex = 0
        offset = 0
    }

    /// `count` floats, 64-byte aligned, uninitialized.
    public func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let rounded = (max(count, 1) + 15) & ~15
        while blockIndex < blocks.count {
            if offset + rounded <= blocks[blockIndex].count {
                defer { offset += rounded }
                return blocks[blockIndex].pointer + offset
            }
            blockIndex += 1
            offset = 0
        }
        blocks.append(FloatBuffer(count: max(rounded, minimumBlock)))
        offset = rounded
        return blocks[blockIndex].pointer
    }

    /// `count` floats set to zero.
    public func takeZeroed(_ count: Int) -> UnsafeMutablePointer<Float> {
        let p = take(count)
        p.initialize(repeating: 0, count: count)
        return p
    }
}
