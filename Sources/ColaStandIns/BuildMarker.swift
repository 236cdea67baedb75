import ColaCore
import Foundation

/// `.standin.json` in a target's folder: what was built (generator version, size, seed) and a
/// digest of every file's path and size. A target is reused only when the request matches and
/// the files on disk still give the same digest, so an interrupted or edited build is redone.
struct BuildMarker: Codable, Sendable {
    static let fileName = ".standin.json"

    let generatorVersion: Int
    let target: String
    let size: String
    let seed: UInt64
    var files = 0
    var bytes = 0
    var digest = ""

    init(generatorVersion: Int, target: String, size: String, seed: UInt64) {
        self.generatorVersion = generatorVersion
        self.target = target
        self.size = size
        self.seed = seed
    }

    /// Same request (version, target, size, seed).
    func matches(_ other: BuildMarker) -> Bool {
        generatorVersion == other.generatorVersion && target == other.target && size == other.size && seed == other.seed
    }

    /// Writes the marker for the files now in `folder` and returns it.
    func sealing(_ folder: URL) throws -> BuildMarker {
        var sealed = self
        (sealed.files, sealed.bytes, sealed.digest) = BuildMarker.inventory(folder)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = folder.appendingPathComponent(BuildMarker.fileName)
        do { try encoder.encode(sealed).write(to: url) } catch {
            throw StandInError.writeFailed(path: url.path, reason: "\(error)")
        }
        return sealed
    }

    /// The marker in `folder` when it exists and the files still match it.
    static func validated(in folder: URL) -> BuildMarker? {
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(fileName).path),
              let marker = try? JSONDecoder().decode(BuildMarker.self, from: data) else { return nil }
        let (files, bytes, digest) = inventory(folder)
        return files == marker.files && bytes == marker.bytes && digest == marker.digest ? marker : nil
    }

    /// File count, total bytes and an FNV-1a digest of sorted "path size" lines (marker excluded).
    static func inventory(_ folder: URL) -> (Int, Int, String) {
        var lines: [String] = []
        var bytes = 0
        if let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey]) {
            for case let url as URL in enumerator {
                let values = try? url.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey])
                guard values?.isRegularFile == true, url.lastPathComponent != fileName else { continue }
                let size = values?.fileSize ?? 0
                bytes += size
                lines.append("\(url.path.dropFirst(folder.path.count)) \(size)")
            }
        }
        let digest = StableHash.of(lines.sorted().joined(separator: "\n"))
        return (lines.count, bytes, String(digest, radix: 16))
    }
}
