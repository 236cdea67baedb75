import ArgumentParser
import ColaEvaluation
import ColaModel
import ColaPipeline
import ColaTraining
import Foundation

/// `cola eval`: scores an encoder on the transfer suite with a linear probe.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score an encoder on the transfer suite (frozen encoder, linear probe).",
        discussion: """
            Reads each task's real data-set layout under --data-root (see docs/eval.md), embeds 1 s \
            windows with the encoder (cached per encoder and task), trains a linear softmax probe \
            (Adam 1e-3, early stopping on validation) and scores test clips by logits averaged over \
            their 1 s windows. Writes OUT/results.json, OUT/results.md and appends to scores.csv. \
            Tasks without data are reported as skipped with the path looked for. Clips whose files \
            are missing, empty or undecodable are skipped, counted and named; a task fails when \
            more than --max-bad-fraction of its clips are.
            Example: cola eval --checkpoint runs/demo --data-root data/standins-small --out runs/demo/eval
            """)

    /// The embedders `--encoder` names.
    enum EncoderChoice: String, ExpressibleByArgument, CaseIterable {
        case random
        case logmelStats = "logmel-stats"
    }

    @Option(help: "A checkpoint directory (step-NNNNNN/, or a folder whose 'latest' points to one).")
    var checkpoint: String?

    @Option(help: "The encoder to score when no checkpoint is given: \(EncoderChoice.allCases.map(\.rawValue).joined(separator: ", ")).")
    var encoder: EncoderChoice?

    @Option(help: "Architecture of --encoder random (and of its floor).")
    var architecture: EncoderKind = .efficientNetB0

    @Option(help: "Folder holding one folder per task (spcv1, spcv2, librispeech, voxceleb, voxforge, musan, nsynth, birds, tut2018, generic or HEAR tasks).")
    var dataRoot: String

    @Option(help: "Comma-separated task names (a folder under --data-root), hear:PATH for a HEAR 2021 task folder anywhere, or 'all' (the nine, every generic train.tsv/test.tsv folder and every HEAR scene task folder under --data-root).")
    var tasks = "all"

    @OptionGroup var output: OutputFolder

    @Option(help: "Embedding cache folder (default: $XDG_CACHE_HOME/cola/embeddings or ~/.cache/cola/embeddings).")
    var cache: String?

    @Option(help: "Cumulative score table to append to (default: scores.csv next to --out).")
    var scores: String?

    @Option(help: "Seed of the randomly initialized encoder.")
    var randomSeed: UInt64 = 0

    @Flag(help: "Do not score the floors (log-mel statistics, random encoder) beside the encoder.")
    var noFloors = false

    @Option(help: "Random 1 s windows embedded per training clip.")
    var trainWindows = 4

    @Option(help: "Probe epochs at most.")
    var epochs = 100

    @Option(help: "Stop after this many epochs without a better validation accuracy.")
    var patience = 10

    @Option(help: "Seed of the windows and the probe.")
    var seed: UInt64 = 0

    @Option(help: "Use at most this many training clips per task (deterministic choice).")
    var maxTrainClips: Int?

    @Option(help: "Use at most this many test clips per task (deterministic choice).")
    var maxTestClips: Int?

    @Option(help: "Fail a task when more than this fraction of its listed clips are missing, empty or undecodable (fewer are skipped, counted and named).")
    var maxBadFraction = EvaluationProtocol().maxBadFraction

    func validate() throws {
        guard (checkpoint == nil) != (encoder == nil) else {
            throw ValidationError("give either --checkpoint PATH or --encoder \(EncoderChoice.allCases.map(\.rawValue).joined(separator: "|"))")
        }
        guard trainWindows > 0, epochs > 0, patience > 0 else {
            throw ValidationError("--train-windows, --epochs and --patience must be positive")
        }
        guard (0...1).contains(maxBadFraction) else {
            throw ValidationError("--max-bad-fraction must be between 0 and 1, not \(maxBadFraction)")
        }
    }

    func run() throws {
        let (embedder, floors, configurationText) = try embedders()
        var options = TransferSuiteOptions(dataRoot: dataRoot, tasks: SuiteTask.select(tasks, dataRoot: dataRoot), outputDirectory: output.path)
        if let cache { options.cacheDirectory = cache }
        if let scores { options.scoresFile = scores }
        options.settings.trainWindowsPerClip = trainWindows
        options.settings.windowSeed = seed
        options.settings.probe.seed = seed
        options.settings.probe.maxEpochs = epochs
        options.settings.probe.patience = patience
        options.settings.maxTrainClips = maxTrainClips
        options.settings.maxTestClips = maxTestClips
        options.settings.maxBadFraction = maxBadFraction
        options.configurationText = configurationText
        let report = try TransferSuite(embedder: embedder, floors: floors, options: options).run { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        print(report.markdown)
        if report.tasks.contains(where: { $0.status == .failed }) {
            throw ExitCode(1)
        }
    }

    /// The embedder under test, its floors, and the pretraining configuration text.
    private func embedders() throws -> (any ClipEmbedder, [any ClipEmbedder], String) {
        let randomKind: EncoderKind
        var configurationText = ""
        let embedder: any ClipEmbedder
        if let checkpoint {
            let trained = try CheckpointEncoder(path: checkpoint)
            embedder = try trained.embedder()
            randomKind = trained.configuration.encoder
            configurationText = trained.configurationText
        } else {
            randomKind = architecture
            embedder = encoder == .random ? ModelEmbedder.random(randomKind, seed: randomSeed) : LogMelStatisticsEmbedder()
        }
        let floors: [any ClipEmbedder] = noFloors ? [] : [LogMelStatisticsEmbedder(), ModelEmbedder.random(randomKind, seed: randomSeed)]
        return (embedder, floors, configurationText)
    }
}
