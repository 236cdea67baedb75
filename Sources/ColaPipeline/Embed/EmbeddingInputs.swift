import ColaAudio
import Foundation

/// The files `cola embed` embeds, each with the name its outputs take: the path relative to the
/// input folder (`a/b.wav` → `OUT/a/b.wav.npy`), or for a manifest the path as the TSV lists it.
public struct EmbeddingInputs: Sendable, Equatable {
    /// One file to embed.
    public struct File: Sendable, Equatable {
        /// Where it is read from.
        public var path: String
        /// Its outputs' name relative to the output folder, without the format's extension.
        public var name: String
    }

    /// Files in a fixed order (sorted names), the same on every rank.
    public let files: [File]

    /// Every regular, non-hidden file under `folder`, recursively, sorted by relative path.
    /// Files libsndfile cannot decode are listed too and skipped when embedded.
    public static func folder(_ folder: String) throws -> EmbeddingInputs {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw EmbeddingInputError(path: folder, problem: "no such folder")
        }
        guard let walker = FileManager.default.enumerator(atPath: folder) else {
            throw EmbeddingInputError(path: folder, problem: "cannot list the folder")
        }
        var names: [String] = []
        while let relative = walker.nextObject() as? String {
            let path = (folder as NSString).appendingPathComponent(relative)
            guard !relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) else { continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            names.append(relative)
        }
        guard !names.isEmpty else { throw EmbeddingInputError(path: folder, problem: "no files in the folder") }
        return EmbeddingInputs(files: names.sorted().map { File(path: (folder as NSString).appendingPathComponent($0), name: $0) })
    }

    /// The files a `path[\tlabel]` TSV lists (``TSVManifest``; labels ignored), named by their
    /// path relative to the TSV's folder (a path elsewhere: without its leading `/`). Listed
    /// files that do not exist are kept, so that they are skipped and named as missing.
    public static func manifest(_ path: String) throws -> EmbeddingInputs {
        let manifest = try TSVManifest(path: path)
        let folder = (path as NSString).deletingLastPathComponent
        let prefix = folder.isEmpty ? "" : folder + "/"
        let paths = manifest.items.map(\.path) + manifest.missingPaths
        return EmbeddingInputs(files: paths.map { file in
            let name = !prefix.isEmpty && file.hasPrefix(prefix) ? String(file.dropFirst(prefix.count)) : String(file.drop(while: { $0 == "/" }))
            return File(path: file, name: insideOutputFolder(name))
        })
    }

    /// `name` with `.` components dropped and `..` components renamed `__`, so that outputs stay
    /// inside the output folder.
    static func insideOutputFolder(_ name: String) -> String {
        name.split(separator: "/").filter { $0 != "." }.map { $0 == ".." ? "__" : String($0) }.joined(separator: "/")
    }

    /// The files rank `rank` of `size` embeds: every `size`-th, starting at `rank`.
    public func shard(rank: Int, size: Int) -> [File] {
        stride(from: rank, to: files.count, by: size).map { files[$0] }
    }
}

/// An input folder that cannot be embedded.
public struct EmbeddingInputError: Error, CustomStringConvertible, Equatable {
    /// The folder.
    public let path: String
    /// What is wrong.
    public let problem: String

    public var description: String { "\(path): \(problem)" }
}
