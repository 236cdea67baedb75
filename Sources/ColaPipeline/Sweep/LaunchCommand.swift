import ColaDistributed
import Foundation

/// The words that start `ranks` processes of a command, as `launch.sh` does on one machine, in
/// the dialect of the MPI the members link (``MPILauncher``): Open MPI's `mpirun -np N --bind-to
/// none`, with `--allow-run-as-root` when root, `--oversubscribe` when ranks exceed the cores
/// (unless a hostfile places them) and the environment Open MPI needs; MPICH's Hydra
/// `mpirun.mpich -np N -bind-to none`, which runs as root and past the cores as it is; Intel MPI's
/// Hydra with its pinning off.
public struct LaunchCommand: Equatable, Sendable {
    public var launcher: SweepConfig.Launcher
    public var ranks: Int
    /// Extra launcher words (e.g. `--hostfile FILE`, `--map-by ppr:1:socket:PE=16`), in the
    /// launcher's own syntax.
    public var extraArguments: [String]
    public var isRoot: Bool
    public var cores: Int
    /// The MPI launcher `launcher == .mpirun` runs.
    public var mpi: MPILauncher

    /// A launch command; `mpi` defaults to the launcher of the MPI this binary links.
    public init(launcher: SweepConfig.Launcher, ranks: Int, extraArguments: [String] = [], isRoot: Bool, cores: Int,
                mpi: MPILauncher = .ofLinkedLibrary()) {
        self.launcher = launcher
        self.ranks = ranks
        self.extraArguments = extraArguments
        self.isRoot = isRoot
        self.cores = cores
        self.mpi = mpi
    }

    /// The launcher words placed before the program.
    public var prefix: [String] {
        switch launcher {
        case .none:
            return []
        case .srun:
            return ["srun", "--ntasks=\(ranks)", "--cpu-bind=none"] + extraArguments
        case .mpirun:
            return mpiWords + extraArguments
        }
    }

    /// Environment for the launcher: Open MPI refuses root without both variables, and the
    /// shared-memory transport's single-copy mechanism fails in containers without ptrace rights;
    /// Intel MPI pins each rank to cores unless `I_MPI_PIN=0`.
    public var environment: [String: String] {
        guard launcher == .mpirun else { return [:] }
        switch mpi.dialect {
        case .openMPI:
            var variables = ["OMPI_MCA_btl_vader_single_copy_mechanism": "none"]
            if isRoot {
                variables["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
                variables["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
            }
            return variables
        case .hydra:
            return [:]
        case .intelHydra:
            return ["I_MPI_PIN": "0"]
        }
    }

    private var mpiWords: [String] {
        switch mpi.dialect {
        case .openMPI:
            var words = [mpi.program, "-np", String(ranks), "--bind-to", "none"]
            if isRoot { words.append("--allow-run-as-root") }
            let placedByHostfile = extraArguments.contains { $0 == "--hostfile" || $0 == "-hostfile" || $0 == "--host" || $0.hasPrefix("--hostfile=") }
            if ranks > cores && !placedByHostfile { words.append("--oversubscribe") }
            return words
        case .hydra:
            return [mpi.program, "-np", String(ranks), "-bind-to", "none"]
        case .intelHydra:
            return [mpi.program, "-np", String(ranks)]
        }
    }
}

/// An MPI implementation's launcher: the program and the flags it understands.
public struct MPILauncher: Equatable, Sendable {
    /// The flag dialects of the launchers Cola knows.
    public enum Dialect: String, Sendable {
        /// Open MPI's `mpirun`: `--bind-to none`; root and more ranks than cores need flags.
        case openMPI
        /// MPICH's Hydra (`mpiexec.hydra`; Debian's `mpirun.mpich`), also MVAPICH's and other
        /// MPICH derivatives': `-bind-to none`; no `--oversubscribe`, no root flag.
        case hydra
        /// Intel MPI's Hydra: pins ranks by default, turned off by `I_MPI_PIN=0`.
        case intelHydra
    }

    public var program: String
    public var dialect: Dialect

    public init(program: String, dialect: Dialect) {
        self.program = program
        self.dialect = dialect
    }

    /// The launcher of the MPI library this process links (`MPI_Get_library_version`, which MPI
    /// allows before `MPI_Init`), looked up on `PATH`.
    public static func ofLinkedLibrary() -> MPILauncher {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        return forLibrary(MPICommunicator.libraryVersion) { name in
            directories.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
        }
    }

    /// The launcher for an MPI library's version line (`Open MPI v4.1.4, …`, `MPICH Version: 4.0.2`,
    /// `Intel(R) MPI Library 2021.10 …`; any other MPI is taken to be an MPICH derivative).
    /// Debian and Ubuntu name each implementation's launcher (`mpirun.openmpi`, `mpirun.mpich`)
    /// and point plain `mpirun` at whichever the alternatives system chose, so the implementation's
    /// own name comes first when `isOnPath` finds it.
    public static func forLibrary(_ version: String, isOnPath: (String) -> Bool) -> MPILauncher {
        if version.hasPrefix("Open MPI") {
            return MPILauncher(program: isOnPath("mpirun.openmpi") ? "mpirun.openmpi" : "mpirun", dialect: .openMPI)
        }
        if version.contains("Intel(R) MPI") {
            return MPILauncher(program: "mpiexec.hydra", dialect: .intelHydra)
        }
        return MPILauncher(program: ["mpirun.mpich", "mpiexec.hydra"].first(where: isOnPath) ?? "mpiexec", dialect: .hydra)
    }
}
