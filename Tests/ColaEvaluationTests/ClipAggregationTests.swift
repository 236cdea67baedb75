import ColaEvaluation
import XCTest

final class ClipAggregationTests: XCTestCase {
    func testEvaluationWindowsCoverClipsOfSeveralLengths() {
        // 0.5 s: one window, centred; exactly one window; 16,000 samples: the 400-sample tail is
        // dropped; 40,000: two whole windows, the 8,800-sample tail dropped; 47,000: three.
        XCTAssertEqual(ClipCrops.evaluationOffsets(sampleCount: 8_000), [-3_800])
        XCTAssertEqual(ClipCrops.evaluationOffsets(sampleCount: 15_600), [0])
        XCTAssertEqual(ClipCrops.evaluationOffsets(sampleCount: 16_000), [0])
        XCTAssertEqual(ClipCrops.evaluationOffsets(sampleCount: 40_000), [0, 15_600])
        XCTAssertEqual(ClipCrops.evaluationOffsets(sampleCount: 47_000), [0, 15_600, 31_200])
    }

    func testShortClipIsZeroPaddedOnBothSidesAndNormalized() {
        let window = ClipCrops.window([Float](repeating: 1, count: 8_000), offset: -3_800)
        XCTAssertEqual(window.count, 15_600)
        XCTAssertEqual(window[3_799], 0)
        XCTAssertEqual(window[11_800], 0)
        XCTAssertEqual(window[3_800], 1 / Float(8_000).squareRoot(), accuracy: 1e-7)
        let norm = window.reduce(0) { $0 + $1 * $1 }
        XCTAssertEqual(norm, 1, accuracy: 1e-4)
    }

    func testTrainingWindowsStayInsideTheClip() {
        let offsets = ClipCrops.trainingOffsets(sampleCount: 48_000, count: 50, seed: 7)
        XCTAssertTrue(offsets.allSatisfy { (0...(48_000 - 15_600)).contains($0) })
        XCTAssertGreaterThan(Set(offsets).count, 40)
        XCTAssertEqual(ClipCrops.trainingOffsets(sampleCount: 48_000, count: 50, seed: 7), offsets, "seeded")
        XCTAssertEqual(ClipCrops.trainingOffsets(sampleCount: 10_000, count: 2, seed: 7), [-2_800, -2_800])
    }

    func testSplitEmbeddingGivesOneRowPerWindowAndAveragesLogitsPerClip() throws {
        let layout = try MiniatureLayout("aggregation")
        let seconds = [0.5, 1.0, 3.0, 2.5]
        let clips = try seconds.enumerated().map { index, length in
            LabeledClip(path: try layout.wav("clip\(index).wav", seconds: length), label: index % 2, source: "\(index)")
        }
        let split = try SplitEmbedding(embedder: LogMelStatisticsEmbedder(), batchSize: 3).embed(clips, windows: .consecutive)
        XCTAssertEqual(split.rowRanges.map(\.count), [1, 1, 3, 2], "0.5 s padded and counted; 3.0 s → 3; 2.5 s → 2")
        XCTAssertEqual(split.rows.count, 7 * 128)

        // Logits of the seven windows: clip 0 → class 0; clip 2's windows disagree but average to class 1.
        let rowLogits: [Float] = [
            2, 0,
            0, 1,
            3, 0,  0, 5,  0, 1,
            1, 0,  1, 0,
        ]
        let scores = ClipScores(rowLogits: rowLogits, split: split, classCount: 2)
        XCTAssertEqual(scores.windowCounts, [1, 1, 3, 2])
        XCTAssertEqual(Array(scores.logits[4..<6]), [1, 2])
        XCTAssertEqual(scores.predictions, [0, 1, 1, 0])
        XCTAssertEqual(scores.labels, [0, 1, 0, 1])
        XCTAssertEqual(scores.accuracy, 0.5)
    }

    func testUnreadableClipIsLeftOutAndNamed() throws {
        let layout = try MiniatureLayout("unreadable")
        try layout.text("broken.wav", ["not audio"])
        let clips = [
            LabeledClip(path: try layout.wav("fine.wav", seconds: 1), label: 0, source: "a"),
            LabeledClip(path: layout.path("broken.wav"), label: 1, source: "b"),
        ]
        let split = try SplitEmbedding(embedder: LogMelStatisticsEmbedder()).embed(clips, windows: .consecutive)
        XCTAssertEqual(split.scoredClipCount, 1)
        XCTAssertEqual(split.unreadable.map(\.index), [1])
        XCTAssertEqual(split.unreadable.first?.error.reason, .unreadable)
        XCTAssertTrue("\(split.unreadable[0].error)".contains("broken.wav"), "\(split.unreadable[0].error)")
    }

    func testAveragePrecisionRanksByPositiveMargin() throws {
        var split = EmbeddedSplit(width: 1)
        split.labels = [1, 0, 1, 0]
        split.clipOfRow = [0, 1, 2, 3]
        split.rows = [0, 0, 0, 0]
        // margins: 3, 2, 1, -1 → ranking 1,0,1,0 → AP = (1/1 + 2/3) / 2.
        let scores = ClipScores(rowLogits: [0, 3, 0, 2, 0, 1, 1, 0], split: split, classCount: 2)
        XCTAssertEqual(scores.averagePrecision(positive: 1), (1 + 2.0 / 3) / 2, accuracy: 1e-12)
    }
}
