import Foundation

/// File-system reading shared by the importers: folders, audio files, metadata lines.
enum TaskFiles {
    /// Extensions of files read as audio.
    static let audioExtensions: Set<String> = ["wav", "flac", "ogg", "mp3", "opus", "aif", "aiff"]

    static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    static func join(_ parts: String...) -> String {
        parts.filter { !$0.isEmpty }.joined(separator: "/").replacingOccurrences(of: "//", with: "/")
    }

    /// Names of the sub-folders of `path`, sorted; hidden folders skipped.
    static func subfolders(_ path: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasPrefix(".") && isDirectory(join(path, $0)) }.sorted()
    }

    /// Names of the audio files directly in `path`, sorted.
    static func audioFiles(in path: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { isAudio($0) && !isDirectory(join(path, $0)) }.sorted()
    }

    /// Paths, relative to `path`, of every audio file below it, sorted.
    static func audioFilesRecursively(in path: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            if isAudio(relative) { found.append(relative) }
        }
        return found.sorted()
    }

    static func isAudio(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        return audioExtensions.contains(name[name.index(after: dot)...].lowercased())
    }

    /// `folder` itself when it holds `marker`, else its one sub-folder that does (a data set
    /// unpacked into its own top folder), else `nil`.
    static func root(of folder: String, containing marker: String) -> String? {
        if exists(join(folder, marker)) { return folder }
        for name in subfolders(folder) where exists(join(folder, name, marker)) {
            return join(folder, name)
        }
        return nil
    }

    /// The lines of a text file, numbered from 1, with blank lines and a trailing `\r` dropped.
    static func lines(of path: String) throws -> [(number: Int, text: String)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TaskImportError.missing(path: path, expected: "a readable text file")
        }
        let text = String(decoding: data, as: UTF8.self)
        var numbered: [(Int, String)] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            numbered.append((index + 1, line))
        }
        return numbered
    }
}
