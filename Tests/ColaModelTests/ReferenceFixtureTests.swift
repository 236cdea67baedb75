import Foundation
import XCTest

/// The committed PyTorch reference fixtures parse, hold the tensors docs/reference.md lists, and
/// their generated parameters are reproduced bit for bit.
final class ReferenceFixtureTests: XCTestCase {
    /// (file, tensors, parameters + buffers, trainable parameters, encoder feature count)
    private let stepFixtures = [
        ("cnn_bilinear.colafix", 89, 25, 17, 512),
        ("effnet_bilinear.colafix", 956, 314, 216, 1280),
        ("cnn_cosine.colafix", 80, 22, 14, 512),
    ]

    func testStepFixturesHoldInputsStateOutputsAndGradients() throws {
        for (file, count, stateCount, parameterCount, features) in stepFixtures {
            let fixture = try ReferenceFixture.committed(file)
            XCTAssertEqual(fixture.names.count, count, file)
            XCTAssertEqual(fixture.stateNames.count, stateCount, file)
            let gradients = fixture.names.filter { $0.hasPrefix("grad.") }
            XCTAssertEqual(gradients.count, parameterCount, file)
            XCTAssertEqual(Set(gradients.map { String($0.dropFirst(5)) }).isSubset(of: fixture.stateNames), true, file)
            let buffers = fixture.stateNames.filter { $0.hasSuffix("running_mean") || $0.hasSuffix("running_var") }
            XCTAssertEqual(Set(fixture.names.filter { $0.hasPrefix("after.") }), Set(buffers.map { "after.\($0)" }), file)

            XCTAssertEqual(fixture["input.anchor"]?.shape, [4, 1, 96, 64], file)
            XCTAssertEqual(fixture["input.positive"]?.shape, [4, 1, 96, 64], file)
            XCTAssertEqual(fixture["output.embedding.anchor"]?.shape, [4, 512], file)
            XCTAssertEqual(fixture["output.embedding.positive"]?.shape, [4, 512], file)
            XCTAssertEqual(fixture["output.similarity"]?.shape, [4, 4], file)
            XCTAssertEqual(fixture["output.loss"]?.shape, [1], file)
            XCTAssertEqual(fixture["output.accuracy"]?.shape, [1], file)
            XCTAssertEqual(fixture.tensors["head.dense.weight"]?.shape, [512, features], file)
            XCTAssertEqual(fixture.tensors["grad.head.dense.weight"]?.shape, [512, features], file)
            let loss = try XCTUnwrap(fixture["output.loss"]?.values.first)
            XCTAssertTrue(loss > 0 && loss < 10, "\(file): loss \(loss)")
        }
    }

    func testSimilarityWeightOnlyInBilinearFixtures() throws {
        XCTAssertEqual(try ReferenceFixture.committed("cnn_bilinear.colafix").tensors["similarity.weight"]?.shape, [512, 512])
        XCTAssertNil(try ReferenceFixture.committed("cnn_cosine.colafix").tensors["similarity.weight"])
        XCTAssertNil(try ReferenceFixture.committed("cnn_cosine.colafix").tensors["head.norm.weight"])
    }

    func testTrajectoryFixtureHoldsTwentyStepsAndFinalState() throws {
        let fixture = try ReferenceFixture.committed("cnn_bilinear_trajectory.colafix")
        XCTAssertEqual(fixture.names.count, 98)
        XCTAssertEqual(fixture["tolerance.trajectory.loss"]?.shape, [20])
        XCTAssertEqual(fixture["trajectory.input.anchor"]?.shape, [20, 4, 1, 96, 64])
        XCTAssertEqual(fixture["trajectory.input.positive"]?.shape, [20, 4, 1, 96, 64])
        XCTAssertEqual(fixture["trajectory.loss"]?.shape, [20])
        XCTAssertEqual(fixture.stateNames.count, 25)
        XCTAssertEqual(Set(fixture.names.filter { $0.hasPrefix("final.") }), Set(fixture.stateNames.map { "final.\($0)" }))
        let parameters = fixture.stateNames.filter { !$0.hasSuffix("running_mean") && !$0.hasSuffix("running_var") }
        XCTAssertEqual(parameters.count, 17)
        XCTAssertEqual(Set(fixture.names.filter { $0.hasPrefix("trajectory.step1.grad.") }), Set(parameters.map { "trajectory.step1.grad.\($0)" }))
        for name in parameters where name.hasPrefix("encoder.blocks.") && !name.hasPrefix("encoder.blocks.3.") {
            XCTAssertNotNil(fixture["trajectory.step1.grad.\(name)"], "\(name): stored whole, so the trajectory can continue from it")
        }
    }

