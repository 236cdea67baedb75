import ColaCore

/// Subsets of an embedded split by clip: few-shot draws and cross-validation folds.
extension EmbeddedSplit {
    /// The class of each row.
    var rowLabels: [Int32] { clipOfRow.map { labels[Int($0)] } }

    /// The clips that have rows (readable ones), grouped by class `0..<classes`, in clip order.
    func scoredClipsByClass(classes: Int) -> [[Int]] {
        var byClass = [[Int]](repeating: [], count: classes)
        for (clip, range) in rowRanges.enumerated() where !range.isEmpty { byClass[Int(labels[clip])].append(clip) }
        return byClass
    }

    /// The split with only `clips` (indices into ``labels``), in the given order, clips renumbered.
    func keepingClips(_ clips: [Int]) -> EmbeddedSplit {
        let ranges = rowRanges
        var subset = EmbeddedSplit(width: width)
        subset.rows.reserveCapacity(clips.reduce(0) { $0 + ranges[$1].count } * width)
        for (index, clip) in clips.enumerated() {
            subset.labels.append(labels[clip])
            let range = ranges[clip]
            subset.rows += rows[(range.lowerBound * width)..<(range.upperBound * width)]
            subset.clipOfRow += [Int32](repeating: Int32(index), count: range.count)
        }
        return subset
    }
}

/// A seeded random order of a split's clips that a few lines of Python reproduce
/// (`benchmarks/probe_standins.py`): clip `i` gets the `i`-th output of `SeededGenerator(state: stream)`,
/// and clips are taken in increasing order of it.
enum SeededClipOrder {
    /// The key of every clip `0..<count`.
    static func keys(count: Int, stream: UInt64) -> [UInt64] {
        var generator = SeededGenerator(state: stream)
        return (0..<count).map { _ in generator.next() }
    }

    /// `clips` by increasing key.
    static func ordered(_ clips: [Int], keys: [UInt64]) -> [Int] {
        clips.sorted { keys[$0] < keys[$1] }
    }
}

/// Few-shot training sets: `shots` clips per class drawn from a task's training clips.
public enum FewShotDraw {
    /// Clip indices of draw `draw`: for each class, the `shots` of its readable clips first in
    /// the seeded order of stream `seed ^ (0xf3a75b0c1d2e4f69 · (draw + 1))` (all of them when it
    /// has fewer), in clip order. Only `seed` and `draw` decide, so every embedder scored on a
    /// task sees the same clips.
    public static func clips(of split: EmbeddedSplit, classes: Int, shots: Int, seed: UInt64, draw: Int) -> [Int] {
        let keys = SeededClipOrder.keys(count: split.clipCount, stream: seed ^ (0xf3a7_5b0c_1d2e_4f69 &* UInt64(draw + 1)))
        return split.scoredClipsByClass(classes: classes).flatMap { clips in
            SeededClipOrder.ordered(clips, keys: keys).prefix(shots).sorted()
        }
    }
}
