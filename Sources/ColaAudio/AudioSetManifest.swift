import Foundation

/// One row of an AudioSet segment CSV (`YTID, start_seconds, end_seconds, positive_labels`).
public struct AudioSetSegment: Sendable, Equatable {
    /// YouTube video id.
    public let ytid: String
    /// Segment start in seconds.
    public let start: Double
    /// Segment end in seconds.
    public let end: Double
    /// Start as written in the CSV (e.g. `30.000`), for file-name patterns.
    public let startText: String
    /// End as written in the CSV.
    public let endText: String
    /// Label ids (`/m/...`), in CSV order.
    public let labelIDs: [String]
    /// 1-based line in the CSV.
    public let line: Int
}

/// `class_labels_indices.csv`: `index,mid,display_name`, one class per line in index order.
public struct AudioSetClassList: Sendable, Equatable {
    /// Label ids by class index.
    public let mids: [String]
    /// Human-readable names by class index.
    public let names: [String]
    private let indexByMID: [String: Int]

    /// Reads and checks the class list at `path`.
    public init(path: String) throws(ManifestError) {
        var mids = [String](), names = [String](), byMID = [String: Int]()
        var sawHeader = false
        for (number, text) in try ManifestText.lines(of: path) where !text.trimmingCharacters(in: .whitespaces).isEmpty {
            let fields = try ManifestText.csvFields(text, path: path, number: number)
            if !sawHeader {
                guard fields == ["index", "mid", "display_name"] else {
                    throw ManifestError(path: path, line: number, message: "expected the header index,mid,display_name, found \(text)")
                }
                sawHeader = true
                continue
            }
            guard fields.count == 3 else {
                throw ManifestError(path: path, line: number, message: "expected 3 fields (index,mid,display_name), found \(fields.count)")
            }
            guard let index = Int(fields[0]), index == mids.count else {
                throw ManifestError(path: path, line: number, message: "expected class index \(mids.count), found \(fields[0])")
            }
            guard byMID[fields[1]] == nil, !fields[1].isEmpty else {
                throw ManifestError(path: path, line: number, message: "expected a new, non-empty mid, found \(fields[1].isEmpty ? "nothing" : "duplicate \(fields[1])")")
            }
            byMID[fields[1]] = index
            mids.append(fields[1])
            names.append(fields[2])
        }
        guard !mids.isEmpty else { throw ManifestError(path: path, line: 0, message: "no classes; expected index,mid,display_name rows") }
        self.mids = mids
        self.names = names
        indexByMID = byMID
    }

    /// The class index of label id `mid`, if listed.
    public func index(of mid: String) -> Int? { indexByMID[mid] }
}

/// The official AudioSet segment lists (`balanced_train_segments.csv`,
/// `unbalanced_train_segments.csv`, `eval_segments.csv`) resolved to local files.
///
/// Each segment is looked up under `audioRoot` by file-name patterns tried in order; the first
/// that exists wins. Placeholders: `{ytid}`, `{start}`/`{end}` (as written, e.g. `30.000`),
/// `{start_int}`/`{end_int}` (whole seconds), `{start_ms}`/`{end_ms}` (milliseconds),
/// `{ytid_prefix1}`…`{ytid_prefix4}` (first characters of the id, for sharded folders).
/// Missing files are normal (AudioSet is always partly unavailable) and reported; a manifest
/// where nothing resolves is refused.
public struct AudioSetManifest: Sendable {
    /// Every segment in the CSV, in file order.
    public let segments: [AudioSetSegment]
    /// Resolved segments as loader items; `index` is the position in this array.
    public let items: [AudioItem]
    /// Segments with no file under the root.
    public let missing: [AudioSetSegment]

    /// Files found.
    public var foundCount: Int { items.count }
    /// Segments without a file.
    public var missingCount: Int { missing.count }

    /// One line for the run log: found and missing counts and the first few missing ids.
    public var summary: String {
        let examples = missing.prefix(3).map(\.ytid).joined(separator: ", ")
        return "AudioSet: \(foundCount) of \(segments.count) segments found, \(missingCount) missing"
            + (missing.isEmpty ? "" : " (e.g. \(examples))")
    }

