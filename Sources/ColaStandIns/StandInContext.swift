import ColaCore
import ColaEvaluation
import Foundation

/// Everything a task generator needs: where to write, the seed and size, and the synthesizers.
public struct StandInContext: Sendable {
    /// The task's own folder (`--out/<task>`).
    public let folder: URL
    public let size: StandInSize
    public let seed: UInt64
    let tools: StandInTools
    let codec: ClipCodec
    let speech: SpeechSynthesizer
    let music: MusicSynthesizer
    let library: SoundLibrary
    let recordings: RecordingCache
    let progress: StandInProgress
    let workers: Int

    /// A random stream for `labels` of this task, independent of every other stream.
    func generator(_ labels: String...) -> SeededGenerator {
        var generator = SeededGenerator.labelled(seed: seed, folder.lastPathComponent)
        for label in labels { generator = SeededGenerator.labelled(seed: generator.next(), label) }
        return generator
    }

    /// Writes `waveform` to `relativePath` under the task folder.
    func write(_ waveform: Waveform, to relativePath: String, encoding: ClipEncoding = .wav16k) throws {
        try codec.write(waveform, to: folder.appendingPathComponent(relativePath), encoding: encoding)
    }

    /// Writes a text file (CSV, JSON, split lists) under the task folder.
    func writeText(_ text: String, to relativePath: String) throws {
        let url = folder.appendingPathComponent(relativePath)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        } catch {
            throw StandInError.writeFailed(path: url.path, reason: "\(error)")
        }
    }

    /// Runs `body` for every index in `0..<count` on the worker threads, reporting progress.
    /// Each item must derive its randomness from its index, so the result is the same for any
    /// number of workers and any order.
    func forEach(_ count: Int, _ what: String, _ body: @Sendable (Int) throws -> Void) throws {
        let failures = FailureList()
        let counter = progress.counter(task: folder.lastPathComponent, what: what, total: count)
        let next = IndexDispenser()
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, count))) { _ in
            while let index = next.take(below: count), failures.isEmpty {
                do { try body(index) } catch { failures.append(error) }
                counter.advance()
            }
        }
        counter.finish()
        if let first = failures.first { throw first }
    }
}

/// Hands out indices in order to worker threads.
private final class IndexDispenser: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0

    func take(below count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard nextIndex < count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }
}

/// Errors thrown by worker threads.
private final class FailureList: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [Error] = []

    var isEmpty: Bool { lock.lock(); defer { lock.unlock() }; return errors.isEmpty }
    var first: Error? { lock.lock(); defer { lock.unlock() }; return errors.first }

    func append(_ error: Error) {
        lock.lock()
        errors.append(error)
        lock.unlock()
    }
}

/// Progress lines on standard output: at most one per second per step, and one when it ends.
public final class StandInProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let print: @Sendable (String) -> Void

    /// `print` receives each line; pass `{ _ in }` for silence.
    public init(print: @escaping @Sendable (String) -> Void) { self.print = print }

    func say(_ line: String) {
        lock.lock()
        print(line)
        lock.unlock()
    }

    func counter(task: String, what: String, total: Int) -> Counter {
        Counter(progress: self, label: "\(task): \(what)", total: total)
    }

    /// Counts finished items of one step.
    final class Counter: @unchecked Sendable {
        private let progress: StandInProgress
        private let label: String
        private let total: Int
        private let lock = NSLock()
        private var done = 0
        private var lastReport = Date()

        init(progress: StandInProgress, label: String, total: Int) {
            self.progress = progress
            self.label = label
            self.total = total
        }

        func advance() {
            lock.lock()
            done += 1
            let now = Date()
            let report = now.timeIntervalSince(lastReport) >= 1 && done < total
            if report { lastReport = now }
            let count = done
            lock.unlock()
            if report { progress.say("\(label) \(count)/\(total)") }
        }

        func finish() { progress.say("\(label) \(total)/\(total) done") }
    }
}
