import XCTest
@testable import ColaEvaluation

final class TaskCatalogTests: XCTestCase {
    func testTheNineTasksOfThePaper() {
        XCTAssertEqual(TransferTask.allCases.count, 9)
        XCTAssertEqual(Set(TransferTask.allCases.map(\.folderName)).count, 9, "each task has its own folder")
        XCTAssertEqual(TransferTask(rawValue: "spcv1")?.title, "Speech Commands v1 (12 classes)")
    }
}
