import ColaEvaluation
import ColaModel
import ColaTraining
import Foundation
import XCTest
@testable import ColaPipeline

final class EncoderExportTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "cola-export-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A checkpoint of a small-CNN model (seed 9, running statistics moved off 0/1) at step 42
    /// of run `folder/demo`.
    private func checkpoint() throws -> CheckpointEncoder {
        let model = ContrastiveModel(ModelConfiguration(encoder: .smallCNN), seed: 9)
        for index in 0..<model.buffers.count { model.bufferValues.pointer[index] += Float(index % 7) * 0.01 + 0.05 }
        let values = model.parameterValues.array()
        let buffers = model.bufferValues.array()
        let state = TrainingState(step: 42, dataPosition: 0, epoch: 0, rngSeed: 1, rngStep: 42, worldSize: 1, globalBatch: 8,
                                  config: "model:\n  encoder: cnn\n", gitRevision: nil, writtenAt: "2026-01-01T00:00:00Z")
        let checkpoint = Checkpoint(
            model: ModelSnapshot(parameterTable: model.parameters, parameters: values, bufferTable: model.buffers, buffers: buffers),
            optimizer: OptimizerSnapshot(step: 42, firstMoment: values.map { _ in 0 }, secondMoment: values.map { _ in 0 }),
            state: state)
        try CheckpointStore(directory: "\(folder!)/demo/checkpoints", keep: 1).write(checkpoint)
        return try CheckpointEncoder(path: "\(folder!)/demo")
    }

    private let crops: [Float] = (0..<(2 * 96 * 64)).map { (i: Int) -> Float in Float((i * 7919) % 1000) / 100 - 8 }

    func testTheExportedEncoderEmbedsExactlyLikeTheCheckpoint() throws {
        let encoder = try checkpoint()
        XCTAssertEqual(EncoderExport.defaultName(of: encoder), "demo-42.safetensors")
        let file = try EncoderExport.file(from: encoder, withHead: false)
        XCTAssertTrue(file.tensors.keys.allSatisfy { $0.hasPrefix("encoder.") })
        XCTAssertEqual(file.tensors["encoder.blocks.0.conv.weight"]?.shape, [64, 1, 3, 3])
        XCTAssertEqual(file.tensors["encoder.blocks.3.bn.running_var"]?.shape, [512])
        XCTAssertEqual(file.tensors.count, 4 * 5, "4 blocks × conv weight, bn weight, bias, running mean, running var")
        XCTAssertEqual(file.metadata["encoder"], "cnn")
        XCTAssertEqual(file.metadata["step"], "42")
        XCTAssertEqual(file.metadata["sample_rate"], "16000")
        XCTAssertEqual(file.metadata["crop_samples"], "15600")
        XCTAssertEqual(file.metadata["features"], "512")
        let path = folder + "/demo-42.safetensors"
        try file.write(to: path)

        let exported = try ExportedEncoder(path: path)
        XCTAssertEqual(exported.configuration, encoder.configuration)
        XCTAssertEqual(exported.step, 42)
        let fromFile = try exported.embedder().embed(crops, count: 2)
        let fromCheckpoint = try encoder.embedder().embed(crops, count: 2)
        let difference = zip(fromFile, fromCheckpoint).map { abs($0 - $1) }.max() ?? .infinity
        print("exported vs checkpoint encoder: max abs diff \(difference)")
        XCTAssertEqual(fromFile.count, 2 * 512)
        XCTAssertEqual(difference, 0)

        let withHead = try EncoderExport.file(from: encoder, withHead: true)
        XCTAssertEqual(withHead.tensors["similarity.weight"]?.shape, [512, 512])
        XCTAssertEqual(withHead.tensors["head.dense.weight"]?.shape, [512, 512])
        try withHead.write(to: folder + "/head.safetensors")
        XCTAssertEqual(try ExportedEncoder(path: folder + "/head.safetensors").embedder().embed(crops, count: 2), fromFile)
    }

    func testTheFileLayoutIsSafetensors() throws {
        let file = SafeTensorsFile(tensors: ["b": .init(shape: [2], values: [1, -2]), "a": .init(shape: [1, 1], values: [0.5])],
                                   metadata: ["format": "cola"])
        let bytes = try file.encode()
        let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(headerLength % 8, 0)
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        XCTAssertEqual(header, #"{"__metadata__":{"format":"cola"},"a":{"data_offsets":[0,4],"dtype":"F32","shape":[1,1]},"b":{"data_offsets":[4,12],"dtype":"F32","shape":[2]}}"#)
        XCTAssertEqual(Array(bytes[(8 + headerLength)...]), [0, 0, 0, 0x3F, 0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0])
        XCTAssertEqual(try SafeTensorsFile.decode(bytes, path: "x"), file)
    }

    func testTruncatedCorruptOrForeignFilesAreRefusedNamingFileAndProblem() throws {
        let path = folder + "/cnn.safetensors"
        let file = try EncoderExport.file(from: try checkpoint(), withHead: false)
        let bytes = try file.encode()

        func refusal(_ bytes: [UInt8]) -> String {
            try? Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                _ = try ExportedEncoder(path: path)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        let truncated = refusal(Array(bytes.dropLast(100)))
        XCTAssertTrue(truncated.hasPrefix("\(path): tensor "), truncated)
        XCTAssertTrue(truncated.contains("(truncated file)"), truncated)
        XCTAssertEqual(refusal(Array(bytes.prefix(5))), "\(path): 5 bytes, shorter than the 8-byte header length (truncated or not a safetensors file)")
        var garbage = bytes
        for index in 8..<40 { garbage[index] = 0x7E }
        XCTAssertTrue(refusal(garbage).hasPrefix("\(path): the header is not JSON"), refusal(garbage))
        var hugeHeader = bytes
        hugeHeader[6] = 1
        XCTAssertTrue(refusal(hugeHeader).hasPrefix("\(path): header length "), refusal(hugeHeader))

        var claimsEffNet = file
        claimsEffNet.metadata["model"] = #"{"encoder":"efficientnet_b0"}"#
        claimsEffNet.metadata["encoder"] = "efficientnet_b0"
        let foreign = refusal(try claimsEffNet.encode())
        XCTAssertEqual(foreign, "\(path): no tensor encoder.stem.conv.weight (shape [32, 1, 3, 3]), which a efficientnet_b0 encoder has: the file holds another encoder or is incomplete")

        var wrongShape = file
        wrongShape.tensors["encoder.blocks.1.conv.weight"] = .init(shape: [128, 64, 1, 1], values: [Float](repeating: 0, count: 128 * 64))
        XCTAssertEqual(refusal(try wrongShape.encode()), "\(path): parameter encoder.blocks.1.conv.weight has shape [128, 64, 1, 1], a cnn encoder's has [128, 64, 3, 3]")

        var extra = file
        extra.tensors["encoder.blocks.4.conv.weight"] = .init(shape: [1], values: [0])
        XCTAssertEqual(refusal(try extra.encode()), "\(path): tensor encoder.blocks.4.conv.weight is not part of the declared model (cnn encoder): the file holds another encoder")

        var otherFrontEnd = file
        otherFrontEnd.metadata["sample_rate"] = "22050"
        XCTAssertEqual(refusal(try otherFrontEnd.encode()), "\(path): __metadata__ sample_rate is \"22050\", Cola's front end has \"16000\"")

        var notCola = file
        notCola.metadata["format"] = "pt"
        XCTAssertEqual(refusal(try notCola.encode()), "\(path): __metadata__ format is \"pt\", expected \"cola\" (not written by cola export)")
    }
}
