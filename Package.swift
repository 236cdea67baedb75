// swift-tools-version:6.1
import PackageDescription

/// Cola: COLA contrastive pretraining of audio encoders over MPI, with a nine-task transfer suite.
///
/// One module per layer (see README, "Design"): C shims, tensors and kernels, audio, model,
/// distributed, training, evaluation, and the thin `cola` executable.
let package = Package(
    name: "Cola",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cola", targets: ["cola"]),
        .library(name: "ColaTraining", targets: ["ColaTraining"]),
        .library(name: "ColaEvaluation", targets: ["ColaEvaluation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CSoxr", pkgConfig: "soxr", providers: [.apt(["libsoxr-dev"])]),
        .systemLibrary(name: "COpenMP"),

        // Numeric kernels stay optimized in debug builds too, so `swift test` (debug) runs the
        // reference and gradient checks in seconds.
        .target(name: "ColaTensor", dependencies: ["CBLAS", "CDNNL", "COpenMP"], swiftSettings: [.unsafeFlags(["-O"])]),
        .target(name: "ColaAudio", dependencies: ["CSndFile", "CFFTW", "CSoxr"]),
        .target(name: "ColaModel", dependencies: ["ColaTensor"], swiftSettings: [.unsafeFlags(["-O"])]),
        .target(name: "ColaDistributed", dependencies: ["CMPI"]),
        .target(
            name: "ColaTraining",
            dependencies: [
                "ColaTensor", "ColaAudio", "ColaModel", "ColaDistributed", "ColaEvaluation",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(name: "ColaEvaluation", dependencies: ["ColaAudio", "ColaModel", "ColaTensor"]),
        .executableTarget(
            name: "cola",
            dependencies: [
                "ColaTraining", "ColaEvaluation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "ColaTensorTests", dependencies: ["ColaTensor"]),
        .testTarget(name: "ColaAudioTests", dependencies: ["ColaAudio"], exclude: ["Fixtures"]),
        .testTarget(name: "ColaModelTests", dependencies: ["ColaModel"], exclude: ["Fixtures"]),
        .testTarget(name: "ColaDistributedTests", dependencies: ["ColaDistributed"]),
        .testTarget(name: "ColaTrainingTests", dependencies: ["ColaTraining", "ColaEvaluation"]),
        .testTarget(name: "ColaEvaluationTests", dependencies: ["ColaEvaluation"]),
    ]
)
