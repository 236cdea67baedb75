import ArgumentParser
import ColaDistributed
import ColaEvaluation
import ColaPipeline
import Foundation

/// `cola embed`: embeddings of one's own audio files with a trained encoder.
struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed audio files with a trained encoder (one clip embedding per file).",
        discussion: """
            Decodes each file as in training (any libsndfile format, rate and channel count, to \
            16 kHz mono), cuts it into consecutive 1 s windows (each L2-normalized), and writes the \
            mean of the windows' encoder features (1280 for EfficientNet-B0, 512 for the small CNN): \
            the clip embedding the transfer suite uses. Outputs are named after the input's path \
            relative to --input (a/b.wav -> OUT/a/b.wav.npy). With --hop-ms, 1 s windows every hop \
            too: OUT/a/b.wav.windows.npy [windows, width] and OUT/a/b.wav.times.npy (centre times, \
            seconds). Missing, empty, truncated and undecodable files are skipped, named and \
            counted (OUT/skipped.tsv). Under mpirun, ranks take every N-th file.
            Example: cola embed --checkpoint runs/demo --input recordings --out embeddings
            """)

    @Option(help: "A checkpoint directory (step-NNNNNN/, or a folder whose 'latest' points to one), or an exported .safetensors file.")
    var checkpoint: String

    @Option(help: "Folder of audio files (searched recursively; hidden files ignored).")
    var input: String?

    @Option(help: "TSV listing the files (header 'path' or 'path<TAB>label'; relative paths against the TSV's folder).")
    var manifest: String?

    @OptionGroup var output: OutputFolder

    @Option(help: "Output format: npy (float32) or csv.")
    var format: EmbeddingFormat = .npy

    @Option(help: "Also write 1 s window embeddings every this many milliseconds, with their centre times.")
    var hopMs: Int?

    func validate() throws {
        guard (input == nil) != (manifest == nil) else { throw ValidationError("give either --input DIR or --manifest TSV") }
        if let hopMs, hopMs <= 0 { throw ValidationError("--hop-ms must be positive, not \(hopMs)") }
    }

    func run() throws {
        let communicator = try MPICommunicator()
        let log: (String) -> Void = { FileHandle.standardError.write(Data(("cola embed: " + $0 + "\n").utf8)) }
        do {
            let inputs = try input.map(EmbeddingInputs.folder) ?? EmbeddingInputs.manifest(manifest!)
            let encoder = try TrainedEncoder(path: checkpoint)
            if communicator.isRoot { log("\(encoder.summary); \(inputs.files.count) files on \(communicator.size) rank(s)") }
            let job = FolderEmbedding(inputs: inputs, outputFolder: output.path, format: format,
                                      hopSamples: hopMs.map { $0 * CropGeometry.sampleRate / 1000 })
            let summary = try job.run(embedder: try encoder.embedder(), communicator: communicator, log: log)
            if communicator.isRoot {
                log(summary.line + " into \(output.path)" + (summary.skipped.isEmpty ? "" : "; see \(output.path)/skipped.tsv"))
            }
        } catch {
            log("rank \(communicator.rank): \(error)")
            throw ExitCode(1)
        }
    }
}

extension EmbeddingFormat: ExpressibleByArgument {}
