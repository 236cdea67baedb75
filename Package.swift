// swift-tools-version:6.1
import Foundation
import PackageDescription

/// Cola: COLA contrastive pretraining of audio encoders over MPI, with a nine-task transfer suite.
///
/// One module per layer (README, "Code map"): C shims; ColaCore (seeded randomness, stable hashes,
/// strict decoding); tensors and kernels; audio; model; distributed; training; evaluation; the
/// stand-in synthesizer; the pipeline that joins training and evaluation; the thin `cola` executable.
///
/// Two environment variables choose the system libraries (README, "Platforms"):
/// - `COLA_MPI`: `openmpi` (default; pkg-config `ompi-c`), `mpich` (pkg-config `mpich`), or any other
///   pkg-config name of an MPI C library, e.g. `impi` or `cray-mpich`.
/// - `COLA_ONEDNN_PREFIX`: a oneDNN 2.x or 3.x install (`include/`, `lib/`) to build and run against
///   instead of the system's (Debian 12: libdnnl-dev 2.6 in /usr).
let mpiPkgConfig: String = switch Context.environment["COLA_MPI"] ?? "openmpi" {
case "openmpi", "": "ompi-c"
case "mpich": "mpich"
case let name: name
}

/// Compiler flags for a oneDNN outside the default search paths: every Swift module that imports
/// ColaTensor also loads the `CDNNL` module, so every one gets the include path.
let oneDNNPrefix = Context.environment["COLA_ONEDNN_PREFIX"].flatMap { $0.isEmpty ? nil : $0 }
let oneDNNSwift: [SwiftSetting] = oneDNNPrefix.map { [.unsafeFlags(["-Xcc", "-I\($0)/include"])] } ?? []

/// How products link oneDNN: `-ldnnl` from the system, or the prefix's library by its path (other
/// `-L` directories, e.g. /usr/lib from pkg-config files, would otherwise find the system's first) with
/// an rpath, so they run on it without `LD_LIBRARY_PATH`. PyPI's wheels may ship only `libdnnl.so.3`.
let oneDNNLinker: [LinkerSetting] = oneDNNPrefix.map { prefix in
    let candidates = ["lib", "lib64"].flatMap { dir in ["libdnnl.so", "libdnnl.so.3"].map { "\(prefix)/\(dir)/\($0)" } }
    guard let library = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
        fatalError("COLA_ONEDNN_PREFIX=\(prefix): no lib/libdnnl.so or lib64/libdnnl.so (oneDNN's library) under it")
    }
    let libraryDirectory = (library as NSString).deletingLastPathComponent
    return [.unsafeFlags(["-Xlinker", library, "-Xlinker", "-rpath", "-Xlinker", libraryDirectory])]
} ?? [.linkedLibrary("dnnl")]

let package = Package(
    name: "Cola",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cola", targets: ["cola"]),
        .library(name: "ColaTraining", targets: ["ColaTraining"]),
        .library(name: "ColaEvaluation", targets: ["ColaEvaluation"]),
        .library(name: "ColaPipeline", targets: ["ColaPipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(name: "CMPI", pkgConfig: mpiPkgConfig, providers: [.apt(["libopenmpi-dev", "libmpich-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CSoxr", pkgConfig: "soxr", providers: [.apt(["libsoxr-dev"])]),
        .systemLibrary(name: "COpenMP"),

        .target(name: "ColaCore"),

        // Numeric kernels stay optimized in debug builds too, so `swift test` (debug) runs the
        // reference and gradient checks in seconds.
        .target(
            name: "ColaTensor", dependencies: ["CBLAS", "CDNNL", "COpenMP"],
            swiftSettings: [.unsafeFlags(["-O"])] + oneDNNSwift, linkerSettings: oneDNNLinker
        ),
        .target(name: "ColaAudio", dependencies: ["ColaCore", "CSndFile", "CFFTW", "CSoxr"]),
        .target(name: "ColaModel", dependencies: ["ColaCore", "ColaTensor"], swiftSettings: [.unsafeFlags(["-O"])] + oneDNNSwift),
        .target(name: "ColaDistributed", dependencies: ["ColaCore", "CMPI"]),
        .target(
            name: "ColaTraining",
            dependencies: [
                "ColaCore", "ColaTensor", "ColaAudio", "ColaModel", "ColaDistributed",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: oneDNNSwift
        ),
        .target(name: "ColaEvaluation", dependencies: ["ColaCore", "ColaAudio", "ColaModel", "ColaTensor"], swiftSettings: oneDNNSwift),
        .target(name: "ColaStandIns", dependencies: ["ColaCore", "ColaAudio", "ColaEvaluation"], swiftSettings: oneDNNSwift),
        .target(
            name: "ColaPipeline",
            dependencies: ["ColaAudio", "ColaModel", "ColaDistributed", "ColaTraining", "ColaEvaluation"],
            swiftSettings: oneDNNSwift
        ),
        .executableTarget(
            name: "cola",
            dependencies: [
                "ColaAudio", "ColaModel", "ColaDistributed", "ColaTraining", "ColaEvaluation", "ColaStandIns", "ColaPipeline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: oneDNNSwift
        ),

        .testTarget(name: "ColaCoreTests", dependencies: ["ColaCore"]),
        .testTarget(name: "ColaTensorTests", dependencies: ["ColaTensor"], swiftSettings: oneDNNSwift),
        .testTarget(name: "ColaAudioTests", dependencies: ["ColaCore", "ColaAudio"], exclude: ["Fixtures"]),
        .testTarget(name: "ColaModelTests", dependencies: ["ColaCore", "ColaTensor", "ColaModel"], exclude: ["Fixtures"], swiftSettings: oneDNNSwift),
        .testTarget(name: "ColaDistributedTests", dependencies: ["ColaDistributed"]),
        .testTarget(name: "ColaTrainingTests", dependencies: ["ColaCore", "ColaModel", "ColaDistributed", "ColaTraining"], swiftSettings: oneDNNSwift),
        .testTarget(name: "ColaEvaluationTests", dependencies: ["ColaCore", "ColaAudio", "ColaTensor", "ColaModel", "ColaEvaluation"], exclude: ["Fixtures"], swiftSettings: oneDNNSwift),
        .testTarget(name: "ColaStandInsTests", dependencies: ["ColaAudio", "ColaEvaluation", "ColaStandIns"], swiftSettings: oneDNNSwift),
        .testTarget(name: "ColaPipelineTests", dependencies: ["ColaAudio", "ColaTensor", "ColaModel", "ColaDistributed", "ColaTraining", "ColaEvaluation", "ColaPipeline"], swiftSettings: oneDNNSwift),
    ]
)
