import ArgumentParser
import ColaDistributed
import ColaTraining
import Foundation

/// `cola doctor`: what each rank sees of the machine and the libraries.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print ranks, CPU placement, MPI, BLAS, oneDNN and libsndfile versions, CPU features, and the oneDNN "
            + "implementation of every computation of both encoders.",
        discussion: """
            Run it under mpirun to see each rank's CPUs. Exits 1 when a computation runs oneDNN's reference loops (ref:…) or another problem is found.
            Example: mpirun -np 2 --bind-to none cola doctor --collectives
            """
    )

    @Flag(help: "Also check allreduce, broadcast, allgather and reduce-scatter across ranks (1 to 16 Mi elements).")
    var collectives = false

    @Flag(inversion: .prefixedNo, help: "Run one small training step of each encoder and list the oneDNN implementation of each computation.")
    var kernels = true

    @Option(help: "Split point for long messages in the collective check (elements).")
    var maxMessage: Int = 1 << 28

    func run() throws {
        let communicator = try MPICommunicator(maxElementsPerMessage: maxMessage)
        let report = SystemReport(communicator: communicator)
        let kernelReport = kernels ? try KernelReport() : nil
        let problems = report.problems + (kernelReport?.referenceKernels ?? []).map { encoder, kernel in
            "\(encoder.rawValue) \(kernel) is oneDNN's reference implementation (tens to hundreds of times slower)"
        }
        let lines = try communicator.allgatherLines(report.rankLine)
        if communicator.isRoot {
            report.libraryLines.forEach { print($0) }
            kernelReport?.lines.forEach { print($0) }
            lines.forEach { print($0) }
            problems.forEach { print("problem: \($0)") }
        }
        var failed = problems.isEmpty ? 0 : 1
        if collectives {
            failed += try checkCollectives(communicator)
        }
        var failures = [Int64(failed)]
        try communicator.allreduce(&failures)
        if failures[0] > 0 { throw ExitCode(1) }
    }

    private func checkCollectives(_ communicator: MPICommunicator) throws -> Int {
        let outcomes = try CollectiveSelfTest(communicator: communicator).run()
        var worst = outcomes.map(\.maxError)
        try communicator.allreduce(&worst, operator: .max)
        var failed = 0
        for (outcome, error) in zip(outcomes, worst) {
            if error != 0 { failed += 1 }
            if communicator.isRoot {
                let verdict = error == 0 ? "ok" : "FAILED (max error \(error))"
                print("collective \(outcome.collective) n=\(outcome.elements) ranks=\(communicator.size): \(verdict)")
            }
        }
        if communicator.isRoot {
            print("collectives: \(outcomes.count - failed) passed, \(failed) failed")
        }
        return failed
    }
}

extension Communicator {
    /// Every rank's line, in rank order, on every rank.
    fileprivate func allgatherLines(_ line: String) throws -> [String] {
        let width = 512
        var bytes = Array(line.utf8.prefix(width))
        bytes += [UInt8](repeating: 0, count: width - bytes.count)
        let gathered = try allgather(bytes)
        return (0..<size).map { r in
            let slice = gathered[(r * width)..<((r + 1) * width)].prefix { $0 != 0 }
            return String(decoding: slice, as: UTF8.self)
        }
    }
}
