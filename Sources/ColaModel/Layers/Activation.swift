import ColaTensor

/// An elementwise activation on oneDNN: ReLU, swish (x·σ(x), Keras's `swish`), sigmoid or tanh.
final class Activation: Layer {
    let function: OneDNNEltwise
    private var plans: [PlanKey: Plan] = [:]
    private var input: FeatureMap?

    init(_ function: OneDNNEltwise) {
        self.function = function
    }

    func forward(_ x: FeatureMap, _ run: RunContext) throws -> FeatureMap {
        let y = run.featureMap(batch: x.batch, channels: x.channels, height: x.height, width: x.width, storage: x.storage)
        try plan(x, run.propagation).forward.execute([.source: .init(x.pointer), .destination: .init(y.pointer)])
        input = x
        return y
    }

    func backward(_ dy: FeatureMap, _ run: RunContext, inputGradient: Bool) throws -> FeatureMap? {
        guard inputGradient else { return nil }
        guard let x = input else { preconditionFailure("activation: backward before forward") }
        let dx = run.gradientMap(like: x)
        try plan(x, .training).makeBackward(function).execute(
            [.source: .init(x.pointer), .destinationGradient: .init(dy.pointer), .sourceGradient: .init(dx.pointer)])
        return dx
    }

    var primitives: [OneDNNPrimitive] { plans.values.flatMap(\.primitives) }

    private struct PlanKey: Hashable { let dims: [Int]; let storage: FeatureStorage; let training: Bool }

    private func plan(_ x: FeatureMap, _ propagation: OneDNNPropagation) throws -> Plan {
        let key = PlanKey(dims: x.dims, storage: x.storage, training: propagation == .training)
        if let plan = plans[key] { return plan }
        let plan = try Plan(layout: try x.layout(), function: function, propagation: propagation)
        plans[key] = plan
        return plan
    }

    private final class Plan {
        let layout: OneDNNLayout
        let forward: OneDNNPrimitive
        private var backward: OneDNNPrimitive?

        init(layout: OneDNNLayout, function: OneDNNEltwise, propagation: OneDNNPropagation) throws {
            self.layout = layout
            forward = try OneDNN.eltwiseForward(propagation, function, data: layout)
        }

        var primitives: [OneDNNPrimitive] { [forward] + (backward.map { [$0] } ?? []) }

        func makeBackward(_ function: OneDNNEltwise) throws -> OneDNNPrimitive {
            if let backward { return backward }
            let made = try OneDNN.eltwiseBackward(function, data: layout, hint: forward)
            backward = made
            return made
        }
    }
}
