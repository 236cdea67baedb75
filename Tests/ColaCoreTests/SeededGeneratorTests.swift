import ColaCore
import XCTest

/// The generator's constructors and the hash are pinned to the values the code they replaced
/// produced (SplitMix64 copies in ColaModel, ColaAudio, the stand-ins and the trainer; FNV-1a in
/// ColaEvaluation, ColaDistributed and the stand-ins): checkpoints, stand-in builds and embedding
/// caches made before stay reproducible.
final class SeededGeneratorTests: XCTestCase {
    private func firstThree(_ generator: SeededGenerator) -> [UInt64] {
        var generator = generator
        return (0..<3).map { _ in generator.next() }
    }

    func testRawSequenceFromAState() {
        XCTAssertEqual(firstThree(SeededGenerator(state: 7)), [0x63CB_E1E4_5932_0DD7, 0x044C_3CD7_F43C_661C, 0xE698_4080_BAB1_2A02])
    }

    func testModelStreamsKeepTheirValues() {
        XCTAssertEqual(firstThree(.stream(seed: 1, stream: 3)), [0xEA89_EE92_0B07_4BB2, 0xCF46_5ABA_ACE6_46E5, 0xA07C_CCA6_CCF5_D61A])
    }

    func testKeyedGeneratorsKeepTheirValues() {
        XCTAssertEqual(firstThree(.keyed(seed: 1, 0x4352_4F50, 2)), [0xFDB7_47A7_BF6B_CD9F, 0x0566_9A2E_E4BD_AB0C, 0x0716_9315_B35C_8552])
        XCTAssertEqual(firstThree(.keyed(seed: 2026)), [0x810F_E7B8_B50A_9BAB, 0xCB29_0B62_5246_7DEF, 0xDE6A_C50D_CDF6_3043])
    }

    func testLabelledGeneratorsKeepTheirValues() {
        XCTAssertEqual(firstThree(.labelled(seed: 1, "voxforge", "de")), [0x78F4_A560_DE3C_0B2D, 0x53CD_BA9B_BA35_B7A5, 0x14A7_FA01_2070_30CD])
        XCTAssertEqual(firstThree(.labelled(seed: 5)), [0xC097_314D_9397_36F8, 0x3B92_D3F0_106B_C147, 0x196E_4EC2_DA05_B945])
    }

    func testCombineKeepsItsValue() {
        XCTAssertEqual(SeededGenerator.combine(1, 2, 3), 0xB346_A278_EF57_AB8D)
    }

    func testDifferentKeysGiveDifferentStreams() {
        XCTAssertNotEqual(firstThree(.keyed(seed: 1, 2)), firstThree(.keyed(seed: 1, 3)))
        XCTAssertNotEqual(firstThree(.stream(seed: 1, stream: 0)), firstThree(.stream(seed: 1, stream: 1)))
        XCTAssertNotEqual(firstThree(.labelled(seed: 1, "a", "b")), firstThree(.labelled(seed: 1, "ab")))
    }

    func testUniformDrawsStayInTheirIntervals() {
        var generator = SeededGenerator(state: 3)
        for _ in 0..<10_000 {
            XCTAssert((0..<1).contains(generator.nextUniform()))
            XCTAssert(generator.unitInterval() > 0 && generator.unitInterval() <= 1)
            XCTAssert((0..<1).contains(generator.nextUniformDouble()))
            XCTAssert((0..<7).contains(generator.below(7)))
        }
    }

    func testStableHashKeepsItsValues() {
        XCTAssertEqual(StableHash.of(""), StableHash.offsetBasis)
        XCTAssertEqual(StableHash.of("cola"), 0x0BD1_0391_1963_9CD0)
        XCTAssertEqual(StableHash.hex("cola"), "0bd1039119639cd0")
        var words = StableHash()
        words.combine(word: 3)
        words.combine(word: UInt64(Float(1).bitPattern))
        XCTAssertEqual(words.value, 0x8835_EE5F_376E_5316)
    }
}
