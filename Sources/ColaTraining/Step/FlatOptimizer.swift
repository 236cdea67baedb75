/// An optimizer over one flat parameter buffer whose state can be checkpointed.
public protocol FlatOptimizer: AnyObject {
    /// Steps taken.
    var stepCount: Int { get }
    /// Updates `parameters` in place from `gradients` with this step's learning rate.
    func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>, learningRate: Float)
    /// The state to write into `optimizer.bin`.
    func snapshot() -> OptimizerSnapshot
    /// Continues from a checkpoint's state.
    func restore(_ snapshot: OptimizerSnapshot) throws
}
