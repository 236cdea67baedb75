import ColaEvaluation
import ColaModel
import Foundation

/// An encoder read back from a file ``EncoderExport`` wrote: the metadata must say `format`
/// `cola`, describe a model Cola builds and the front end Cola computes, and the tensors must be
/// exactly the declared encoder's (names and shapes); anything else is refused with the file
/// named and what is wrong.
public struct ExportedEncoder {
    /// The file.
    public let path: String
    /// The model the metadata declares.
    public let configuration: ModelConfiguration
    /// The source checkpoint's step (`-1` when the metadata has none).
    public let step: Int
    private let parameters: (table: ParameterTable, values: [Float])
    private let buffers: (table: ParameterTable, values: [Float])

    /// Reads and checks the file at `path`.
    public init(path: String) throws {
        func fail(_ problem: String) -> SafeTensorsError { SafeTensorsError(path: path, problem: problem) }
        let file = try SafeTensorsFile.read(path: path)
        guard file.metadata["format"] == EncoderExport.format else {
            throw fail("__metadata__ format is \(file.metadata["format"].map { "\"\($0)\"" } ?? "missing"), expected \"\(EncoderExport.format)\" (not written by cola export)")
        }
        guard let modelJSON = file.metadata["model"] else { throw fail("__metadata__ has no model") }
        let configuration: ModelConfiguration
        do {
            configuration = try JSONDecoder().decode(ModelConfiguration.self, from: Data(modelJSON.utf8))
        } catch {
            throw fail("__metadata__ model \(modelJSON) is not a Cola model configuration (\(error))")
        }
        if let encoder = file.metadata["encoder"], encoder != configuration.encoder.rawValue {
            throw fail("__metadata__ encoder \(encoder) contradicts model.encoder \(configuration.encoder.rawValue)")
        }
        for (key, value) in EncoderExport.frontEnd.sorted(by: { $0.key < $1.key }) where file.metadata[key] != value {
            throw fail("__metadata__ \(key) is \(file.metadata[key].map { "\"\($0)\"" } ?? "missing"), Cola's front end has \"\(value)\"")
        }
        let model = ContrastiveModel(configuration, seed: 0)
        var parameterValues = model.parameterValues.array()
        var bufferValues = model.bufferValues.array()
        var used: Set<String> = []
        for (table, kind) in [(model.parameters, "parameter"), (model.buffers, "buffer")] {
            for entry in table.entries {
                guard let tensor = file.tensors[entry.name] else {
                    if entry.name.hasPrefix("encoder.") {
                        throw fail("no tensor \(entry.name) (shape \(entry.shape)), which a \(configuration.encoder.rawValue) encoder has: the file holds another encoder or is incomplete")
                    }
                    continue
                }
                guard tensor.shape == entry.shape else {
                    throw fail("\(kind) \(entry.name) has shape \(tensor.shape), a \(configuration.encoder.rawValue) encoder's has \(entry.shape)")
                }
                if kind == "parameter" {
                    parameterValues.replaceSubrange(entry.range, with: tensor.values)
                } else {
                    bufferValues.replaceSubrange(entry.range, with: tensor.values)
                }
                used.insert(entry.name)
            }
        }
        if let extra = file.tensors.keys.filter({ !used.contains($0) }).sorted().first {
            throw fail("tensor \(extra) is not part of the declared model (\(configuration.encoder.rawValue) encoder): the file holds another encoder")
        }
        self.path = path
        self.configuration = configuration
        step = file.metadata["step"].flatMap { Int($0) } ?? -1
        parameters = (model.parameters, parameterValues)
        buffers = (model.buffers, bufferValues)
    }

    /// The file's name without folder and extension.
    public var name: String { ((path as NSString).lastPathComponent as NSString).deletingPathExtension }

    /// The encoder as an embedder (features before the head, inference mode).
    public func embedder() throws -> ModelEmbedder {
        try ModelEmbedder.trained(configuration, parameters: parameters, buffers: buffers, displayName: name)
    }
}
