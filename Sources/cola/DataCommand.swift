import ArgumentParser
import ColaStandIns
import Foundation

/// `cola data`: data preparation.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Build offline stand-in data sets (cola data standins).",
        discussion: "Example: cola data standins --size tiny --out /tmp/standins",
        subcommands: [StandIns.self])
}

/// `cola data standins`: offline stand-ins of the nine transfer tasks and an AudioSet-style corpus.
struct StandIns: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "standins",
        abstract: "Build stand-ins of the nine transfer tasks and an AudioSet-style pretraining corpus from Debian-packaged audio.",
        discussion: """
            Writes <out>/<task>/ in each real data set's layout (spcv1 spcv2 librispeech voxceleb voxforge musan \
            nsynth birds tut2018) and <out>/pretrain/ (segments.csv, class_labels_indices.csv, audio/). \
            Uses espeak-ng, sox, fluidsynth with fluid-soundfont-gm / timgm6mb-soundfont, and recordings from \
            megaglest-data, sonic-pi-samples and hydrogen-data. Deterministic for a seed; a rerun skips tasks \
            already built with the same size and seed.
            Example: cola data standins --size small --out data/standins-small
            """)

    @Option(help: "tiny (seconds, for tests), small (minutes, for the demo) or full (≥ 1,000 clips per task, ≥ 10 h pretraining audio).")
    var size: StandInSize = .small

    @OptionGroup var output: OutputFolder

    @Option(help: "Seed for every random choice.")
    var seed: UInt64 = 1

    @Option(parsing: .upToNextOption, help: "Tasks to build (default: all nine and pretrain), comma- or space-separated.")
    var tasks: [String] = []

    @Option(help: "Worker threads (default: the number of cores).")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        _ = try targets()
    }

    func targets() throws -> [StandInTarget] {
        let names = tasks.flatMap { $0.split(separator: ",").map(String.init) }
        if names.isEmpty || names == ["all"] { return StandInTarget.allCases }
        return try names.map { name in
            guard let target = StandInTarget(rawValue: name) else {
                throw ValidationError("unknown task \(name); known: \(StandInTarget.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return target
        }
    }

    func run() throws {
        let builder = StandInBuilder(
            root: URL(fileURLWithPath: output.path), size: size, seed: seed, workers: workers,
            print: { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) })
        let started = Date()
        let outcomes = try builder.build(try targets())
        let files = outcomes.reduce(0) { $0 + $1.files }
        let bytes = outcomes.reduce(0) { $0 + $1.bytes }
        print("stand-ins (\(size.rawValue)) in \(output.path): \(files) files, \(bytes / 1_000_000) MB, \(Int(Date().timeIntervalSince(started).rounded())) s")
    }
}
