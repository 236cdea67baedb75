import ArgumentParser
import ColaPipeline
import Foundation

/// `cola export`: a checkpoint's encoder as a safetensors file.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a checkpoint's encoder as a safetensors file (for PyTorch and the python/ package).",
        discussion: """
            Writes OUT/<run>-<step>.safetensors (or OUT/<name>.safetensors): the encoder's parameters \
            and batch-norm running statistics under the PyTorch reference's state_dict names, float32 \
            little-endian; __metadata__ holds the model configuration (JSON), the front end (16 kHz, \
            STFT 400/160/1024, 64 mel bands 60-7800 Hz, log clip 1e-5..1e8, 1 s crops of 15,600 \
            samples, L2-normalized) and the source step. Read back by 'cola embed --checkpoint FILE' \
            and by the python/ package (cola_hear.load_model). See docs/embedding.md.
            Example: cola export --checkpoint runs/demo --out exports
            """)

    @Option(help: "A checkpoint directory (step-NNNNNN/, or a folder whose 'latest' points to one).")
    var checkpoint: String

    @OptionGroup var output: OutputFolder

    @Option(help: "File name without extension (default: <run>-<step>).")
    var name: String?

    @Flag(help: "Also export the projection head (head.*) and the bilinear similarity W (similarity.weight).")
    var withHead = false

    func run() throws {
        let encoder = try CheckpointEncoder(path: checkpoint)
        let file = try EncoderExport.file(from: encoder, withHead: withHead)
        let path = try output.file(name.map { $0 + ".safetensors" } ?? EncoderExport.defaultName(of: encoder))
        try file.write(to: path)
        print("\(path): \(file.tensors.count) tensors, \(file.tensors.values.reduce(0) { $0 + $1.values.count }) values, \(encoder.configuration.encoder.rawValue) encoder, step \(encoder.checkpoint.state.step)")
    }
}
