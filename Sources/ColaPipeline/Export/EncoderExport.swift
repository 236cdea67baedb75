import ColaAudio
import ColaEvaluation
import ColaModel
import Foundation

/// A checkpoint's encoder as a safetensors file (``SafeTensorsFile``) for use outside Cola:
/// tensors under the PyTorch reference's `state_dict` names (benchmarks/reference/
/// cola_reference.py; Cola's own parameter names), the encoder's parameters and batch-norm
/// running statistics, optionally the projection head and W; `__metadata__` says what the
/// tensors are and how audio becomes the encoder's input (``frontEnd``).
public enum EncoderExport {
    /// The `format` metadata value of Cola's files.
    public static let format = "cola"

    /// How audio becomes the encoder's input, as `__metadata__` strings: 16 kHz mono, consecutive
    /// 1 s crops (15,600 samples = 96 frames), each L2-normalized, log-mel (TF-style STFT
    /// 400/160/1024, Hann, magnitude, 64 mel bands 60–7800 Hz, natural log of the clip to
    /// [1e-5, 1e8]). A reader refuses a file whose values differ from the ones it computes.
    public static let frontEnd: [String: String] = [
        "sample_rate": "\(LogMelExtractor.sampleRate)",
        "stft_window": "\(LogMelExtractor.windowLength)",
        "stft_hop": "\(LogMelExtractor.hopLength)",
        "fft_length": "\(LogMelExtractor.fftLength)",
        "mel_bands": "\(LogMelExtractor.bandCount)",
        "mel_lower_hz": "\(LogMelExtractor.lowerHertz)",
        "mel_upper_hz": "\(LogMelExtractor.upperHertz)",
        "log_clip_min": "\(LogMelExtractor.clipMinimum)",
        "log_clip_max": "\(LogMelExtractor.clipMaximum)",
        "crop_frames": "\(CropGeometry.frames)",
        "crop_samples": "\(CropGeometry.samples)",
        "crop_normalization": "l2 (epsilon 1e-9 on the squared norm)",
        "clip_embedding": "mean over consecutive non-overlapping 1 s crops; a clip shorter than a crop is centred and zero-padded",
    ]

    /// The file for `encoder`; with `withHead`, also `head.*` and `similarity.weight`.
    public static func file(from encoder: CheckpointEncoder, withHead: Bool) throws -> SafeTensorsFile {
        let model = encoder.checkpoint.model
        var tensors: [String: SafeTensorsFile.Tensor] = [:]
        for (table, values) in [(model.parameterTable, model.parameters), (model.bufferTable, model.buffers)] {
            for entry in table.entries where withHead || entry.name.hasPrefix("encoder.") {
                tensors[entry.name] = SafeTensorsFile.Tensor(shape: entry.shape, values: Array(values[entry.range]))
            }
        }
        let jsonEncoder = JSONEncoder()
        jsonEncoder.outputFormatting = .sortedKeys
        var metadata = frontEnd
        metadata["format"] = format
        metadata["encoder"] = encoder.configuration.encoder.rawValue
        metadata["model"] = String(decoding: try jsonEncoder.encode(encoder.configuration), as: UTF8.self)
        metadata["features"] = "\(ContrastiveModel(encoder.configuration, seed: 0).featureCount)"
        metadata["with_head"] = withHead ? "true" : "false"
        metadata["source_checkpoint"] = encoder.directory
        metadata["step"] = "\(encoder.checkpoint.state.step)"
        return SafeTensorsFile(tensors: tensors, metadata: metadata)
    }

    /// `<run>-<step>.safetensors`: the run folder's name (the folder holding `checkpoints/`)
    /// and the step, e.g. `demo-150.safetensors`.
    public static func defaultName(of encoder: CheckpointEncoder) -> String {
        var folder = (encoder.directory as NSString).deletingLastPathComponent
        if (folder as NSString).lastPathComponent == "checkpoints" { folder = (folder as NSString).deletingLastPathComponent }
        let run = (folder as NSString).lastPathComponent
        return "\(run.isEmpty || run == "/" ? "cola" : run)-\(encoder.checkpoint.state.step).safetensors"
    }
}
