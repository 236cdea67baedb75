/// Minimizes a smooth convex function with limited-memory BFGS (Nocedal & Wright, *Numerical
/// Optimization*, 2nd ed., Algorithm 7.4 two-loop recursion, Algorithm 7.5), deterministically:
/// the same start and function give the same iterates bit for bit.
///
/// The line search accepts a step that satisfies the weak Wolfe conditions, or Hager and Zhang's
/// *approximate* Wolfe conditions (SIAM J. Optim. 16(1), 2005, eq. 4.1): near the minimum the
/// objective's change falls below its rounding (Cola's probe computes logits in float32), so a
/// sufficient-decrease test on function values alone stalls long before the gradient is small;
/// the directional derivative stays accurate there. Both keep `sᵀy > 0`, so the update is safe.
struct LimitedMemoryBFGS {
    /// Correction pairs kept (scipy's `maxcor` default).
    var historySize = 10
    /// Iterations (accepted steps) at most.
    var maxIterations = 1000
    /// Converged when every gradient component is at most this in absolute value (scipy's
    /// `gtol`, the tolerance scikit-learn passes as `tol`).
    var gradientTolerance = 1e-6
    /// Relative change of the objective treated as rounding by the approximate Wolfe test.
    var valueRounding = 1e-6

    /// Where the minimization stopped.
    struct Result {
        /// The last accepted point.
        var point: [Double]
        /// The function there.
        var value: Double
        /// Accepted steps.
        var iterations: Int
        /// Whether the gradient tolerance was met (otherwise the iteration limit was reached or
        /// the line search found no acceptable step).
        var converged: Bool
    }

    /// Minimizes `function`, which returns the value at its first argument and writes the
    /// gradient into its second, starting at `start`.
    func minimize(from start: [Double], _ function: (_ point: [Double], _ gradient: inout [Double]) -> Double) -> Result {
        let size = start.count
        var point = start
        var gradient = [Double](repeating: 0, count: size)
        var value = function(point, &gradient)
        var steps: [[Double]] = []
        var changes: [[Double]] = []
        var curvatures: [Double] = []
        var iterations = 0
        var candidate = point
        var candidateGradient = gradient

        while true {
            let norm = Self.maxAbs(gradient)
            if norm <= gradientTolerance || iterations >= maxIterations {
                return Result(point: point, value: value, iterations: iterations, converged: norm <= gradientTolerance)
            }
            let direction = Self.direction(gradient: gradient, steps: steps, changes: changes, curvatures: curvatures)
            let slope = Self.dot(gradient, direction)
            guard slope < 0 else {
                return Result(point: point, value: value, iterations: iterations, converged: false)
            }
            // First step: unit length in the largest gradient component (scipy's choice); later
            // steps try the quasi-Newton step first.
            var alpha = steps.isEmpty ? 1 / max(norm, 1) : 1
            var lower = 0.0
            var upper = Double.infinity
            var accepted = false
            var candidateValue = value
            for _ in 0..<60 {
                for i in 0..<size { candidate[i] = point[i] + alpha * direction[i] }
                candidateValue = function(candidate, &candidateGradient)
                let candidateSlope = Self.dot(candidateGradient, direction)
                let sufficientDecrease = candidateValue <= value + 1e-4 * alpha * slope
                let curvature = candidateSlope >= 0.9 * slope
                let approximateWolfe = candidateValue <= value + valueRounding * abs(value)
                    && curvature && candidateSlope <= -0.8 * slope
                if (sufficientDecrease && curvature) || approximateWolfe {
                    accepted = true
                    break
                }
                if candidateSlope > 0 || !sufficientDecrease { upper = alpha } else { lower = alpha }
                alpha = upper.isFinite ? (lower + upper) / 2 : 2 * alpha
            }
            guard accepted else {
                return Result(point: point, value: value, iterations: iterations, converged: false)
            }
            var step = [Double](repeating: 0, count: size)
            var change = [Double](repeating: 0, count: size)
            for i in 0..<size {
                step[i] = candidate[i] - point[i]
                change[i] = candidateGradient[i] - gradient[i]
            }
            let curvature = Self.dot(step, change)
            if curvature > 1e-12 * Self.dot(change, change).squareRoot() * Self.dot(step, step).squareRoot() {
                if steps.count == historySize {
                    steps.removeFirst()
                    changes.removeFirst()
                    curvatures.removeFirst()
                }
                steps.append(step)
                changes.append(change)
                curvatures.append(curvature)
            }
            swap(&point, &candidate)
            swap(&gradient, &candidateGradient)
            value = candidateValue
            iterations += 1
        }
    }

    /// `−H·g` by the two-loop recursion, `H₀ = (sᵀy / yᵀy) I` from the newest pair.
    private static func direction(gradient: [Double], steps: [[Double]], changes: [[Double]], curvatures: [Double]) -> [Double] {
        var q = gradient
        var alphas = [Double](repeating: 0, count: steps.count)
        for k in stride(from: steps.count - 1, through: 0, by: -1) {
            alphas[k] = dot(steps[k], q) / curvatures[k]
            for i in q.indices { q[i] -= alphas[k] * changes[k][i] }
        }
        if let last = changes.last {
            let scale = curvatures[curvatures.count - 1] / dot(last, last)
            for i in q.indices { q[i] *= scale }
        }
        for k in 0..<steps.count {
            let beta = dot(changes[k], q) / curvatures[k]
            for i in q.indices { q[i] += (alphas[k] - beta) * steps[k][i] }
        }
        for i in q.indices { q[i] = -q[i] }
        return q
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices { sum += a[i] * b[i] }
        return sum
    }

    static func maxAbs(_ values: [Double]) -> Double {
        values.reduce(0) { max($0, abs($1)) }
    }
}
