import ColaCore
import Foundation
import XCTest
@testable import ColaAudio

final class PairBatchLoaderTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cola-loader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func noise(seconds: Double, seed: UInt64) -> [Float] {
        var random = SeededGenerator.keyed(seed: seed)
        return (0..<Int(seconds * 16000)).map { _ in random.unitInterval() - 0.5 }
    }

    private func wav(_ name: String, _ samples: [Float]) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try SoundFileWriter.write(samples, channels: 1, sampleRate: 16000, format: .wavFloat, to: path)
        return path
    }

    private func items(_ paths: [String]) -> [AudioItem] {
        paths.enumerated().map { AudioItem(index: $0, path: $1) }
    }

    func testPairsAreNormalizedCroppedAndDeterministic() {
        let clip = noise(seconds: 2, seed: 1)
        let sampler = PairSampler(seed: 9)
        var anchor = [Float](repeating: 0, count: PairSampler.valuesPerCrop), positive = anchor
        var louder = clip.map { $0 * 10 }
        XCTAssertEqual(PairSampler.sumOfSquares(clip), clip.reduce(0.0) { $0 + Double($1) * Double($1) }, accuracy: 1e-3)
        var waveform = clip
        let notes = sampler.makePair(from: &waveform, item: 3, epoch: 1, anchor: &anchor, positive: &positive)
        XCTAssertEqual(notes, PairNotes())
        var anchor2 = anchor, positive2 = positive
        _ = PairSampler(seed: 9).makePair(from: &louder, item: 3, epoch: 1, anchor: &anchor2, positive: &positive2)
        let scaleDiff = zip(anchor, anchor2).map { abs($0 - $1) }.max()!
        print("anchor of a 10× louder clip: max diff \(scaleDiff)")
        XCTAssertLessThan(scaleDiff, 1e-4, "waveform is L2-normalized first")
        XCTAssertNotEqual(anchor, positive, "independent crops")
        var otherEpoch = [Float](repeating: 0, count: PairSampler.valuesPerCrop), unused = otherEpoch
        waveform = clip
        _ = sampler.makePair(from: &waveform, item: 3, epoch: 2, anchor: &otherEpoch, positive: &unused)
        XCTAssertNotEqual(anchor, otherEpoch, "crops change with the epoch")

        var short = noise(seconds: 0.5, seed: 2)
        XCTAssertEqual(sampler.makePair(from: &short, item: 0, epoch: 0, anchor: &anchor, positive: &positive).padded, true)
        XCTAssertEqual(short.count, PairSampler.cropSamples)
        XCTAssertEqual(short[0], 0)
        XCTAssertEqual(short[(15_600 - 8000) / 2 - 1], 0)
        XCTAssertNotEqual(short[(15_600 - 8000) / 2], 0, "center padded")
        var silent = [Float](repeating: 0, count: 20000)
        XCTAssertEqual(sampler.makePair(from: &silent, item: 0, epoch: 0, anchor: &anchor, positive: &positive).silent, true)
        XCTAssertTrue(anchor.allSatisfy { $0 == log(Float(1e-5)) })
        XCTAssertTrue(positive.contains { $0 > log(Float(1e-5)) }, "noise reaches the positive")
    }

    func testEachBadInputKindIsCountedAndReplaced() throws {
        var paths = try (0..<6).map { try wav("good\($0).wav", noise(seconds: 1.2, seed: UInt64($0))) }
        paths.append(folder.appendingPathComponent("missing.wav").path)
        let corrupt = folder.appendingPathComponent("corrupt.wav").path
        _ = FileManager.default.createFile(atPath: corrupt, contents: Data("RIFF\u{0}\u{0}\u{0}\u{0}WAVEjunkjunkjunk".utf8))
        paths.append(corrupt)
        let zero = folder.appendingPathComponent("zero.wav").path
        _ = FileManager.default.createFile(atPath: zero, contents: Data())
        paths.append(zero)
        let truncated = folder.appendingPathComponent("truncated.flac").path
        try SoundFileWriter.write(noise(seconds: 3, seed: 7), channels: 1, sampleRate: 16000, format: .flac16, to: truncated)
        let data = try Data(contentsOf: URL(fileURLWithPath: truncated))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: truncated))
        paths.append(truncated)
        paths.append(try wav("nan.wav", [Float](repeating: .nan, count: 16000)))
        paths.append(try wav("short.wav", noise(seconds: 0.4, seed: 8)))
        paths.append(try wav("silent.wav", [Float](repeating: 0, count: 16000)))
        let all = items(paths)
        let warnings = WarningLog()
        let loader = try PairBatchLoader(
            items: all, configuration: PairBatchLoaderConfiguration(seed: 5, globalBatch: all.count, threads: 1, queueDepth: 2, warningLimit: 3),
            warn: { warnings.append($0) })
        let batch = loader.next()
        let counts = batch.counts
        print("counts: \(counts.summary); used \(batch.itemIndices)")
        XCTAssertEqual(counts.skipped, [.missing: 1, .unreadable: 1, .empty: 1, .truncated: 1, .nonFinite: 1])
        XCTAssertEqual(counts.padded, batch.itemIndices.filter { $0 == 11 }.count, "padded and kept, counted per use")
        XCTAssertEqual(counts.silent, batch.itemIndices.filter { $0 == 12 }.count, "silent and kept, counted per use")
        XCTAssertTrue(batch.itemIndices.contains(11) && batch.itemIndices.contains(12))
        XCTAssertEqual(batch.itemIndices.count, all.count, "the batch is always full")
        XCTAssertTrue(Set(batch.itemIndices).isDisjoint(with: 6...10), "no bad item used")
        XCTAssertTrue(batch.anchors.allSatisfy(\.isFinite) && batch.positives.allSatisfy(\.isFinite))
        XCTAssertEqual(warnings.count, 3, "only the first few files are named")
        loader.recycle(batch)
        let second = loader.next()
        XCTAssertEqual(second.globalPosition, all.count)
        XCTAssertEqual(loader.totals.totalSkipped, 5, "each bad file is counted once")
        loader.stop()
    }

    func testTwoThreadsDeliverStepsInOrderWithRecycledBuffers() throws {
        let all = items(try (0..<6).map { try wav("clip\($0).wav", noise(seconds: 1.1, seed: UInt64(20 + $0))) })
        let loader = try PairBatchLoader(items: all, configuration: PairBatchLoaderConfiguration(seed: 2, globalBatch: 4, startPosition: 8, threads: 2, queueDepth: 2))
        let order = SampleOrder(itemCount: 6, seed: 2)
        var buffers = Set<ObjectIdentifier>()
        for step in 0..<6 {
            let batch = loader.next()
            XCTAssertEqual(batch.globalPosition, 8 + 4 * step)
            XCTAssertEqual(batch.itemIndices, order.stepItems(globalPosition: 8 + 4 * step, globalBatch: 4, rank: 0, worldSize: 1).items)
            XCTAssertGreaterThanOrEqual(batch.dataWaitSeconds, 0)
            buffers.insert(ObjectIdentifier(batch))
            loader.recycle(batch)
        }
        loader.stop()
        XCTAssertLessThanOrEqual(buffers.count, 4, "queue depth + threads buffers, reused")
    }

    func testSameItemGetsTheSamePairOnAnyRankCount() throws {
        let all = items(try (0..<8).map { try wav("clip\($0).wav", noise(seconds: 1.5, seed: UInt64(10 + $0))) })
        var byItem = [Int: [Float]]()
        for worldSize in [1, 2] {
            for rank in 0..<worldSize {
                let loader = try PairBatchLoader(
                    items: all, configuration: PairBatchLoaderConfiguration(seed: 3, globalBatch: 4, rank: rank, worldSize: worldSize, threads: 1))
                for _ in 0..<2 {
                    let batch = loader.next()
                    for (slot, item) in batch.itemIndices.enumerated() {
                        let pair = Array(batch.positives[slot * PairSampler.valuesPerCrop..<(slot + 1) * PairSampler.valuesPerCrop])
                        if let seen = byItem[item] {
                            XCTAssertEqual(seen, pair, "item \(item) on \(worldSize) ranks")
                        } else {
                            byItem[item] = pair
                        }
                    }
                }
                loader.stop()
            }
        }
        XCTAssertEqual(byItem.count, 8)
    }

    func testShardWithNoReadableFileFailsBeforeTraining() throws {
        let good = try wav("good.wav", noise(seconds: 1, seed: 1))
        let bad = (0..<4).map { folder.appendingPathComponent("gone\($0).wav").path }
        XCTAssertThrowsError(try PairBatchLoader(items: items(bad), configuration: PairBatchLoaderConfiguration(seed: 1, globalBatch: 2))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("rank 0 of 1: none of the 4 files"), text)
            XCTAssertTrue(text.contains("gone"), text)
        }
        let loader = try PairBatchLoader(items: items(bad + [good]), configuration: PairBatchLoaderConfiguration(seed: 1, globalBatch: 2))
        XCTAssertEqual(loader.next().itemIndices, [4, 4], "the one good clip fills the batch")
        loader.stop()
    }
}

/// Collects warnings from the loader's threads.
private final class WarningLog: @unchecked Sendable {
    private let lock = NSLock()
    private var messages = [String]()
    func append(_ message: String) { lock.withLock { messages.append(message) } }
    var count: Int { lock.withLock { messages.count } }
}
