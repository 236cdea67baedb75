import ColaTensor

/// 2×2 max pooling with stride 2 ('valid', as Keras `MaxPool2D`) on oneDNN.
final class MaxPool2D: Layer {
    private var plans: [PlanKey: Plan] = [:]
    private var input: FeatureMap?
    private var output: FeatureMap?
    private var workspace: UnsafeMutablePointer<Float>?

    func forward(_ x: FeatureMap, _ run: RunContext) throws -> FeatureMap {
        let y = run.featureMap(batch: x.batch, channels: x.channels, height: x.height / 2, width: x.width / 2, storage: x.storage)
        let plan = try self.plan(x, y, run.propagation)
        var arguments: [(OneDNNArgument, UnsafeMutableRawPointer)] = [(.source, .init(x.pointer)), (.destination, .init(y.pointer))]
        workspace = nil
        if plan.workspaceFloats > 0 {
            let ws = run.activation(plan.workspaceFloats)
            arguments.append((.workspace, .init(ws)))
            workspace = ws
        }
        try plan.forward.execute(arguments: arguments)
        input = x
        output = y
        return y
    }

    func backward(_ dy: FeatureMap, _ run: RunContext, inputGradient: Bool) throws -> FeatureMap? {
        guard inputGradient else { return nil }
        guard let x = input, let y = output, let workspace else { preconditionFailure("max pool: backward before training forward") }
        let plan = try self.plan(x, y, .training)
        let dx = run.gradientMap(like: x)
        try plan.makeBackward(x, y).execute(
            [.destinationGradient: .init(dy.pointer), .workspace: .init(workspace), .sourceGradient: .init(dx.pointer)])
        return dx
    }

    var primitives: [OneDNNPrimitive] { plans.values.flatMap(\.primitives) }

    private struct PlanKey: Hashable { let dims: [Int]; let storage: FeatureStorage; let training: Bool }

    private func plan(_ x: FeatureMap, _ y: FeatureMap, _ propagation: OneDNNPropagation) throws -> Plan {
        let key = PlanKey(dims: x.dims, storage: x.storage, training: propagation == .training)
        if let plan = plans[key] { return plan }
        let plan = try Plan(x, y, propagation)
        plans[key] = plan
        return plan
    }

    private final class Plan {
        let forward: OneDNNPrimitive
        let workspaceFloats: Int
        private var backward: OneDNNPrimitive?

        init(_ x: FeatureMap, _ y: FeatureMap, _ propagation: OneDNNPropagation) throws {
            forward = try OneDNN.maxPoolForward(propagation, source: try x.layout(), destination: try y.layout(),
                                                kernel: [2, 2], strides: [2, 2], paddingLeft: [0, 0], paddingRight: [0, 0])
            workspaceFloats = propagation == .training ? (forward.layout(of: .workspace).byteCount + 3) / 4 : 0
        }

        var primitives: [OneDNNPrimitive] { [forward] + (backward.map { [$0] } ?? []) }

        func makeBackward(_ x: FeatureMap, _ y: FeatureMap) throws -> OneDNNPrimitive {
            if let backward { return backward }
            let made = try OneDNN.maxPoolBackward(sourceGradient: try x.layout(), destinationGradient: try y.layout(),
                                                  kernel: [2, 2], strides: [2, 2], paddingLeft: [0, 0], paddingRight: [0, 0],
                                                  hint: forward)
            backward = made
            return made
        }
    }
}
