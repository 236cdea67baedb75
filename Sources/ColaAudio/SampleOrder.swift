import ColaCore
import Synchronization

/// The order in which a data set's items are visited: a seeded permutation per epoch, walked by
/// a global sample position (samples consumed since training began, across epochs).
///
/// Position p is item `permutation(epoch: p / itemCount)[p % itemCount]`. A global batch is the
/// slice `[position, position + globalBatch)`; rank r of N takes slice offsets r, r + N, r + 2N,
/// … (rank-strided). Because the order does not depend on N, a run can stop at any position and
/// resume on a different number of ranks with no item skipped or repeated within an epoch.
/// A batch that crosses an epoch boundary takes the end of one epoch and the start of the next.
public final class SampleOrder: Sendable {
    /// Items in the data set.
    public let itemCount: Int
    /// Seed of every epoch's permutation.
    public let seed: UInt64

    private let cache = Mutex<[Int: [Int]]>([:])

    /// An order over `itemCount` items.
    public init(itemCount: Int, seed: UInt64) {
        precondition(itemCount > 0, "SampleOrder: no items")
        self.itemCount = itemCount
        self.seed = seed
    }

    /// The permutation of `0 ..< itemCount` used in `epoch` (Fisher–Yates keyed on seed and epoch).
    public func permutation(epoch: Int) -> [Int] {
        if let cached = cache.withLock({ $0[epoch] }) { return cached }
        var order = Array(0..<itemCount)
        var random = SeededGenerator.keyed(seed: seed, 0x5045_524D, UInt64(epoch))
        for i in stride(from: itemCount - 1, to: 0, by: -1) {
            order.swapAt(i, random.below(i + 1))
        }
        cache.withLock { cache in
            cache = cache.filter { abs($0.key - epoch) <= 1 }
            cache[epoch] = order
        }
        return order
    }

    /// The epoch a global position falls in.
    public func epoch(ofPosition position: Int) -> Int { position / itemCount }

    /// The item visited at global `position`.
    public func item(atPosition position: Int) -> Int {
        permutation(epoch: position / itemCount)[position % itemCount]
    }

    /// Global positions rank `rank` of `worldSize` reads in the step starting at `globalPosition`.
    public func positions(globalPosition: Int, globalBatch: Int, rank: Int, worldSize: Int) -> [Int] {
        precondition(worldSize > 0 && rank >= 0 && rank < worldSize, "SampleOrder: rank \(rank) of \(worldSize)")
        precondition(globalBatch % worldSize == 0, "SampleOrder: global batch \(globalBatch) not divisible by \(worldSize) ranks")
        return stride(from: globalPosition + rank, to: globalPosition + globalBatch, by: worldSize).map { $0 }
    }

    /// This rank's item indices for one step and the global position of the next step.
    ///
    /// - Parameters:
    ///   - globalPosition: Samples consumed by all ranks before this step.
    ///   - globalBatch: Samples per step over all ranks (a multiple of `worldSize`).
    public func stepItems(globalPosition: Int, globalBatch: Int, rank: Int, worldSize: Int) -> (items: [Int], nextPosition: Int) {
        let positions = positions(globalPosition: globalPosition, globalBatch: globalBatch, rank: rank, worldSize: worldSize)
        return (positions.map(item(atPosition:)), globalPosition + globalBatch)
    }
}
