import ColaDistributed
import ColaTensor

extension ConvolutionCapabilities {
    /// What every rank's CPU runs (one allreduce): the narrowest channel block and Winograd only if
    /// all ranks have it, so all ranks build the same model (same layouts, same algorithm) even on
    /// nodes of different CPU generations.
    public func common(across communicator: Communicator) throws -> ConvolutionCapabilities {
        var smallest = [Int64(channelBlock), winograd ? 1 : 0]
        try communicator.allreduce(&smallest, operator: .min)
        let agreed = (channelBlock: Int(smallest[0]), winograd: smallest[1] == 1)
        guard agreed != (channelBlock, winograd) else { return self }
        return ConvolutionCapabilities(channelBlock: agreed.channelBlock, winograd: agreed.winograd,
                                       instructionSet: "\(instructionSet) on rank \(communicator.rank), less on another rank")
    }
}
