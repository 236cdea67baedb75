import ColaAudio
import ColaCore

/// Speech Commands (Warden 2018), v0.01 or v0.02, as the archive unpacks:
///
/// ```
/// <word>/<speaker>_nohash_<n>.wav     one folder per word
/// _background_noise_/*.wav            long noise recordings (v1 setup: the _silence_ class)
/// validation_list.txt                 <word>/<file>.wav per line
/// testing_list.txt                    <word>/<file>.wav per line
/// ```
///
/// Files in neither list are train. A listed file that is absent stays in its split and is
/// skipped by ``ClipScreen``. The folder may also hold these in one sub-folder
/// (e.g. `speech_commands_v0.01/`).
public struct SpeechCommandsImporter: TaskImporter {
    /// Which class set to build.
    public enum Setup: Sendable {
        /// The 12-class setup: 10 command words, `_unknown_` (the other words), `_silence_`.
        case twelveClasses
        /// Every word folder is a class (35 words in v0.02).
        case allWords
    }

    /// The ten command words of the 12-class setup.
    public static let commandWords = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
    /// `_unknown_` and `_silence_` each make up this share of the command-word clips of a split
    /// (rounded up), as in the TensorFlow speech-commands recipe.
    public static let unknownAndSilenceShare = 0.1

    /// The class set built.
    public let setup: Setup

    /// An importer for `setup`.
    public init(setup: Setup) { self.setup = setup }

    public func load(from folder: String, name: String) throws -> TaskData {
        guard let root = TaskFiles.root(of: folder, containing: "validation_list.txt") else {
            throw TaskImportError.missing(path: TaskFiles.join(folder, "validation_list.txt"), expected: "Speech Commands: <word>/ folders, validation_list.txt, testing_list.txt")
        }
        let validationList = TaskFiles.join(root, "validation_list.txt")
        let testingList = TaskFiles.join(root, "testing_list.txt")
        guard TaskFiles.exists(testingList) else {
            throw TaskImportError.missing(path: testingList, expected: "Speech Commands testing_list.txt")
        }
        let words = TaskFiles.subfolders(root).filter { !$0.hasPrefix("_") }
        guard !words.isEmpty else {
            throw TaskImportError.empty(task: name, reason: "no word folders in \(root)")
        }
        let validNames = try readList(validationList, words: Set(words))
        let testNames = try readList(testingList, words: Set(words))
        let listed = Set(validNames.keys).union(testNames.keys)

        let classNames: [String]
        switch setup {
        case .allWords: classNames = words
        case .twelveClasses: classNames = Self.commandWords + ["_unknown_", "_silence_"]
        }
        let unknownLabel = Self.commandWords.count

        var splits: [[LabeledClip]] = [[], [], []]
        var unknown: [[LabeledClip]] = [[], [], []]
        for word in words {
            let found = TaskFiles.audioFiles(in: TaskFiles.join(root, word)).map { "\(word)/\($0)" }
            for relative in Set(found).union(listed.filter { $0.hasPrefix(word + "/") }).sorted() {
                let file = String(relative.dropFirst(word.count + 1))
                let speaker = file.components(separatedBy: "_nohash_").first ?? file
                let split = testNames[relative] != nil ? 2 : validNames[relative] != nil ? 1 : 0
                let path = TaskFiles.join(root, relative)
                if let label = classNames.firstIndex(of: word) {
                    splits[split].append(LabeledClip(path: path, label: label, source: speaker))
                } else {
                    unknown[split].append(LabeledClip(path: path, label: unknownLabel, source: speaker))
                }
            }
        }

        if setup == .twelveClasses {
            let noiseFolder = TaskFiles.join(root, "_background_noise_")
            let noiseFiles = TaskFiles.audioFiles(in: noiseFolder).map { TaskFiles.join(noiseFolder, $0) }
            guard !noiseFiles.isEmpty else {
                throw TaskImportError.missing(path: noiseFolder, expected: "_background_noise_/*.wav for the _silence_ class")
            }
            let durations = try noiseFiles.map { path -> Double in
                let file = try SoundFile(path: path)
                return Double(file.frameCount) / Double(file.sampleRate)
            }
            for split in 0..<3 {
                let wanted = Int((Double(splits[split].count) * Self.unknownAndSilenceShare).rounded(.up))
                let folder = root.hasSuffix("/") ? root : root + "/"
                let chosen = unknown[split].sorted { StableHash.of($0.key(below: folder)) < StableHash.of($1.key(below: folder)) }.prefix(wanted)
                splits[split] += chosen
                splits[split] += Self.silenceClips(count: wanted, split: split, files: noiseFiles, durations: durations, label: unknownLabel + 1)
            }
        }
        return TaskData(name: name, classNames: classNames, train: splits[0], valid: splits[1], test: splits[2])
    }

    /// `count` 1 s segments of the noise files for `split`: each file's first 80% serves train,
    /// the next 10% validation, the last 10% test, so no split hears another's noise.
    /// Segments are spread evenly over each file's region, round-robin over the files.
    static func silenceClips(count: Int, split: Int, files: [String], durations: [Double], label: Int) -> [LabeledClip] {
        guard count > 0, !files.isEmpty else { return [] }
        let bounds: [(Double, Double)] = [(0, 0.8), (0.8, 0.9), (0.9, 1.0)]
        let perFile = (0..<files.count).map { index in count / files.count + (index < count % files.count ? 1 : 0) }
        var clips: [LabeledClip] = []
        for (index, path) in files.enumerated() where perFile[index] > 0 {
            let start = durations[index] * bounds[split].0
            let length = durations[index] * (bounds[split].1 - bounds[split].0)
            let segment = min(1.0, length)
            let room = max(0, length - segment)
            for k in 0..<perFile[index] {
                let offset = perFile[index] == 1 ? 0 : room * Double(k) / Double(perFile[index] - 1)
                let startSeconds = ((start + offset) * 1000).rounded() / 1000
                clips.append(LabeledClip(path: path, label: label, source: "\(path)#\(split)", startSeconds: startSeconds, durationSeconds: segment))
            }
        }
        return clips
    }

    /// The entries of a split list (`<word>/<file>.wav`), each with its line number; every
    /// entry's word must be one of the word folders.
    private func readList(_ path: String, words: Set<String>) throws -> [String: Int] {
        var names: [String: Int] = [:]
        for (number, line) in try TaskFiles.lines(of: path) {
            let entry = line.trimmingCharacters(in: .whitespaces)
            let parts = entry.split(separator: "/")
            guard parts.count == 2, TaskFiles.isAudio(entry) else {
                throw TaskImportError.malformed(file: path, line: number, reason: "expected <word>/<file>.wav, found \"\(entry)\"")
            }
            guard words.contains(String(parts[0])) else {
                throw TaskImportError.malformed(file: path, line: number, reason: "names \(entry), but there is no word folder \(parts[0])/")
            }
            names[entry] = number
        }
        return names
    }
}
