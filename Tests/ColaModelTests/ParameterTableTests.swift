import XCTest
@testable import ColaModel

final class ParameterTableTests: XCTestCase {
    func testEntriesAreContiguousInRegistrationOrder() {
        var table = ParameterTable()
        let conv = table.register("encoder.blocks.0.conv.weight", shape: [64, 1, 3, 3])
        let gamma = table.register("encoder.blocks.0.bn.weight", shape: [64])
        XCTAssertEqual(conv.range, 0..<576)
        XCTAssertEqual(gamma.range, 576..<640)
        XCTAssertEqual(table.count, 640)
        XCTAssertEqual(table["encoder.blocks.0.bn.weight"], gamma)
        XCTAssertNil(table["missing"])
        XCTAssertEqual(table.entries.map(\.name), ["encoder.blocks.0.conv.weight", "encoder.blocks.0.bn.weight"])
    }
}
