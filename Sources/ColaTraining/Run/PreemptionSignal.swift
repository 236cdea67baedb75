#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM (Slurm preemption, `scancel`, mpirun forwarding) turned into a flag the trainer reads
/// at step boundaries, so it can write a checkpoint and exit cleanly instead of dying mid-step.
public enum PreemptionSignal {
    // A signal handler can only reach global state; this flag is the one exception.
    nonisolated(unsafe) private static var received: sig_atomic_t = 0

    /// Installs the handler for SIGTERM (and SIGINT when `interrupt` is true).
    public static func install(interrupt: Bool = false) {
        signal(SIGTERM) { _ in PreemptionSignal.received = 1 }
        if interrupt { signal(SIGINT) { _ in PreemptionSignal.received = 1 } }
    }

    /// Whether a termination signal has arrived since the handler was installed.
    public static var isPending: Bool { received != 0 }
}
