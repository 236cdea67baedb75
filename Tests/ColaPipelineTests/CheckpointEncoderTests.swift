import ColaEvaluation
import ColaModel
import ColaTensor
import ColaTraining
import Foundation
import XCTest
@testable import ColaPipeline

final class CheckpointEncoderTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "cola-checkpoint-encoder-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Writes a small-CNN model's values as checkpoint `step` of a run at `folder/checkpoints`.
    private func writeCheckpoint(_ model: ContrastiveModel, step: Int, config: String = "model:\n  encoder: cnn\n") throws {
        let state = TrainingState(step: step, dataPosition: 0, epoch: 0, rngSeed: 1, rngStep: step, worldSize: 1, globalBatch: 8,
                                  config: config, gitRevision: nil, writtenAt: "2026-01-01T00:00:00Z")
        let values = Array(UnsafeBufferPointer(start: model.parameterValues.pointer, count: model.parameters.count))
        let buffers = Array(UnsafeBufferPointer(start: model.bufferValues.pointer, count: model.buffers.count))
        let checkpoint = Checkpoint(
            model: ModelSnapshot(parameterTable: model.parameters, parameters: values, bufferTable: model.buffers, buffers: buffers),
            optimizer: OptimizerSnapshot(step: step, firstMoment: values.map { _ in 0 }, secondMoment: values.map { _ in 0 }),
            state: state)
        try CheckpointStore(directory: "\(folder!)/checkpoints", keep: 2).write(checkpoint)
    }

    func testARunDirectoryResolvesToItsLatestCheckpointAndEmbedsLikeTheTrainedModel() throws {
        let model = ContrastiveModel(ModelConfiguration(encoder: .smallCNN), seed: 11)
        try writeCheckpoint(ContrastiveModel(ModelConfiguration(encoder: .smallCNN), seed: 5), step: 3)
        try writeCheckpoint(model, step: 7)

        let trained = try CheckpointEncoder(path: folder)
        XCTAssertEqual(trained.name, "step-000007")
        XCTAssertEqual(trained.configuration.encoder, .smallCNN)
        XCTAssertEqual(trained.configuration.convolution, .auto, "model.convolution defaults to auto")
        XCTAssertEqual(trained.configurationText, "model:\n  encoder: cnn\n")
        XCTAssertEqual(try CheckpointEncoder(path: "\(folder!)/checkpoints/latest").name, "step-000007", "a link names its target")
        XCTAssertEqual(try CheckpointEncoder(path: "\(folder!)/checkpoints/step-000003").name, "step-000003")

        let crops: [Float] = (0..<(2 * 96 * 64)).map { (i: Int) -> Float in Float((i * 7919) % 1000) / 100 - 8 }
        let fromCheckpoint = try trained.embedder().embed(crops, count: 2)
        let fromModel = try ModelEmbedder(model: model, identity: "direct", displayName: "direct").embed(crops, count: 2)
        let difference = zip(fromCheckpoint, fromModel).map { abs($0 - $1) }.max() ?? .infinity
        print("checkpoint vs in-memory encoder: max abs diff \(difference)")
        XCTAssertEqual(fromCheckpoint.count, 2 * 512)
        XCTAssertEqual(difference, 0)
    }

    /// A run trained with direct convolutions is scored with them.
    func testTheCheckpointsConvolutionAlgorithmIsKept() throws {
        try writeCheckpoint(ContrastiveModel(ModelConfiguration(encoder: .smallCNN), plan: .direct, seed: 2), step: 1,
                            config: "model:\n  encoder: cnn\n  convolution: direct\n")
        let trained = try CheckpointEncoder(path: folder)
        XCTAssertEqual(trained.configuration.convolution, .direct)
        XCTAssertEqual(try trained.embedder().convolutionPlan, .direct)
    }

    /// A run trained with Winograd (on an AVX-512 node) is scored on any CPU: with oneDNN's Winograd
    /// where there is one, else with Cola's on blocks of 8 channels, and the embeddings agree with
    /// the in-memory model (direct) to Winograd's rounding.
    func testAWinogradCheckpointIsScoredOnACPUWithoutOneDNNsWinograd() throws {
        let model = ContrastiveModel(ModelConfiguration(encoder: .smallCNN), plan: .direct, seed: 4)
        try writeCheckpoint(model, step: 2, config: "model:\n  encoder: cnn\n  convolution: winograd\n")
        let trained = try CheckpointEncoder(path: folder)
        let withoutWinograd = ConvolutionCapabilities(channelBlock: 8, winograd: false, instructionSet: "AVX2")
        XCTAssertEqual(ConvolutionPlan.forEvaluation(.winograd, on: withoutWinograd), .colaWinograd)
        let embedder = try trained.embedder()
        XCTAssertEqual(embedder.convolutionPlan, ConvolutionCapabilities.host.winograd ? .oneDNNWinograd : .colaWinograd)
        let crops: [Float] = (0..<(2 * 96 * 64)).map { (i: Int) -> Float in Float((i * 7919) % 1000) / 100 - 8 }
        let fromCheckpoint = try embedder.embed(crops, count: 2)
        let fromModel = try ModelEmbedder(model: model, identity: "direct", displayName: "direct").embed(crops, count: 2)
        let difference = zip(fromCheckpoint, fromModel).map { abs($0 - $1) }.max() ?? .infinity
        print("winograd-trained checkpoint scored with \(embedder.convolutionPlan): max abs diff \(difference)")
        XCTAssertLessThan(difference, 1e-4)
    }

    func testAFolderWithoutACheckpointIsNamedInTheError() throws {
        XCTAssertThrowsError(try CheckpointEncoder(path: folder)) { error in
            XCTAssertTrue("\(error)".contains(folder), "\(error)")
        }
    }
}
