import ColaEvaluation
import Foundation

/// Builds the stand-in data sets under one folder, one sub-folder per target, skipping targets
/// whose completion marker matches the request and the files on disk.
public struct StandInBuilder: Sendable {
    /// Bumped whenever generation changes for every target, so old builds are rebuilt rather than reused.
    public static let generatorVersion = 2

    /// Per-target revisions on top of ``generatorVersion``: bumped when one target's generation changes.
    static let revisions: [StandInTarget: Int] = [:]

    public let root: URL
    public let size: StandInSize
    public let seed: UInt64
    public let workers: Int
    private let progress: StandInProgress

    /// A builder writing into `root`; `print` receives progress lines.
    public init(root: URL, size: StandInSize, seed: UInt64 = 1, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                print: @escaping @Sendable (String) -> Void) {
        self.root = root
        self.size = size
        self.seed = seed
        self.workers = max(1, workers)
        self.progress = StandInProgress(print: print)
    }

    /// What happened to one target.
    public struct Outcome: Sendable {
        public let target: StandInTarget
        public let skipped: Bool
        public let files: Int
        public let bytes: Int
        public let seconds: Double
    }

    /// Builds `targets` in order and returns what each did.
    @discardableResult
    public func build(_ targets: [StandInTarget] = StandInTarget.allCases) throws -> [Outcome] {
        let tools = try StandInTools()
        let scratch = root.appendingPathComponent(".scratch")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let codec = ClipCodec(sox: tools.sox, scratch: scratch)
        let library = try SoundLibrary.scan()
        let recordings = RecordingCache(codec: codec)
        var outcomes: [Outcome] = []
        for target in targets {
            let folder = root.appendingPathComponent(target.folderName)
            let marker = BuildMarker(generatorVersion: Self.generatorVersion * 1000 + Self.revisions[target, default: 0], target: target.rawValue, size: size.rawValue, seed: seed)
            if let existing = BuildMarker.validated(in: folder), existing.matches(marker) {
                progress.say("\(target.rawValue): up to date (\(existing.files) files), skipped")
                outcomes.append(Outcome(target: target, skipped: true, files: existing.files, bytes: existing.bytes, seconds: 0))
                continue
            }
            let started = Date()
            try? FileManager.default.removeItem(at: folder)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let context = StandInContext(
                folder: folder, size: size, seed: seed, tools: tools, codec: codec,
                speech: SpeechSynthesizer(espeak: tools.espeak, codec: codec),
                music: MusicSynthesizer(fluidsynth: tools.fluidsynth, codec: codec),
                library: library, recordings: recordings, progress: progress, workers: workers)
            progress.say("\(target.rawValue): building (\(size.rawValue), seed \(seed))")
            try Self.generator(for: target).build(in: context)
            let written = try marker.sealing(folder)
            let seconds = Date().timeIntervalSince(started)
            progress.say("\(target.rawValue): \(written.files) files, \(written.bytes / 1_000_000) MB in \(Int(seconds.rounded())) s")
            outcomes.append(Outcome(target: target, skipped: false, files: written.files, bytes: written.bytes, seconds: seconds))
        }
        return outcomes
    }

    static func generator(for target: StandInTarget) -> any StandInGenerator {
        switch target {
        case .spcv1: return SpeechCommandsStandIn(words: Vocabulary.speechCommandsV1)
        case .spcv2: return SpeechCommandsStandIn(words: Vocabulary.speechCommandsV2)
        case .librispeech: return LibriSpeechStandIn()
        case .voxceleb: return VoxCelebStandIn()
        case .voxforge: return VoxForgeStandIn()
        case .musan: return MusanStandIn()
        case .nsynth: return NSynthStandIn()
        case .birds: return BirdsStandIn()
        case .tut2018: return UrbanScenesStandIn()
        case .pretrain: return PretrainStandIn()
        }
    }
}

/// One target's generator: writes the data set's files into `context.folder`.
protocol StandInGenerator: Sendable {
    func build(in context: StandInContext) throws
}

extension SpeechCommandsStandIn: StandInGenerator {}
extension LibriSpeechStandIn: StandInGenerator {}
extension VoxCelebStandIn: StandInGenerator {}
extension VoxForgeStandIn: StandInGenerator {}
extension MusanStandIn: StandInGenerator {}
extension NSynthStandIn: StandInGenerator {}
extension BirdsStandIn: StandInGenerator {}
extension UrbanScenesStandIn: StandInGenerator {}
extension PretrainStandIn: StandInGenerator {}
