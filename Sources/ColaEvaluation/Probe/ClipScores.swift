import Foundation

/// Clip-level scores from window-level logits: the mean of a clip's window logits is the
/// clip's logits (the reference's `TimeDistributed` model followed by `reduce_mean` over time).
public struct ClipScores: Sendable {
    /// Classes per clip.
    public let classCount: Int
    /// Mean logits of each scored clip, `scored.count × classCount`.
    public let logits: [Float]
    /// Label of each scored clip.
    public let labels: [Int]
    /// Windows averaged for each scored clip.
    public let windowCounts: [Int]

    /// Averages `rowLogits` (`split.rowCount × classCount`) over each clip's rows; clips without
    /// rows (unreadable) are left out.
    public init(rowLogits: [Float], split: EmbeddedSplit, classCount: Int) {
        self.classCount = classCount
        var logits: [Float] = []
        var labels: [Int] = []
        var windowCounts: [Int] = []
        for (clip, range) in split.rowRanges.enumerated() where !range.isEmpty {
            var mean = [Float](repeating: 0, count: classCount)
            for row in range {
                for c in 0..<classCount { mean[c] += rowLogits[row * classCount + c] }
            }
            logits += mean.map { $0 / Float(range.count) }
            labels.append(Int(split.labels[clip]))
            windowCounts.append(range.count)
        }
        self.logits = logits
        self.labels = labels
        self.windowCounts = windowCounts
    }

    /// Clips scored.
    public var count: Int { labels.count }

    /// The arg-max class of each clip (the first on ties).
    public var predictions: [Int] {
        (0..<count).map { clip in
            var best = 0
            for c in 1..<max(classCount, 1) where logits[clip * classCount + c] > logits[clip * classCount + best] { best = c }
            return best
        }
    }

    /// Share of clips whose arg-max is their label.
    public var accuracy: Double {
        guard count > 0 else { return 0 }
        return Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(count)
    }

    /// Mean softmax cross-entropy of the clip logits.
    public var crossEntropy: Double {
        guard count > 0 else { return 0 }
        var total: Double = 0
        for clip in 0..<count {
            let row = logits[(clip * classCount)..<((clip + 1) * classCount)]
            let peak = row.max() ?? 0
            let logSum = Double(peak) + log(row.reduce(0) { $0 + Double(exp($1 - peak)) })
            total += logSum - Double(row[row.startIndex + labels[clip]])
        }
        return total / Double(count)
    }

    /// Whether each clip's arg-max is its label.
    public var correct: [Bool] { zip(predictions, labels).map { $0 == $1 } }

    /// Each clip's margin `logit[positive] − max(other logits)`: its rank for detection.
    public func margins(positive: Int = 1) -> [Float] {
        (0..<count).map { clip in
            let row = logits[(clip * classCount)..<((clip + 1) * classCount)]
            var others = -Float.infinity
            for (c, value) in zip(0..., row) where c != positive { others = max(others, value) }
            return row[row.startIndex + positive] - others
        }
    }

    /// Average precision of class `positive` ranked by its margin `logit[positive] − max(other logits)`:
    /// the mean, over positive clips, of the precision among clips ranked at or above them.
    public func averagePrecision(positive: Int = 1) -> Double {
        Self.averagePrecision(margins: margins(positive: positive), positives: labels.map { $0 == positive }, of: Array(0..<count))
    }

    /// Average precision of the clips `indices` (repeats allowed, as in a bootstrap resample)
    /// ranked by `margins`, `positives` marking the clips of the detected class; 0 without positives.
    public static func averagePrecision(margins: [Float], positives: [Bool], of indices: [Int]) -> Double {
        let order = indices.sorted { margins[$0] > margins[$1] }
        var hits = 0
        var sum: Double = 0
        for (rank, clip) in order.enumerated() where positives[clip] {
            hits += 1
            sum += Double(hits) / Double(rank + 1)
        }
        return hits > 0 ? sum / Double(hits) : 0
    }
}
