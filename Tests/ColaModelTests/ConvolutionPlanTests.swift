import ColaCore
import ColaTensor
import XCTest
@testable import ColaModel

/// Layouts and algorithms chosen per CPU, and the check that no computation runs oneDNN's reference loops.
final class ConvolutionPlanTests: XCTestCase {
    private let avx512 = ConvolutionCapabilities(channelBlock: 16, winograd: true, instructionSet: "AVX-512 core")
    private let avx2 = ConvolutionCapabilities(channelBlock: 8, winograd: false, instructionSet: "AVX2")

    /// Blocks of 16 without oneDNN's Winograd: neither Winograd fits (a CPU of this kind is hypothetical).
    private let wideWithoutWinograd = ConvolutionCapabilities(channelBlock: 16, winograd: false, instructionSet: "AVX-512")

    func testAutoPicksOneDNNsWinogradOnAVX512AndColasOnAVX2() throws {
        XCTAssertEqual(try ConvolutionPlan.resolve(.auto, on: avx512), ConvolutionPlan(algorithm: .oneDNNWinograd, storage: .blocks16))
        XCTAssertEqual(try ConvolutionPlan.resolve(.auto, on: avx2), ConvolutionPlan(algorithm: .colaWinograd, storage: .blocks8))
        XCTAssertEqual(try ConvolutionPlan.resolve(.auto, on: wideWithoutWinograd), ConvolutionPlan(algorithm: .direct, storage: .blocks16))
        XCTAssertEqual(try ConvolutionPlan.resolve(.direct, on: avx512), ConvolutionPlan(algorithm: .direct, storage: .blocks16))
        XCTAssertEqual(try ConvolutionPlan.resolve(.direct, on: avx2), ConvolutionPlan(algorithm: .direct, storage: .blocks8))
    }

    func testExplicitWinogradIsOneDNNsOnAVX512AndColasOnAVX2() throws {
        XCTAssertEqual(try ConvolutionPlan.resolve(.winograd, on: avx512), .oneDNNWinograd)
        XCTAssertEqual(try ConvolutionPlan.resolve(.winograd, on: avx2), .colaWinograd)
        XCTAssertEqual(ConvolutionPlan.colaWinograd.description, "Winograd convolutions (Cola's) on blocks8 maps")
    }

    func testExplicitWinogradWithoutAnyNamesTheISAAndTheAlternative() {
        XCTAssertThrowsError(try ConvolutionPlan.resolve(.winograd, on: wideWithoutWinograd)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("(AVX-512)"), message)
            XCTAssertTrue(message.contains("model.convolution: auto"), message)
            XCTAssertTrue(message.contains("blocks of 16"), message)
        }
    }

    func testRanksAgreeOnWhatEveryOneOfThemRuns() {
        let common = avx512.common(with: avx2)
        XCTAssertEqual(common.channelBlock, 8)
        XCTAssertFalse(common.winograd)
        XCTAssertEqual(avx512.common(with: avx512), avx512)
    }

    /// The probe matches what oneDNN reports: blocks of 16 exactly on AVX-512, Winograd only there
    /// (oneDNN 2.6 has it on every AVX-512 core ISA).
    func testTheHostProbeFollowsOneDNNsInstructionSet() {
        let host = ConvolutionCapabilities.host
        let avx512Core = OneDNN.instructionSet.hasPrefix("AVX-512 core")
        print("host: \(host)")
        XCTAssertEqual(host.channelBlock, avx512Core ? 16 : 8)
        if host.winograd { XCTAssertTrue(avx512Core, "Winograd outside AVX-512") }
        if avx512Core && OneDNN.version.hasPrefix("2.") { XCTAssertTrue(host.winograd) }
    }

    /// A training step of each encoder on this CPU's automatic plan creates every primitive, and
    /// none is oneDNN's reference implementation (`ONEDNN_MAX_CPU_ISA=AVX2` shows the AVX2 case on
    /// an AVX-512 machine).
    func testNoComputationOfATrainingStepRunsReferenceLoops() throws {
        for encoder in EncoderKind.allCases {
            let model = ContrastiveModel(ModelConfiguration(encoder: encoder), seed: 1)
            let segments = 4
            var generator = SeededGenerator.stream(seed: 9, stream: 0)
            let input = (0..<(segments * 32 * 32)).map { _ in generator.nextUniform() * 8 - 10 }
            let embeddings = try model.embed(input, count: segments, mode: .training(dropConnectSeed: 1), frames: 32, bands: 32)
            try model.backward(embeddingGradient: [Float](repeating: 1e-3, count: embeddings.count))
            let kernels = model.kernelImplementations
            print("\(encoder): " + Set(kernels.map(\.implementation)).sorted().joined(separator: ", "))
            // Cola's Winograd layers create no oneDNN primitive: the small CNN keeps its first convolution's.
            let colaWinograd = ConvolutionPlan.automatic().algorithm == .colaWinograd
            XCTAssertGreaterThan(kernels.count, encoder == .smallCNN ? (colaWinograd ? 4 : 10) : 100)
            XCTAssertNoThrow(try model.requireFastKernels())
        }
    }

    /// Blocks of 16 channels on an AVX2 CPU are the reference loops the check exists for.
    func testTheCheckNamesReferenceKernels() throws {
        try XCTSkipIf(ConvolutionCapabilities.host.channelBlock == 16, "oneDNN has JIT kernels for blocks of 16 here")
        let model = ContrastiveModel(ModelConfiguration(encoder: .smallCNN), plan: ConvolutionPlan(algorithm: .direct, storage: .blocks16),
                                     seed: 1)
        _ = try model.embed([Float](repeating: 0.5, count: 2 * 16 * 16), count: 2, mode: .inference, frames: 16, bands: 16)
        XCTAssertThrowsError(try model.requireFastKernels()) { error in
            XCTAssertTrue("\(error)".contains("ref:"), "\(error)")
        }
    }
}
