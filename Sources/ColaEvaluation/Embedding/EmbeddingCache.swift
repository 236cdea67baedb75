import ColaCore
import Foundation

/// Embeddings of a task's three splits kept on disk, one file per (embedder identity, task
/// content, windowing), so a sweep over probes or repeated reports never re-embeds.
///
/// File `<directory>/<task>-<key>.embeddings`: magic `COLAEMB2`, then per split (train, valid,
/// test) the width, row count and clip count as UInt32, then clip-of-row Int32s, labels Int32s
/// and row Float32s (little-endian). Files are written to a temporary name and renamed, so a
/// crash never leaves a torn file.
///
/// Only complete embeddings are stored: splits in which a clip failed to decode are not (see
/// ``store(_:task:key:)``), so a failure is never read back as a task's embeddings.
public struct EmbeddingCache: Sendable {
    /// Where cache files live.
    public let directory: String

    /// A cache in `directory` (created on first store).
    public init(directory: String) { self.directory = directory }

    /// The default location: `$XDG_CACHE_HOME/cola/embeddings`, else `~/.cache/cola/embeddings`.
    public static var defaultDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache")
        return base + "/cola/embeddings"
    }

    /// The cache key of `task` embedded by `embedderIdentity` with the given windowing: changes
    /// whenever a clip, a label, the embedder or the windowing changes, and when an audio file is
    /// rewritten under the same name (its size and modification time are part of the key).
    /// Skipped clips are not part of the task's splits, so a file that is repaired changes the key.
    public static func key(task: TaskData, embedderIdentity: String, windowing: String) -> String {
        var text = "\(embedderIdentity)|\(windowing)|\(task.name)|\(task.classNames.joined(separator: ","))"
        for (name, clips) in [("train", task.train), ("valid", task.valid), ("test", task.test)] {
            text += "|\(name):"
            for clip in clips {
                let labels = clip.labelSet.map { $0.map(String.init).joined(separator: "+") } ?? "\(clip.label)"
                text += "\(clip.key)#\(fileFingerprint(clip.path))=\(labels);"
            }
        }
        return StableHash.hex(text)
    }

    /// Size and modification time of the file at `path` (`missing` when it cannot be read).
    static func fileFingerprint(_ path: String) -> String {
        var status = stat()
        guard stat(path, &status) == 0 else { return "missing" }
        return "\(status.st_size):\(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)"
    }

    /// The file for `task` under `key`.
    public func path(task: String, key: String) -> String { "\(directory)/\(task)-\(key).embeddings" }

    /// The stored splits, or `nil` when absent or unreadable.
    public func load(task: String, key: String) -> [EmbeddedSplit]? {
        guard let data = FileManager.default.contents(atPath: path(task: task, key: key)) else { return nil }
        var reader = ByteReader(data: data)
        guard reader.bytes(8) == Array(Self.magic.utf8) else { return nil }
        var splits: [EmbeddedSplit] = []
        for _ in 0..<3 {
            guard let width = reader.uint32(), let rows = reader.uint32(), let clips = reader.uint32(),
                  let clipOfRow = reader.int32s(Int(rows)), let labels = reader.int32s(Int(clips)),
                  let values = reader.floats(Int(rows) * Int(width)) else { return nil }
            splits.append(EmbeddedSplit(width: Int(width), rows: values, clipOfRow: clipOfRow, labels: labels))
        }
        return splits
    }

    /// Stores `splits` (train, valid, test) under `key`, unless a clip of theirs failed to
    /// decode (``EmbeddedSplit/unreadable``): such embeddings are incomplete, and the next run
    /// decodes the clip again rather than reading the failure back.
    ///
    /// - Returns: Whether the splits were stored.
    @discardableResult
    public func store(_ splits: [EmbeddedSplit], task: String, key: String) throws -> Bool {
        guard splits.allSatisfy({ $0.unreadable.isEmpty }) else { return false }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var data = Data(Self.magic.utf8)
        for split in splits {
            for value in [split.width, split.rowCount, split.clipCount] {
                withUnsafeBytes(of: UInt32(value).littleEndian) { data.append(contentsOf: $0) }
            }
            split.clipOfRow.withUnsafeBytes { data.append(contentsOf: $0) }
            split.labels.withUnsafeBytes { data.append(contentsOf: $0) }
            split.rows.withUnsafeBytes { data.append(contentsOf: $0) }
        }
        let target = path(task: task, key: key)
        let temporary = target + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw EmbeddingCacheError(path: temporary, reason: "cannot write")
        }
        guard rename(temporary, target) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw EmbeddingCacheError(path: target, reason: "cannot rename \(temporary) into place")
        }
        return true
    }

    /// The file format's first eight bytes (version 2: no failures stored).
    private static let magic = "COLAEMB2"
}

/// A cache file that cannot be written.
public struct EmbeddingCacheError: Error, CustomStringConvertible {
    /// The file.
    public let path: String
    /// What went wrong.
    public let reason: String

    public var description: String { "\(path): \(reason)" }
}

/// Sequential little-endian reads from a byte buffer; `nil` when the buffer ends early.
private struct ByteReader {
    let data: Data
    var offset = 0

    mutating func bytes(_ count: Int) -> [UInt8]? {
        copy(count, as: UInt8.self)
    }

    mutating func uint32() -> UInt32? {
        bytes(4).map { $0.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) } }
    }

    mutating func int32s(_ count: Int) -> [Int32]? {
        copy(count, as: Int32.self)
    }

    mutating func floats(_ count: Int) -> [Float]? {
        copy(count, as: Float.self)
    }

    /// `count` values copied straight out of the buffer (the files are little-endian, as every
    /// machine Cola runs on).
    private mutating func copy<T>(_ count: Int, as type: T.Type) -> [T]? {
        let byteCount = count * MemoryLayout<T>.stride
        guard count >= 0, offset + byteCount <= data.count else { return nil }
        let start = offset
        offset += byteCount
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            data.withUnsafeBytes { raw in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[start..<(start + byteCount)]))
            }
            initialized = count
        }
    }
}
