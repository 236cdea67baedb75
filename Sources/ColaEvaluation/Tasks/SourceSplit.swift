import ColaCore

/// Deterministic splits that keep every clip of a source (speaker, video, file) on the same side.
///
/// Sources are ordered by ``StableHash`` within each class, so the split does not depend on the
/// order files were listed in, and each class with at least two sources appears on both sides.
public enum SourceSplit {
    /// Splits `clips` into train, validation and test by source, per class:
    /// `testFraction` and `validFraction` of each class's sources (rounded, at least one each
    /// when the class has three or more sources; with two sources one goes to test).
    public static func split(
        _ clips: [LabeledClip], validFraction: Double = 0.1, testFraction: Double = 0.1
    ) -> (train: [LabeledClip], valid: [LabeledClip], test: [LabeledClip]) {
        var train: [LabeledClip] = []
        var valid: [LabeledClip] = []
        var test: [LabeledClip] = []
        for (_, sources) in sourcesByClass(clips) {
            let n = sources.count
            let testCount = n >= 2 ? max(1, Int((Double(n) * testFraction).rounded())) : 0
            let validCount = n >= 3 ? max(1, Int((Double(n) * validFraction).rounded())) : 0
            for (index, source) in sources.enumerated() {
                let members = source.clips
                if index < testCount {
                    test += members
                } else if index < testCount + validCount {
                    valid += members
                } else {
                    train += members
                }
            }
        }
        return (train, valid, test)
    }

    /// Moves `fraction` of each class's train sources (at least one when the class has two or
    /// more) into a validation split.
    public static func carve(_ clips: [LabeledClip], fraction: Double) -> (kept: [LabeledClip], carved: [LabeledClip]) {
        var kept: [LabeledClip] = []
        var carved: [LabeledClip] = []
        for (_, sources) in sourcesByClass(clips) {
            let n = sources.count
            let carveCount = n >= 2 ? max(1, Int((Double(n) * fraction).rounded())) : 0
            for (index, source) in sources.enumerated() {
                if index < carveCount { carved += source.clips } else { kept += source.clips }
            }
        }
        return (kept, carved)
    }

    private struct SourceGroup {
        var name: String
        var clips: [LabeledClip]
    }

    /// Classes in label order; each class's sources in hash order, each source's clips in key order.
    private static func sourcesByClass(_ clips: [LabeledClip]) -> [(Int, [SourceGroup])] {
        var byClass: [Int: [String: [LabeledClip]]] = [:]
        for clip in clips {
            byClass[clip.label, default: [:]][clip.source, default: []].append(clip)
        }
        return byClass.keys.sorted().map { label in
            let groups = byClass[label]!.map { SourceGroup(name: $0.key, clips: $0.value.sorted { $0.key < $1.key }) }
            let ordered = groups.sorted { (StableHash.of($0.name), $0.name) < (StableHash.of($1.name), $1.name) }
            return (label, ordered)
        }
    }
}
