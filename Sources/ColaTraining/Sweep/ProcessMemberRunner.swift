import Foundation

/// Runs sweep subprocesses for real, with their output going to this process's terminal.
public struct ProcessMemberRunner: SweepMemberRunner {
    public init() {}

    public func run(_ invocation: SweepInvocation) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = invocation.arguments
        process.environment = ProcessInfo.processInfo.environment.merging(invocation.environment) { $1 }
        try process.run()
        process.waitUntilExit()
        guard process.terminationReason == .exit else {
            throw ProcessInterrupted(signal: process.terminationStatus, command: invocation.commandLine)
        }
        guard process.terminationStatus == 0 else {
            throw SweepError.commandFailed(member: invocation.member, step: invocation.step.rawValue,
                                           status: process.terminationStatus, command: invocation.commandLine)
        }
    }
}

/// A subprocess killed by a signal: the sweep stops instead of going on to the next member.
public struct ProcessInterrupted: Error, CustomStringConvertible {
    public let signal: Int32
    public let command: String

    public var description: String { "stopped by signal \(signal): \(command)" }
}