    func testGeneratedParametersMatchThePythonWriterBitForBit() throws {
        for file in stepFixtures.map(\.0) + ["cnn_bilinear_trajectory.colafix"] {
            let fixture = try ReferenceFixture.committed(file)
            let checks = fixture.names.filter { $0.hasPrefix("check.") }
            XCTAssertEqual(checks.count, 2, file)
            for check in checks {
                let written = try XCTUnwrap(fixture[check], "\(file): \(check)")
                let generated = try XCTUnwrap(fixture[String(check.dropFirst(6))], "\(file): \(check)")
                XCTAssertEqual(generated.shape, written.shape, "\(file): \(check)")
                XCTAssertEqual(generated.values.map(\.bitPattern), written.values.map(\.bitPattern), "\(file): \(check)")
            }
        }
    }

    func testSampledTensorComparesOnItsStoredElements() throws {
        let fixture = try ReferenceFixture.committed("cnn_bilinear.colafix")
        guard case .sampled(let indices, let values, _) = fixture.tensors["grad.head.dense.weight"]?.storage else {
            return XCTFail("grad.head.dense.weight should be sampled")
        }
        var actual = [Float](repeating: 0, count: 512 * 512)
        for (index, value) in zip(indices, values) { actual[index] = value + 1e-3 }
        let comparison = try XCTUnwrap(try fixture.compare("grad.head.dense.weight", with: actual))
        print(comparison)
        XCTAssertEqual(comparison.compared, indices.count)
        XCTAssertEqual(comparison.maxAbsDiff, 1e-3, accuracy: 1e-6)
        XCTAssertFalse(comparison.passes)
    }

    func testEveryComparedTensorHasAPositiveTolerance() throws {
        for file in stepFixtures.map(\.0) + ["cnn_bilinear_trajectory.colafix"] {
            let fixture = try ReferenceFixture.committed(file)
            let compared = fixture.names.filter { $0.hasPrefix("output.") || $0.hasPrefix("grad.") || $0.hasPrefix("after.") || $0.hasPrefix("final.") || $0 == "trajectory.loss" }
            XCTAssertEqual(Set(fixture.names.filter { $0.hasPrefix("tolerance.") }), Set(compared.map { "tolerance.\($0)" }), file)
            for name in compared {
                let tolerance = try XCTUnwrap(fixture["tolerance.\(name)"]?.values, "\(file): \(name)")
                XCTAssertTrue(tolerance.allSatisfy { $0 > 0 && $0.isFinite }, "\(file): \(name) \(tolerance)")
            }
        }
        let fixture = try ReferenceFixture.committed("cnn_cosine.colafix")
        let loss = try XCTUnwrap(fixture["output.loss"]?.values)
        XCTAssertEqual(try fixture.compare("output.loss", with: loss)?.passes, true)
    }

    func testTruncatedFileIsRefusedWithItsPath() throws {
        let source = try ReferenceFixture.committed("cnn_cosine.colafix")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: source.path)).prefix(1000)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("truncated-\(UUID()).colafix").path
        try bytes.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try ReferenceFixture(contentsOf: path)) { error in
            XCTAssertTrue("\(error)".contains(path) && "\(error)".contains("truncated"), "\(error)")
        }
    }
}
