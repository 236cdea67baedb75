import ColaTensor
import XCTest
@testable import ColaModel

final class ModelTests: XCTestCase {
    func testEfficientNetB0ParameterCountsMatchKeras() {
        let model = ContrastiveModel(ModelConfiguration(encoder: .efficientNetB0), seed: 1)
        let encoder = model.parameters.entries.filter { $0.name.hasPrefix("encoder.") }
        XCTAssertEqual(encoder.count, 211)
        XCTAssertEqual(encoder.reduce(0) { $0 + $1.count }, 4_006_972)
        XCTAssertEqual(model.parameters.count, 4_926_012)
        XCTAssertEqual(model.parameters["encoder.blocks.15.se.reduce.weight"]?.shape, [48, 1152, 1, 1])
        XCTAssertEqual(model.parameters["encoder.blocks.0.depthwise.conv.weight"]?.shape, [32, 1, 3, 3])
        XCTAssertNil(model.parameters["encoder.blocks.0.expand.conv.weight"])
        XCTAssertEqual(model.buffers.entries.count, 2 * 49)
    }

    func testSmallCNNParameterCount() {
        let model = ContrastiveModel(ModelConfiguration(encoder: .smallCNN), seed: 1)
        XCTAssertEqual(model.parameters.count, 2_076_608)
        XCTAssertEqual(model.parameters.entries.map(\.name).suffix(5),
                       ["head.dense.weight", "head.dense.bias", "head.norm.weight", "head.norm.bias", "similarity.weight"])
    }

    func testInitializationIsSeededAndScaledAsKeras() {
        let a = ContrastiveModel(ModelConfiguration(encoder: .efficientNetB0), seed: 42)
        let b = ContrastiveModel(ModelConfiguration(encoder: .efficientNetB0), seed: 42)
        XCTAssertEqual(a.parameterValues.array(), b.parameterValues.array())
        let top = a.parameters["encoder.top.conv.weight"]!
        let values = a.parameterValues.array(top.range)
        let std = (values.reduce(0) { $0 + Double($1 * $1) } / Double(values.count)).squareRoot()
        // VarianceScaling(2, fan_out = 1280): σ = √(2/1280) ≈ 0.0395 after the truncation correction.
        print("top conv init std \(std) (expected ≈ 0.0395)")
        XCTAssertEqual(std, (2.0 / 1280).squareRoot(), accuracy: 0.002)
        let w = a.parameters["similarity.weight"]!
        let ws = a.parameterValues.array(w.range)
        let wstd = (ws.reduce(0) { $0 + Double($1 * $1) } / Double(ws.count)).squareRoot()
        XCTAssertEqual(wstd, 0.05, accuracy: 0.002)
        XCTAssertEqual(a.bufferValues.array(a.buffers["encoder.top.bn.running_var"]!.range), [Float](repeating: 1, count: 1280))
    }
}
