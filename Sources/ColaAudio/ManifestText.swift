import Foundation

/// Line-level reading shared by the CSV and TSV manifests.
enum ManifestText {
    /// The lines of `path` with their 1-based numbers (line endings `\n` or `\r\n`).
    static func lines(of path: String) throws(ManifestError) -> [(number: Int, text: String)] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ManifestError(path: path, line: 0, message: "cannot read the file (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ManifestError(path: path, line: 0, message: "not UTF-8 text")
        }
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { offset, line in
            (offset + 1, line.hasSuffix("\r") ? String(line.dropLast()) : String(line))
        }
    }

    /// Splits one CSV line at commas outside double quotes; fields are trimmed of spaces and
    /// their quotes removed (`""` inside quotes is a literal quote).
    static func csvFields(_ line: String, path: String, number: Int) throws(ManifestError) -> [String] {
        var fields = [String](), field = "", quoted = false, wasQuoted = false
        var characters = Array(line)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" {
                        field.append("\"")
                        characters.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                guard field.allSatisfy({ $0 == " " }) else {
                    throw ManifestError(path: path, line: number, message: "quote inside an unquoted field; expected a quote only at a field's start")
                }
                field = ""
                quoted = true
                wasQuoted = true
            } else if character == "," {
                fields.append(wasQuoted ? field : field.trimmingCharacters(in: .whitespaces))
                field = ""
                wasQuoted = false
            } else if !(wasQuoted && character == " ") {
                guard !wasQuoted else {
                    throw ManifestError(path: path, line: number, message: "text after a closing quote; expected a comma")
                }
                field.append(character)
            }
        }
        guard !quoted else {
            throw ManifestError(path: path, line: number, message: "unterminated quoted field; expected a closing \"")
        }
        fields.append(wasQuoted ? field : field.trimmingCharacters(in: .whitespaces))
        return fields
    }

    /// Every regular file under `root`, as paths relative to it.
    static func filesUnder(_ root: String) -> Set<String> {
        var found = Set<String>()
        guard let walker = FileManager.default.enumerator(atPath: root) else { return found }
        while let relative = walker.nextObject() as? String {
            if walker.fileAttributes?[.type] as? FileAttributeType != .typeDirectory {
                found.insert(relative)
            }
        }
        return found
    }
}
