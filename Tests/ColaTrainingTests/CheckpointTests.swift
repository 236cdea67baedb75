import ColaModel
import Foundation
import XCTest
@testable import ColaTraining

final class CheckpointTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "cola-checkpoint-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func sample(step: Int) -> Checkpoint {
        var table = ParameterTable()
        table.register("encoder.conv.weight", shape: [4, 1, 3, 3])
        table.register("head.dense.bias", shape: [5])
        var buffers = ParameterTable()
        buffers.register("encoder.bn.running_mean", shape: [4])
        let parameters = (0..<table.count).map { Float($0) * 0.25 - 3 + Float(step) }
        let state = TrainingState(step: step, dataPosition: step * 8, epoch: 0, rngSeed: 7, rngStep: step,
                                  worldSize: 2, globalBatch: 8, config: "name: t\n", gitRevision: nil,
                                  writtenAt: "2026-01-01T00:00:00Z")
        return Checkpoint(
            model: ModelSnapshot(parameterTable: table, parameters: parameters, bufferTable: buffers, buffers: [1, 2, 3, 4]),
            optimizer: OptimizerSnapshot(step: step, firstMoment: parameters.map { $0 * 0.1 }, secondMoment: parameters.map { $0 * $0 }),
            state: state)
    }

    func testCRC32MatchesTheStandardCheckValue() {
        let value = Array("123456789".utf8).withUnsafeBytes { CRC32.checksum($0) }
        XCTAssertEqual(value, 0xCBF4_3926)
    }

    func testCheckpointRoundTripIsExact() throws {
        let store = CheckpointStore(directory: folder, keep: 3)
        let original = sample(step: 500)
        let path = try store.write(original)
        XCTAssertTrue(path.hasSuffix("step-000500"))
        XCTAssertEqual(store.latest, "\(folder!)/step-000500")
        let reread = try Checkpoint.read(directory: path)
        XCTAssertEqual(reread, original)
        XCTAssertEqual(reread.model.parameters.map(\.bitPattern), original.model.parameters.map(\.bitPattern))
    }

    func testOnlyTheLastCheckpointsAreKept() throws {
        let store = CheckpointStore(directory: folder, keep: 2)
        for step in [10, 20, 30, 40] { try store.write(sample(step: step)) }
        XCTAssertEqual(store.list().map(\.step), [30, 40])
        XCTAssertEqual(store.latest, "\(folder!)/step-000040")
    }

    func testCorruptedCheckpointIsRefusedAndThePreviousOneUsed() throws {
        let store = CheckpointStore(directory: folder, keep: 3)
        try store.write(sample(step: 10))
        let newest = try store.write(sample(step: 20))
        // Flip one bit in the middle of the parameter data.
        let modelPath = "\(newest)/model.bin"
        var bytes = [UInt8](FileManager.default.contents(atPath: modelPath)!)
        bytes[bytes.count / 2] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: modelPath))

        XCTAssertThrowsError(try Checkpoint.read(directory: newest)) { error in
            XCTAssertTrue("\(error)".contains("checksum mismatch"), "\(error)")
            XCTAssertTrue("\(error)".contains("model.bin"), "\(error)")
        }
        let loaded = try CheckpointStore.loadNewestValid(startingAt: nil, in: store)
        XCTAssertEqual(loaded.checkpoint.state.step, 10)
        XCTAssertEqual(loaded.refused.count, 1)
        XCTAssertTrue(loaded.refused[0].contains("step-000020"), loaded.refused[0])
        let explicit = try CheckpointStore.loadNewestValid(startingAt: newest, in: store)
        XCTAssertEqual(explicit.checkpoint.state.step, 10)
    }

    func testTruncatedFileIsRefused() throws {
        let store = CheckpointStore(directory: folder, keep: 3)
        let path = try store.write(sample(step: 5))
        let optimizerPath = "\(path)/optimizer.bin"
        let bytes = FileManager.default.contents(atPath: optimizerPath)!
        try bytes.prefix(bytes.count - 9).write(to: URL(fileURLWithPath: optimizerPath))
        XCTAssertThrowsError(try Checkpoint.read(directory: path)) { error in
            XCTAssertTrue("\(error)".contains("optimizer.bin"), "\(error)")
        }
        XCTAssertThrowsError(try CheckpointStore.loadNewestValid(startingAt: nil, in: store))
    }

    func testFailedWriteLeavesNoPartialDirectory() throws {
        struct Interrupted: Error {}
        let store = CheckpointStore(directory: folder, keep: 3)
        try store.write(sample(step: 10))
        XCTAssertThrowsError(try store.write(sample(step: 20)) { throw Interrupted() })
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        XCTAssertEqual(names, ["latest", "step-000010"])
        XCTAssertEqual(store.latest, "\(folder!)/step-000010")
    }

    func testRewritingAnExistingStepReplacesIt() throws {
        let store = CheckpointStore(directory: folder, keep: 3)
        try store.write(sample(step: 10))
        var replacement = sample(step: 10)
        replacement.state.dataPosition = 999
        try store.write(replacement)
        XCTAssertEqual(try Checkpoint.read(directory: "\(folder!)/step-000010").state.dataPosition, 999)
    }
}