    /// Parses `segmentsPath`, maps labels through `classes` (when given), and resolves files.
    ///
    /// - Parameters:
    ///   - patterns: File-name patterns relative to `audioRoot`, tried in order.
    ///   - filesAreSegments: True when each file holds just the 10 s segment (the usual download);
    ///     false when files are whole videos and only `[start, end)` must be read.
    public init(
        segmentsPath: String, classes: AudioSetClassList?, audioRoot: String,
        patterns: [String] = AudioSetManifest.defaultPatterns, filesAreSegments: Bool = true
    ) throws(ManifestError) {
        let segments = try Self.parseSegments(path: segmentsPath)
        for pattern in patterns { try Self.checkPattern(pattern, manifest: segmentsPath) }
        let available = ManifestText.filesUnder(audioRoot)
        var items = [AudioItem](), missing = [AudioSetSegment]()
        for segment in segments {
            let candidates = patterns.map { Self.fill($0, with: segment) }
            guard let relative = candidates.first(where: available.contains) else {
                missing.append(segment)
                continue
            }
            var labels = [Int]()
            if let classes {
                for mid in segment.labelIDs {
                    guard let index = classes.index(of: mid) else {
                        throw ManifestError(path: segmentsPath, line: segment.line, message: "label \(mid) is not in the class list")
                    }
                    labels.append(index)
                }
            }
            items.append(AudioItem(
                index: items.count, path: (audioRoot as NSString).appendingPathComponent(relative),
                start: filesAreSegments ? nil : segment.start, end: filesAreSegments ? nil : segment.end,
                labels: labels))
        }
        guard !items.isEmpty else {
            let example = segments.first.map { s in patterns.map { Self.fill($0, with: s) }.joined(separator: " or ") } ?? "-"
            throw ManifestError(
                path: segmentsPath, line: 0,
                message: "none of \(segments.count) segments has a file under \(audioRoot) (patterns \(patterns); e.g. looked for \(example))")
        }
        self.segments = segments
        self.items = items
        self.missing = missing
    }

    /// Patterns tried when none are given: the common download layouts.
    public static let defaultPatterns = [
        "{ytid}.wav", "{ytid}.flac", "Y{ytid}.wav", "{ytid}_{start_int}.wav", "{ytid}_{start}_{end}.wav",
        "{ytid}_{start_int}.flac", "{ytid}_{start}_{end}.flac", "{ytid}.ogg", "{ytid}.mp3",
    ]

    /// Reads an AudioSet segment CSV: `#` lines are comments, data lines have four fields with
    /// the label list quoted.
    public static func parseSegments(path: String) throws(ManifestError) -> [AudioSetSegment] {
        var segments = [AudioSetSegment]()
        for (number, text) in try ManifestText.lines(of: path) {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = try ManifestText.csvFields(text, path: path, number: number)
            guard fields.count == 4 else {
                throw ManifestError(
                    path: path, line: number,
                    message: "expected 4 fields (YTID, start_seconds, end_seconds, \"labels\"), found \(fields.count); is the label list quoted?")
            }
            guard !fields[0].isEmpty, !fields[0].contains("/") else {
                throw ManifestError(path: path, line: number, message: "expected a YouTube id, found \"\(fields[0])\"")
            }
            guard let start = Double(fields[1]), let end = Double(fields[2]), start >= 0, end > start else {
                throw ManifestError(
                    path: path, line: number,
                    message: "expected start_seconds < end_seconds as numbers, found \"\(fields[1])\", \"\(fields[2])\"")
            }
            let labels = fields[3].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !labels.isEmpty, labels.allSatisfy({ $0.hasPrefix("/") }) else {
                throw ManifestError(path: path, line: number, message: "expected label ids like /m/09x0r, found \"\(fields[3])\"")
            }
            segments.append(AudioSetSegment(
                ytid: fields[0], start: start, end: end, startText: fields[1], endText: fields[2],
                labelIDs: labels, line: number))
        }
        guard !segments.isEmpty else {
            throw ManifestError(path: path, line: 0, message: "no segments; expected lines YTID, start_seconds, end_seconds, \"labels\"")
        }
        return segments
    }

    private static let placeholders: Set<String> = [
        "ytid", "start", "end", "start_int", "end_int", "start_ms", "end_ms",
        "ytid_prefix1", "ytid_prefix2", "ytid_prefix3", "ytid_prefix4",
    ]

    private static func checkPattern(_ pattern: String, manifest: String) throws(ManifestError) {
        var rest = pattern[...]
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw ManifestError(path: manifest, line: 0, message: "pattern \(pattern): unclosed {")
            }
            let name = String(rest[rest.index(after: open)..<close])
            guard placeholders.contains(name) else {
                throw ManifestError(
                    path: manifest, line: 0,
                    message: "pattern \(pattern): unknown placeholder {\(name)}; expected one of \(placeholders.sorted())")
            }
            rest = rest[rest.index(after: close)...]
        }
    }

    /// The pattern with the segment's values substituted.
    static func fill(_ pattern: String, with segment: AudioSetSegment) -> String {
        var text = pattern
        let values: [(String, String)] = [
            ("ytid_prefix1", String(segment.ytid.prefix(1))), ("ytid_prefix2", String(segment.ytid.prefix(2))),
            ("ytid_prefix3", String(segment.ytid.prefix(3))), ("ytid_prefix4", String(segment.ytid.prefix(4))),
            ("ytid", segment.ytid), ("start_int", String(Int(segment.start))), ("end_int", String(Int(segment.end))),
            ("start_ms", String(Int((segment.start * 1000).rounded()))), ("end_ms", String(Int((segment.end * 1000).rounded()))),
            ("start", segment.startText), ("end", segment.endText),
        ]
        for (name, value) in values {
            text = text.replacingOccurrences(of: "{\(name)}", with: value)
        }
        return text
    }
}
