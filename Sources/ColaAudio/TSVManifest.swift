import Foundation

/// A list of audio files as tab-separated `path[\tlabel]` lines under a header (`path` or
/// `path\tlabel`). Relative paths are taken against the TSV's folder. Missing files are counted
/// and left out; a list where no file exists is refused.
public struct TSVManifest: Sendable {
    /// Existing files as loader items; `index` is the position in this array. Labels index
    /// ``labelNames``.
    public let items: [AudioItem]
    /// Distinct labels, sorted; empty when the TSV has no label column.
    public let labelNames: [String]
    /// Listed paths with no file.
    public let missingPaths: [String]

    /// One line for the run log.
    public var summary: String {
        "TSV: \(items.count) of \(items.count + missingPaths.count) files found, \(missingPaths.count) missing"
            + (missingPaths.isEmpty ? "" : " (e.g. \(missingPaths.prefix(3).joined(separator: ", ")))")
    }

    /// Reads the TSV at `path`.
    public init(path: String) throws(ManifestError) {
        let folder = (path as NSString).deletingLastPathComponent
        var rows = [(path: String, label: String?)]()
        var columns = 0
        for (number, text) in try ManifestText.lines(of: path) where !text.trimmingCharacters(in: .whitespaces).isEmpty {
            let fields = text.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if columns == 0 {
                guard fields == ["path"] || fields == ["path", "label"] else {
                    throw ManifestError(path: path, line: number, message: "expected the header \"path\" or \"path<TAB>label\", found \"\(text)\"")
                }
                columns = fields.count
                continue
            }
            guard fields.count == columns, !fields[0].isEmpty, columns == 1 || !fields[1].isEmpty else {
                throw ManifestError(
                    path: path, line: number,
                    message: "expected \(columns == 1 ? "a path" : "path<TAB>label") (\(columns) non-empty field\(columns == 1 ? "" : "s")), found \(fields.count) field(s): \"\(text)\"")
            }
            let file = fields[0].hasPrefix("/") ? fields[0] : (folder as NSString).appendingPathComponent(fields[0])
            rows.append((file, columns == 2 ? fields[1] : nil))
        }
        guard !rows.isEmpty else { throw ManifestError(path: path, line: 0, message: "no files listed; expected path[<TAB>label] lines under the header") }
        let names = Set(rows.compactMap(\.label)).sorted()
        let labelIndex = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        var items = [AudioItem](), missing = [String]()
        for row in rows {
            guard FileManager.default.fileExists(atPath: row.path) else {
                missing.append(row.path)
                continue
            }
            items.append(AudioItem(index: items.count, path: row.path, labels: row.label.map { [labelIndex[$0]!] } ?? []))
        }
        guard !items.isEmpty else {
            throw ManifestError(path: path, line: 0, message: "none of \(rows.count) listed files exists (e.g. \(missing[0]))")
        }
        self.items = items
        labelNames = names
        missingPaths = missing
    }
}
