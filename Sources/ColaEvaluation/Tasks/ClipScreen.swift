import ColaAudio
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks every clip a task lists before anything is embedded: the file exists, holds bytes,
/// libsndfile opens it, and it (or the clip's region) has samples. Clips that fail move from
/// the splits into ``TaskData/skipped`` with the reason.
///
/// Importers list what the metadata names without checking the files, so that a missing file
/// is one skipped clip rather than a failed task. Opening a file reads its header only; a file
/// whose samples turn out corrupt further in fails while it is embedded and is skipped then.
public enum ClipScreen {
    /// `task` without its unusable clips, which are appended to its ``TaskData/skipped``.
    public static func screen(_ task: TaskData) -> TaskData {
        var screened = task
        var headers: [String: Result<Header, AudioDecodeError>] = [:]
        func usable(_ clips: [LabeledClip], split: TaskSplit) -> [LabeledClip] {
            clips.filter { clip in
                let header: Result<Header, AudioDecodeError>
                if let known = headers[clip.path] {
                    header = known
                } else {
                    header = readHeader(clip.path)
                    headers[clip.path] = header
                }
                guard let error = problem(of: clip, header: header) else { return true }
                screened.skipped.append(SkippedClip(clip: clip.key, split: split, error: error))
                return false
            }
        }
        screened.train = usable(task.train, split: .train)
        screened.valid = usable(task.valid, split: .valid)
        screened.test = usable(task.test, split: .test)
        return screened
    }

    /// What a file's header says.
    struct Header {
        var frames: Int
        var sampleRate: Int
    }

    /// The header of `path`, or why it cannot be used (missing, zero bytes, not decodable, no samples).
    static func readHeader(_ path: String) -> Result<Header, AudioDecodeError> {
        var status = stat()
        guard stat(path, &status) == 0 else { return .failure(.missing(path: path)) }
        guard status.st_size > 0 else { return .failure(.empty(path: path)) }
        let file: SoundFile
        do {
            file = try SoundFile(path: path)
        } catch let error as SoundFileError {
            return .failure(.unreadable(path: path, reason: error.reason))
        } catch {
            return .failure(.unreadable(path: path, reason: "\(error)"))
        }
        guard file.frameCount > 0 else { return .failure(.empty(path: path)) }
        return .success(Header(frames: file.frameCount, sampleRate: file.sampleRate))
    }

    /// Why `clip` cannot be used, given its file's header; `nil` when it can.
    private static func problem(of clip: LabeledClip, header: Result<Header, AudioDecodeError>) -> AudioDecodeError? {
        switch header {
        case let .failure(error):
            return error
        case let .success(header):
            guard let start = clip.startSeconds else { return nil }
            return Int((start * Double(header.sampleRate)).rounded()) < header.frames ? nil : .empty(path: clip.path)
        }
    }
}
