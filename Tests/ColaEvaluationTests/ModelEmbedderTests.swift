import ColaEvaluation
import ColaModel
import XCTest

final class ModelEmbedderTests: XCTestCase {
    private func crops(_ count: Int) -> [Float] {
        (0..<(count * CropGeometry.floats)).map { Float(sin(Double($0) * 0.013)) * 3 - 6 }
    }

    func testRandomEncoderGivesFiniteDeterministicFeatures() throws {
        let first = ModelEmbedder.random(.smallCNN, seed: 3)
        let second = ModelEmbedder.random(.smallCNN, seed: 3)
        XCTAssertEqual(first.width, 512)
        XCTAssertEqual(first.identity, "random-cnn-seed3-v1")
        let a = try first.embed(crops(2), count: 2)
        let b = try second.embed(crops(2), count: 2)
        XCTAssertEqual(a.count, 2 * 512)
        XCTAssertTrue(a.allSatisfy(\.isFinite))
        XCTAssertEqual(a, b)
    }

    func testTrainedEncoderLoadsWeightsByNameAndMatchesTheModel() throws {
        let configuration = ModelConfiguration(encoder: .smallCNN)
        let source = ContrastiveModel(configuration, seed: 11)
        let reference = try source.encode(crops(2), count: 2).map { $0 }
        let loaded = try ModelEmbedder.trained(
            configuration,
            parameters: (source.parameters, source.parameterValues.array()),
            buffers: (source.buffers, source.bufferValues.array()),
            displayName: "step-000011")
        let features = try loaded.embed(crops(2), count: 2)
        let maxDiff = zip(features, reference).map { abs($0 - $1) }.max() ?? 0
        print("trained encoder vs source model: max |diff| \(maxDiff)")
        XCTAssertEqual(maxDiff, 0)
        XCTAssertTrue(loaded.identity.hasPrefix("checkpoint-cnn-"))
        XCTAssertNotEqual(loaded.identity, ModelEmbedder.random(.smallCNN, seed: 11).identity)

        XCTAssertThrowsError(try ModelEmbedder.trained(configuration, parameters: (ParameterTable(), []), buffers: (source.buffers, source.bufferValues.array()), displayName: "x")) { error in
            XCTAssertTrue("\(error)".contains("the checkpoint has no parameter"), "\(error)")
        }
    }
}
