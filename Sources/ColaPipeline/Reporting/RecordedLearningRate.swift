import ColaTraining
import Foundation

/// The learning-rate schedule a run actually used, read from the effective `config.yaml` the
/// trainer writes into its run directory.
enum RecordedLearningRate {
    /// The schedule of the run in `directory`; nil before the run started (or for an unreadable config).
    ///
    /// A config written before Cola had schedules has no `lr_schedule` key: that run took the
    /// constant `learning_rate` at every step, whatever today's defaults say.
    static func schedule(runDirectory directory: String) -> LearningRateSchedule? {
        let path = "\(directory)/config.yaml"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let overrides = text.contains("lr_schedule:")
            ? [] : ["training.lr_schedule=constant", "training.lr_scaling=none", "training.warmup_steps=0"]
        guard let config = try? RunConfig.parse(yaml: text, file: path, overrides: overrides) else { return nil }
        return LearningRateSchedule(config.training)
    }
}
