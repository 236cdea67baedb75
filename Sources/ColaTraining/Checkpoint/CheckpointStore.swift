import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The checkpoints of one run: `step-NNNNNN/` directories in one folder, a `latest` symlink,
/// atomic writes and the last ``keep`` kept.
///
/// A write goes to a hidden temporary directory, every file and the directory are fsynced, the
/// directory is renamed into place, and only then is `latest` repointed (a symlink renamed over
/// the old one), so a crash at any moment leaves either the old or the new checkpoint, never a
/// partial one under a `step-` name.
public struct CheckpointStore: Sendable {
    /// The folder holding the checkpoints (`runs/<name>/checkpoints`).
    public let directory: String
    /// How many checkpoints to keep; older ones are removed after each write.
    public let keep: Int

    public init(directory: String, keep: Int) {
        precondition(keep >= 1, "keep at least one checkpoint")
        self.directory = directory
        self.keep = keep
    }

    /// The directory name for a step: `step-000500`.
    public static func name(step: Int) -> String {
        "step-" + String(format: "%06d", step)
    }

    /// The step a `step-NNNNNN` directory name stands for.
    public static func step(ofName name: String) -> Int? {
        guard name.hasPrefix("step-") else { return nil }
        return Int(name.dropFirst(5))
    }

    /// Writes `checkpoint` as `step-NNNNNN/`, points `latest` at it and prunes old ones.
    ///
    /// - Parameter beforeRename: Called when the files are written but not yet in place (tests
    ///   use it to fail mid-write).
    /// - Returns: The checkpoint's directory.
    @discardableResult
    public func write(_ checkpoint: Checkpoint, beforeRename: () throws -> Void = {}) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let name = Self.name(step: checkpoint.state.step)
        let final = "\(directory)/\(name)"
        let temporary = "\(directory)/.\(name).tmp-\(getpid())"
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: false)
            for file in try checkpoint.files() {
                try Self.writeDurably(file.bytes, to: "\(temporary)/\(file.name)")
            }
            try Self.syncDirectory(temporary)
            try beforeRename()
            if FileManager.default.fileExists(atPath: final) {
                // Re-reaching a step after falling back from a refused checkpoint: replace it.
                let displaced = "\(directory)/.\(name).old-\(getpid())"
                try Self.rename(final, displaced)
                try? FileManager.default.removeItem(atPath: displaced)
            }
            try Self.rename(temporary, final)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        try pointLatest(at: name)
        try Self.syncDirectory(directory)
        prune()
        return final
    }

    /// Checkpoint directories present, oldest first.
    public func list() -> [(step: Int, path: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name in Self.step(ofName: name).map { ($0, "\(directory)/\(name)") } }
            .sorted { $0.step < $1.step }
    }

    /// The checkpoint `latest` points to, if any.
    public var latest: String? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/latest") else { return nil }
        let path = target.hasPrefix("/") ? target : "\(directory)/\(target)"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// The newest checkpoint that verifies, starting from `start` (default: `latest`, else the
    /// newest directory) and falling back to older ones in the same folder.
    ///
    /// - Returns: The checkpoint, its path and one message per refused checkpoint.
    public static func loadNewestValid(startingAt start: String?, in store: CheckpointStore) throws
        -> (checkpoint: Checkpoint, path: String, refused: [String])
    {
        let all = store.list()
        var candidates: [String]
        if let start {
            let startStep = step(ofName: URL(fileURLWithPath: start).resolvingSymlinksInPath().lastPathComponent)
            candidates = [start] + all.filter { startStep == nil || $0.step < startStep! }.reversed().map(\.path)
        } else {
            candidates = all.reversed().map(\.path)
            if let latest = store.latest {
                let resolved = URL(fileURLWithPath: latest).resolvingSymlinksInPath().path
                candidates.removeAll { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path == resolved }
                let latestStep = step(ofName: URL(fileURLWithPath: resolved).lastPathComponent) ?? Int.max
                candidates = [latest] + candidates.filter { (step(ofName: URL(fileURLWithPath: $0).lastPathComponent) ?? 0) < latestStep }
            }
        }
        var refused: [String] = []
        for candidate in candidates {
            do {
                return (try Checkpoint.read(directory: candidate), candidate, refused)
            } catch {
                refused.append("refusing \(candidate): \(error)")
            }
        }
        let tried = refused.isEmpty ? "no checkpoint found in \(store.directory)" : refused.joined(separator: "; ")
        throw CheckpointError(path: start ?? store.directory, problem: "no usable checkpoint (\(tried))")
    }

    private func pointLatest(at name: String) throws {
        let link = "\(directory)/latest"
        let temporary = "\(directory)/.latest.tmp-\(getpid())"
        unlink(temporary)
        guard symlink(name, temporary) == 0 else {
            throw CheckpointError(path: temporary, problem: "cannot create symlink: \(String(cString: strerror(errno)))")
        }
        try Self.rename(temporary, link)
    }

    private func prune() {
        let all = list()
        for old in all.dropLast(keep) {
            try? FileManager.default.removeItem(atPath: old.path)
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for stale in names where stale.hasPrefix(".step-") && !stale.hasSuffix("-\(getpid())") {
            try? FileManager.default.removeItem(atPath: "\(directory)/\(stale)")
        }
    }

    static func writeDurably(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw CheckpointError(path: path, problem: "cannot create: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var written = 0
        try bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                guard n > 0 else { throw CheckpointError(path: path, problem: "write failed: \(String(cString: strerror(errno)))") }
                written += n
            }
        }
        guard fsync(fd) == 0 else { throw CheckpointError(path: path, problem: "fsync failed: \(String(cString: strerror(errno)))") }
    }

    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw CheckpointError(path: path, problem: "cannot open directory: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        _ = fsync(fd)
    }

    static func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            throw CheckpointError(path: to, problem: "rename from \(from) failed: \(String(cString: strerror(errno)))")
        }
    }
}
