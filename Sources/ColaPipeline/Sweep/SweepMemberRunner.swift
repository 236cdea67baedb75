/// One subprocess a sweep starts: a member's pretraining or its transfer suite.
public struct SweepInvocation: Equatable, Sendable {
    /// What the subprocess does.
    public enum Step: String, Sendable {
        case pretrain, evaluate
    }

    /// The member id.
    public var member: String
    public var step: Step
    /// The full command line, program first.
    public var arguments: [String]
    /// Variables added to the inherited environment.
    public var environment: [String: String]

    public init(member: String, step: Step, arguments: [String], environment: [String: String] = [:]) {
        self.member = member
        self.step = step
        self.arguments = arguments
        self.environment = environment
    }

    /// The command as a shell line, for logs and error messages.
    public var commandLine: String {
        let variables = environment.keys.sorted().map { "\($0)=\(environment[$0]!)" }
        return (variables + arguments.map(Self.quoted)).joined(separator: " ")
    }

    private static func quoted(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=,:+@%".contains($0) }
        return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// Runs a sweep's subprocesses. ``ProcessMemberRunner`` starts real processes; tests substitute a
/// runner that records invocations and writes the files a real run would.
public protocol SweepMemberRunner {
    /// Runs `invocation` to completion.
    ///
    /// - Throws: ``SweepError/commandFailed`` when it exits unsuccessfully; an error thrown for
    ///   any other reason (e.g. an interruption) stops the whole sweep.
    func run(_ invocation: SweepInvocation) throws
}
