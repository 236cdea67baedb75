import Foundation
import XCTest
@testable import ColaEvaluation

final class EmbeddingCacheKeyTests: XCTestCase {
    func testRewritingAClipUnderTheSameNameChangesTheKey() throws {
        let folder = NSTemporaryDirectory() + "cola-cache-key-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/clip.wav"
        try Data(repeating: 1, count: 100).write(to: URL(fileURLWithPath: path))
        let clip = LabeledClip(path: path, label: 0, source: "a")
        let task = TaskData(name: "t", classNames: ["x"], train: [clip], valid: [], test: [clip])
        let first = EmbeddingCache.key(task: task, embedderIdentity: "e", windowing: "w")
        XCTAssertEqual(EmbeddingCache.key(task: task, embedderIdentity: "e", windowing: "w"), first, "the key is stable")

        try Data(repeating: 2, count: 120).write(to: URL(fileURLWithPath: path))
        XCTAssertNotEqual(EmbeddingCache.key(task: task, embedderIdentity: "e", windowing: "w"), first, "a rebuilt clip is re-embedded")

        try FileManager.default.removeItem(atPath: path)
        XCTAssertEqual(EmbeddingCache.fileFingerprint(path), "missing")
    }
}
