/// The words that start `ranks` processes of a command, as `launch.sh` does on one machine:
/// `mpirun -np N --bind-to none`, `--allow-run-as-root` when root, `--oversubscribe` when ranks
/// exceed the cores (unless a hostfile places them), plus the environment Open MPI needs.
public struct LaunchCommand: Equatable, Sendable {
    public var launcher: SweepConfig.Launcher
    public var ranks: Int
    /// Extra launcher words (e.g. `--hostfile FILE`, `--map-by ppr:1:socket:PE=16`).
    public var extraArguments: [String]
    public var isRoot: Bool
    public var cores: Int

    public init(launcher: SweepConfig.Launcher, ranks: Int, extraArguments: [String] = [], isRoot: Bool, cores: Int) {
        self.launcher = launcher
        self.ranks = ranks
        self.extraArguments = extraArguments
        self.isRoot = isRoot
        self.cores = cores
    }

    /// The launcher words placed before the program.
    public var prefix: [String] {
        switch launcher {
        case .none:
            return []
        case .srun:
            return ["srun", "--ntasks=\(ranks)", "--cpu-bind=none"] + extraArguments
        case .mpirun:
            var words = ["mpirun", "-np", String(ranks), "--bind-to", "none"]
            if isRoot { words.append("--allow-run-as-root") }
            let placedByHostfile = extraArguments.contains { $0 == "--hostfile" || $0 == "-hostfile" || $0 == "--host" || $0.hasPrefix("--hostfile=") }
            if ranks > cores && !placedByHostfile { words.append("--oversubscribe") }
            return words + extraArguments
        }
    }

    /// Environment for the launcher: Open MPI refuses root without both variables, and the
    /// shared-memory transport's single-copy mechanism fails in containers without ptrace rights.
    public var environment: [String: String] {
        guard launcher == .mpirun else { return [:] }
        var variables = ["OMPI_MCA_btl_vader_single_copy_mechanism": "none"]
        if isRoot {
            variables["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
            variables["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        }
        return variables
    }
}
