import ColaEvaluation
import XCTest

/// Seeds and subsets derive from clip keys relative to the task's folder, so the same data set
/// scores the same wherever it lies.
final class PortableKeyTests: XCTestCase {
    private func task(under root: String) -> TaskData {
        let train = (0..<40).map { LabeledClip(path: "\(root)/tones/train/c\($0 % 4)/clip\($0).wav", label: $0 % 4, source: "s\($0)") }
        let test = (0..<10).map { LabeledClip(path: "\(root)/tones/test/clip\($0).wav", label: $0 % 4, source: "t\($0)") }
        return TaskData(name: "tones", classNames: ["a", "b", "c", "d"], train: train, valid: [], test: test)
    }

    func testClipRootIsTheDeepestSharedFolder() {
        let data = task(under: "/data/one")
        XCTAssertEqual(data.clipRoot, "/data/one/tones/")
        XCTAssertEqual(data.portableKey(data.train[3]), "train/c3/clip3.wav")
        XCTAssertEqual(TaskData(name: "x", classNames: ["a"], train: [], valid: [], test: []).clipRoot, "")
    }

    func testSubsetsAreTheSameInAnyFolder() {
        let here = task(under: "/data/one"), there = task(under: "/scratch/elsewhere/copy")
        let a = here.limitingTrainClips(to: 12), b = there.limitingTrainClips(to: 12)
        XCTAssertEqual(a.train.map(a.portableKey), b.train.map(b.portableKey))
        XCTAssertEqual(a.train.count, 12)
        XCTAssertEqual(here.limitingTestClips(to: 3).test.map(here.portableKey), there.limitingTestClips(to: 3).test.map(there.portableKey))
    }
}
