import Foundation

/// Runs sweep subprocesses for real, with their output going to this process's terminal.
///
/// Subprocesses start in their own process group, so a signal sent to the sweep (Ctrl-C, `kill`,
/// a scheduler's SIGTERM) would not reach them. The runner therefore forwards SIGINT, SIGTERM
/// and SIGHUP to the running subprocess — `cola pretrain` then writes a checkpoint and exits —
/// and, once it has exited, stops the sweep instead of starting the next command.
public final class ProcessMemberRunner: SweepMemberRunner {
    private let forwarding = SignalForwarding(signals: [SIGINT, SIGTERM, SIGHUP])

    public init() {}

    public func run(_ invocation: SweepInvocation) throws {
        if let signal = forwarding.received {
            throw ProcessInterrupted(signal: signal, command: invocation.commandLine)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = invocation.arguments
        process.environment = ProcessInfo.processInfo.environment.merging(invocation.environment) { $1 }
        try process.run()
        forwarding.child = process.processIdentifier
        process.waitUntilExit()
        forwarding.child = nil
        if let signal = forwarding.received {
            throw ProcessInterrupted(signal: signal, command: invocation.commandLine)
        }
        guard process.terminationReason == .exit else {
            throw ProcessInterrupted(signal: process.terminationStatus, command: invocation.commandLine)
        }
        guard process.terminationStatus == 0 else {
            throw SweepError.commandFailed(member: invocation.member, step: invocation.step.rawValue,
                                           status: process.terminationStatus, command: invocation.commandLine)
        }
    }
}

/// The sweep or its subprocess was stopped by a signal: the sweep stops instead of going on to
/// the next member; rerunning it resumes.
public struct ProcessInterrupted: Error, CustomStringConvertible {
    public let signal: Int32
    public let command: String

    public var description: String { "stopped by signal \(signal) during: \(command); rerun the sweep to resume" }
}

/// Catches signals for the whole process and passes each on to the current child.
private final class SignalForwarding: @unchecked Sendable {
    private let lock = NSLock()
    private var sources: [DispatchSourceSignal] = []
    private var childPID: pid_t?
    private var firstSignal: Int32?

    init(signals: [Int32]) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.handle(number) }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        sources.forEach { $0.cancel() }
    }

    /// The running subprocess, if any.
    var child: pid_t? {
        get { lock.withLock { childPID } }
        set { lock.withLock { childPID = newValue } }
    }

    /// The first signal received, if any.
    var received: Int32? { lock.withLock { firstSignal } }

    private func handle(_ number: Int32) {
        let pid: pid_t? = lock.withLock {
            if firstSignal == nil { firstSignal = number }
            return childPID
        }
        print("==> signal \(number): passing it to the running command and stopping after it")
        if let pid { kill(pid, number) }
    }
}
