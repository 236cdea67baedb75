import ColaAudio
import ColaDistributed
import ColaEvaluation
import Foundation

/// `cola embed`: embeds every input file with ``AudioFileEmbedder`` and writes one clip
/// embedding per file (and time-stamped windows with a hop) under the output folder, named
/// after the input (``EmbeddingInputs``). Ranks take every `size`-th file and write their own
/// outputs; files that cannot be decoded are skipped, then named in `skipped.tsv` and counted
/// by rank 0.
public struct FolderEmbedding {
    /// The files.
    public var inputs: EmbeddingInputs
    /// The output folder.
    public var outputFolder: String
    /// The output format.
    public var format: EmbeddingFormat
    /// Samples between time-stamped windows (nil: clip embeddings only).
    public var hopSamples: Int?

    /// Embeds `inputs` into `outputFolder`.
    public init(inputs: EmbeddingInputs, outputFolder: String, format: EmbeddingFormat = .npy, hopSamples: Int? = nil) {
        self.inputs = inputs
        self.outputFolder = outputFolder
        self.format = format
        self.hopSamples = hopSamples
    }

    /// A file that could not be embedded.
    public struct SkippedFile: Sendable, Equatable {
        /// The file as read.
        public var path: String
        /// Why: missing, empty, unreadable, truncated, nonFinite.
        public var reason: SkipReason
        /// The decoder's explanation.
        public var detail: String

        /// The `skipped.tsv` line: `path<TAB>reason<TAB>detail`.
        var line: String { [path, reason.rawValue, detail].joined(separator: "\t") }
    }

    /// What all ranks did together.
    public struct Summary: Sendable, Equatable {
        /// Files listed.
        public var files: Int
        /// Files embedded.
        public var embedded: Int
        /// Files skipped, in input order (every rank's).
        public var skipped: [SkippedFile]
        /// One line for the terminal.
        public var line: String {
            let reasons = SkipReason.allCases.compactMap { reason -> String? in
                let count = skipped.filter { $0.reason == reason }.count
                return count == 0 ? nil : "\(reason.rawValue) \(count)"
            }
            return "embedded \(embedded) of \(files) files" + (skipped.isEmpty ? "" : "; skipped \(skipped.count) (\(reasons.joined(separator: ", ")))")
        }
    }

    /// Embeds this rank's share with `embedder`; returns the summary over all ranks (rank 0 also
    /// writes `skipped.tsv`). `log` receives progress and skipped files.
    public func run(embedder: any ClipEmbedder, communicator: any Communicator, log: (String) -> Void) throws -> Summary {
        let files = AudioFileEmbedder(embedder: embedder, hopSamples: hopSamples)
        let share = inputs.shard(rank: communicator.rank, size: communicator.size)
        var skipped: [SkippedFile] = []
        let every = max(1, share.count / 20)
        for (index, file) in share.enumerated() {
            do {
                let embedding = try files.embed(path: file.path)
                try write(embedding, name: file.name)
            } catch let error as AudioDecodeError {
                let skip = SkippedFile(path: file.path, reason: error.reason, detail: Self.detail(of: error))
                skipped.append(skip)
                log("skipped \(file.path) (\(skip.reason.rawValue): \(skip.detail))")
            }
            if (index + 1) % every == 0 || index + 1 == share.count {
                log("rank \(communicator.rank): \(index + 1)/\(share.count) files")
            }
        }
        let gathered = try communicator.allgatherStrings(skipped.map(\.line).joined(separator: "\n"))
        let order = Dictionary(uniqueKeysWithValues: inputs.files.enumerated().map { ($1.path, $0) })
        let allSkipped = gathered.flatMap { text in
            text.split(separator: "\n").map { line -> SkippedFile in
                let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
                return SkippedFile(path: fields[0], reason: SkipReason(rawValue: fields[1]) ?? .unreadable, detail: fields.count > 2 ? fields[2] : "")
            }
        }.sorted { (order[$0.path] ?? 0) < (order[$1.path] ?? 0) }
        if communicator.isRoot {
            try FileManager.default.createDirectory(atPath: outputFolder, withIntermediateDirectories: true)
            let text = (["path\treason\tdetail"] + allSkipped.map(\.line)).joined(separator: "\n") + "\n"
            try text.write(toFile: outputFolder + "/skipped.tsv", atomically: true, encoding: .utf8)
        }
        return Summary(files: inputs.files.count, embedded: inputs.files.count - allSkipped.count, skipped: allSkipped)
    }

    /// Writes one file's embeddings under its name.
    private func write(_ embedding: FileEmbedding, name: String) throws {
        let base = (outputFolder as NSString).appendingPathComponent(name)
        try FileManager.default.createDirectory(atPath: (base as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try format.writeClip(embedding.clip, to: base)
        if hopSamples != nil {
            try format.writeWindows(embedding.windowRows, centres: embedding.windowCentres, width: embedding.width, to: base)
        }
    }

    /// The decoder's explanation without the path prefix, on one line.
    static func detail(of error: AudioDecodeError) -> String {
        var text = Substring(error.description)
        for prefix in [pathOf(error) + ": ", error.reason.rawValue + ": "] where text.hasPrefix(prefix) {
            text = text.dropFirst(prefix.count)
        }
        return text.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ")
    }

    private static func pathOf(_ error: AudioDecodeError) -> String {
        switch error {
        case let .missing(path), let .unreadable(path, _), let .empty(path), let .truncated(path, _, _), let .nonFinite(path):
            return path
        }
    }
}
