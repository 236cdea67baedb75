import Foundation

/// The learning rate of every optimizer step, a pure function of the step and the config (so a
/// resumed run takes exactly the rates of an uninterrupted one).
///
/// Peak rate: `learning_rate × (batch_size / base_batch_size)^p` with p = 0 (`lr_scaling: none`),
/// 1 (`linear`, Goyal et al. 2017) or ½ (`sqrt`, Krizhevsky 2014; Hoffer et al. 2017, the rule
/// usually given for Adam). Step s (1-based) of `steps` then takes
/// - during warm-up (s ≤ W = `warmup_steps`): peak · s / W, from peak/W at step 1 to peak at step W;
/// - after it, `constant`: peak; `cosine` (Loshchilov & Hutter 2017, without restarts):
///   floor + (peak − floor) · ½ (1 + cos(π (s − W) / (steps − W))), floor = peak ·
///   `min_learning_rate_fraction`: the peak right after warm-up, the mean of peak and floor at the
///   midpoint, the floor at the last step.
///
/// `lr_schedule: constant`, `lr_scaling: none`, `warmup_steps: 0` is the reference's constant rate.
public struct LearningRateSchedule: Sendable, Equatable {
    /// The configured rate before scaling (`learning_rate`).
    public let baseRate: Double
    /// The rate after the batch-size rule, reached at the end of warm-up.
    public let peakRate: Double
    public let shape: TrainingConfig.LearningRateShape
    public let scaling: TrainingConfig.LearningRateScaling
    public let batchSize: Int
    public let baseBatchSize: Int
    public let warmupSteps: Int
    public let totalSteps: Int
    /// The cosine's final rate as a fraction of the peak.
    public let floorFraction: Double

    /// The schedule `training` describes.
    public init(_ training: TrainingConfig) {
        baseRate = Double(training.learningRate)
        shape = training.learningRateSchedule
        scaling = training.learningRateScaling
        batchSize = training.batchSize
        baseBatchSize = training.baseBatchSize
        warmupSteps = training.warmupSteps
        totalSteps = training.steps
        floorFraction = training.minLearningRateFraction
        peakRate = baseRate * pow(Double(batchSize) / Double(baseBatchSize), scaling.exponent)
    }

    /// The rate of step `step` (1-based: the first update is step 1).
    public func rate(step: Int) -> Float {
        if warmupSteps > 0 && step <= warmupSteps {
            return Float(peakRate * Double(max(step, 1)) / Double(warmupSteps))
        }
        switch shape {
        case .constant:
            return Float(peakRate)
        case .cosine:
            let span = totalSteps - warmupSteps
            guard span > 0 else { return Float(peakRate) }
            let progress = min(1, Double(step - warmupSteps) / Double(span))
            let floor = peakRate * floorFraction
            return Float(floor + (peakRate - floor) * 0.5 * (1 + cos(Double.pi * progress)))
        }
    }

    /// The rule in one line, as the run log and sweep reports state it, e.g.
    /// `cosine to 0.1× peak, warm-up 100 steps; peak 1.41e-3 = 1e-3 × sqrt(512/256)`.
    public var rule: String {
        let rate: String
        switch scaling {
        case .none: rate = "lr \(Self.number(peakRate))"
        case .linear: rate = "peak \(Self.number(peakRate)) = \(Self.number(baseRate)) × \(batchSize)/\(baseBatchSize)"
        case .sqrt: rate = "peak \(Self.number(peakRate)) = \(Self.number(baseRate)) × sqrt(\(batchSize)/\(baseBatchSize))"
        }
        return shapeText + "; " + rate
    }

    /// The rule for any batch size B, e.g. `cosine to 0.1× peak, warm-up 100 steps; lr 1e-3 × sqrt(B/256)`.
    public var ruleForAnyBatch: String {
        let rate: String
        switch scaling {
        case .none: rate = "lr \(Self.number(baseRate))"
        case .linear: rate = "lr \(Self.number(baseRate)) × B/\(baseBatchSize)"
        case .sqrt: rate = "lr \(Self.number(baseRate)) × sqrt(B/\(baseBatchSize))"
        }
        return shapeText + "; " + rate
    }

    /// `constant`, `constant after warm-up 10 steps`, `cosine to 0.1× peak, warm-up 100 steps`, `cosine to 0`.
    private var shapeText: String {
        var text: String
        switch shape {
        case .constant: text = "constant"
        case .cosine: text = floorFraction == 0 ? "cosine to 0" : "cosine to \(Self.number(floorFraction))× peak"
        }
        if warmupSteps > 0 { text += (shape == .constant ? " after" : ",") + " warm-up \(warmupSteps) steps" }
        return text
    }

    /// Three significant digits, exponent form below 0.01: `1e-3`, `1.41e-3`, `0.1`.
    public static func number(_ value: Double) -> String {
        guard value != 0, abs(value) < 0.01 else { return String(format: "%g", (value * 1000).rounded() / 1000) }
        let parts = String(format: "%.2e", value).split(separator: "e")
        let mantissa = parts[0].replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression)
        return "\(mantissa)e\(Int(parts[1])!)"
    }
}
