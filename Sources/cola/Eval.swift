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
            windows with the encoder (cached per encoder and task), fits a linear probe (L2 logistic \
            regression solved by L-BFGS, C chosen on the validation split or by cross-validation) \
            and scores test clips by logits averaged over their 1 s windows, with a 95% bootstrap \
            interval over test clips. --shots K trains on K clips per class (mean ± std over \
            --draws). Writes OUT/results.json, OUT/results.md and appends to scores.csv. \
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

    @Option(help: "How the probe's C is chosen: auto (validation split, else cross-validation, else --regularization), validation, cv, fixed.")
    var selection: ProbeOptions.Selection = ProbeOptions().selection

    @Option(help: "Cross-validation folds at most.")
    var folds = ProbeOptions().folds

    @Option(help: "The probe's C (scikit-learn's inverse L2 strength) when it is not chosen on held-out clips.")
    var regularization = ProbeOptions().fixedRegularization

    @Option(help: "Few-shot: train on this many clips per class, drawn from the training split (seeded by --seed).")
    var shots: Int?

    @Option(help: "Few-shot draws; each task's score is their mean ± standard deviation.")
    var draws = EvaluationProtocol().draws

    @Option(help: "Bootstrap resamples of the test clips for each score's 95% interval.")
    var bootstrap = EvaluationProtocol().bootstrapResamples

    @Option(help: "Seed of the windows, few-shot draws, cross-validation folds and bootstrap.")
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
        guard trainWindows > 0, draws > 0, bootstrap > 0, regularization > 0 else {
            throw ValidationError("--train-windows, --draws, --bootstrap and --regularization must be positive")
        }
        guard folds >= 2 else { throw ValidationError("--folds must be at least 2, got \(folds)") }
        if let shots, shots < 1 { throw ValidationError("--shots must be at least 1, got \(shots)") }
        guard shots != nil || draws == 1 else { throw ValidationError("--draws \(draws) needs --shots (only few-shot training sets are drawn)") }
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
        options.settings.probe.selection = selection
        options.settings.probe.folds = folds
        options.settings.probe.fixedRegularization = regularization
        options.settings.shots = shots
        options.settings.draws = draws
        options.settings.bootstrapResamples = bootstrap
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
