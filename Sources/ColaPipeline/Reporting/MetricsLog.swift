import ColaTraining
import Foundation

/// The per-step records of a run's `metrics.jsonl`, one JSON object per line.
///
/// Only `step` and `loss` are required of a record; the other fields are read when present, under
/// the trainer's names (`top1`, `clips_per_s`, see ``StepMetrics``) or the longer ones
/// (`accuracy`, `clips_per_second`).
/// Lines that are not such an object (a header, an event, a line cut short when the run was
/// killed) are skipped, so a log that is still being written can be read.
public struct MetricsLog: Equatable, Sendable {
    /// One logged step.
    public struct Record: Equatable, Sendable {
        public var step: Int
        public var loss: Double
        /// Contrastive accuracy: fraction of anchors whose positive scores highest.
        public var accuracy: Double?
        public var learningRate: Double?
        public var clipsPerSecond: Double?
        public var dataWaitMilliseconds: Double?
        public var communicationMilliseconds: Double?
    }

    public var records: [Record]

    public init(records: [Record]) {
        self.records = records
    }

    /// Reads `path`; an empty log when the file does not exist.
    public static func read(at path: String) -> MetricsLog {
        guard let data = FileManager.default.contents(atPath: path) else { return MetricsLog(records: []) }
        return parse(String(decoding: data, as: UTF8.self))
    }

    /// Parses JSONL text. When a step appears twice (a run resumed from an earlier checkpoint
    /// logs the steps after it again), the later record wins.
    public static func parse(_ text: String) -> MetricsLog {
        var byStep: [Int: Record] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let step = (object["step"] as? NSNumber)?.intValue,
                  let loss = (object["loss"] as? NSNumber)?.doubleValue, loss.isFinite else { continue }
            func number(_ keys: String...) -> Double? { keys.lazy.compactMap { (object[$0] as? NSNumber)?.doubleValue }.first }
            byStep[step] = Record(
                step: step, loss: loss, accuracy: number("top1", "accuracy"), learningRate: number("lr"),
                clipsPerSecond: number("clips_per_s", "clips_per_second"), dataWaitMilliseconds: number("data_wait_ms"),
                communicationMilliseconds: number("comm_ms"))
        }
        return MetricsLog(records: byStep.values.sorted { $0.step < $1.step })
    }

    /// The last record's loss.
    public var finalLoss: Double? { records.last?.loss }

    /// The last record's contrastive accuracy.
    public var finalAccuracy: Double? { records.last?.accuracy }

    /// Median throughput over the logged steps (the median ignores the slow first steps).
    public var medianClipsPerSecond: Double? {
        let values = records.compactMap(\.clipsPerSecond).filter(\.isFinite).sorted()
        guard !values.isEmpty else { return nil }
        let middle = values.count / 2
        return values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
    }
}
