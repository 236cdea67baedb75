import ColaCore
import ColaEvaluation
import Foundation

/// Bird audio detection (DCASE 2018) stand-in, in the two development sets' layouts:
///
/// ```
/// ff1010bird_metadata.csv, ff1010bird_wav/wav/<itemid>.wav                 10 s, 44.1 kHz mono
/// warblrb10k_public_metadata.csv, warblrb10k_public_wav/wav/<itemid>.wav   10 s, 44.1 kHz mono
/// ```
///
/// `hasbird = 1` clips are ambience with two to five bird calls mixed in at a random SNR (0 to
/// +20 dB); `hasbird = 0` clips are ambience alone or with other animals and effects (−5 to +15 dB),
/// so "something happened" does not give the answer away. Recordings, call "species" and
/// effects are split into a training pool and a held-out pool; clips the importer's split
/// (FNV-1a order of `datasetid/itemid` per class, 10% test and 10% validation) sends to
/// validation or test are built from the held-out pool only.
struct BirdsStandIn: Sendable {
    struct Pools: Sendable {
        var ambience: [PackagedRecording] = []
        var calls: [PackagedRecording] = []
        var events: [PackagedRecording] = []
        var species: [BirdCallSynthesizer] = []
    }

    func build(in context: StandInContext) throws {
        let perDataset = context.size.pick(10, 250, 600)
        var random = context.generator("items")
        var itemsPlan: [(dataset: String, id: String, hasBird: Int)] = []
        var usedIDs: Set<String> = []
        for dataset in ["ff1010bird", "warblrb10k"] {
            var made = 0
            while made < perDataset {
                let id = dataset == "ff1010bird"
                    ? String(Int.random(in: 100...199_999, using: &random))
                    : "\(random.hexString(8))-\(random.hexString(4))-\(random.hexString(4))-\(random.hexString(4))-\(random.hexString(12))"
                guard usedIDs.insert(id).inserted else { continue }
                itemsPlan.append((dataset, id, made % 2))
                made += 1
            }
        }
        let items = itemsPlan
        let heldOut = Self.heldOutSources(items.map { ("\($0.dataset)/\($0.id)", $0.hasBird) })
        let pools = makePools(context.library, using: &random)
        try context.forEach(items.count, "clips") { index in
            let item = items[index]
            let pool = pools[heldOut.contains("\(item.dataset)/\(item.id)") ? 1 : 0]
            var clip = context.generator("clip", item.id)
            let audio = try Self.scene(hasBird: item.hasBird == 1, pool: pool, context: context, using: &clip)
            let folder = item.dataset == "ff1010bird" ? "ff1010bird_wav" : "warblrb10k_public_wav"
            try context.write(audio, to: "\(folder)/wav/\(item.id).wav", encoding: ClipEncoding(sampleRate: 44_100))
        }
        for (dataset, csv) in [("ff1010bird", "ff1010bird_metadata.csv"), ("warblrb10k", "warblrb10k_public_metadata.csv")] {
            let lines = items.filter { $0.dataset == dataset }.map { "\($0.id),\(dataset),\($0.hasBird)\n" }
            try context.writeText("itemid,datasetid,hasbird\n" + lines.joined(), to: csv)
        }
    }

    /// The sources the importer puts into test or validation (see ``SourceSplit`` in the importers).
    static func heldOutSources(_ sources: [(name: String, label: Int)]) -> Set<String> {
        var heldOut: Set<String> = []
        for label in Set(sources.map(\.label)) {
            let ordered = sources.filter { $0.label == label }.map(\.name).sorted { (StableHash.of($0), $0) < (StableHash.of($1), $1) }
            let n = ordered.count
            let testCount = n >= 2 ? max(1, Int((Double(n) * 0.1).rounded())) : 0
            let validCount = n >= 3 ? max(1, Int((Double(n) * 0.1).rounded())) : 0
            heldOut.formUnion(ordered.prefix(testCount + validCount))
        }
        return heldOut
    }

    /// Training pool (0) and held-out pool (1): every class of ambience with two or more
    /// recordings gives its first to the held-out pool; calls and events alternate.
    private func makePools(_ library: SoundLibrary, using random: inout SeededGenerator) -> [Pools] {
        var pools = [Pools(), Pools()]
        for scene in ["night", "rain", "desert", "wind", "fire"] {
            let recordings = library.ambience[scene] ?? []
            for (index, recording) in recordings.enumerated() {
                pools[recordings.count >= 2 && index == 0 ? 1 : 0].ambience.append(recording)
            }
        }
        for (index, call) in library.birdCalls.enumerated() { pools[index % 3 == 2 ? 1 : 0].calls.append(call) }
        for (index, event) in (library.animals + library.effects).enumerated() { pools[index % 4 == 3 ? 1 : 0].events.append(event) }
        for index in 0..<24 { pools[index % 4 == 3 ? 1 : 0].species.append(BirdCallSynthesizer(species: &random)) }
        return pools
    }

    /// Ten seconds of ambience, with bird calls or with other events.
    static func scene(hasBird: Bool, pool: Pools, context: StandInContext, using random: inout SeededGenerator) throws -> Waveform {
        let length = 10 * Waveform.rate
        let ambience = try context.recordings.waveform(pool.ambience[Int(random.next() % UInt64(pool.ambience.count))])
        let bedLevel = Float(random.uniform(0.02...0.08))
        var audio = ambience.looped(toCount: length, from: Int(random.next() % UInt64(max(ambience.samples.count, 1)))).scaled(toRMS: bedLevel)
        audio = audio.adding(Waveform.pinkNoise(count: length, level: bedLevel * Float(random.uniform(0.05...0.5)), using: &random))
        let eventCount = hasBird ? Int.random(in: 2...5, using: &random) : Int.random(in: 0...3, using: &random)
        for _ in 0..<eventCount {
            let event: Waveform
            if hasBird {
                if random.next() % 2 == 0, !pool.calls.isEmpty {
                    event = try context.recordings.waveform(pool.calls[Int(random.next() % UInt64(pool.calls.count))]).trimmed()
                } else {
                    event = pool.species[Int(random.next() % UInt64(pool.species.count))].phrase(using: &random)
                }
            } else {
                event = try context.recordings.waveform(pool.events[Int(random.next() % UInt64(pool.events.count))]).trimmed()
            }
            let snr = random.uniform(hasBird ? 0...20 : -5...15)
            let level = bedLevel * Float(pow(10, snr / 20))
            let clipped = event.segment(from: 0, count: min(event.samples.count, 3 * Waveform.rate)).faded(160)
            audio = audio.adding(clipped.scaled(toRMS: level), at: Int.random(in: 0...(length - min(clipped.samples.count, length)), using: &random))
        }
        return audio.lowPassed(cutoff: random.uniform(5000...7800))
    }
}
