import Foundation
import XCTest
@testable import ColaPipeline

final class SweepPlanTests: XCTestCase {
    private func config(_ batches: [Int], budget: SweepConfig.Budget, variants: [SweepConfig.Variant], ranks: Int = 2) -> SweepConfig {
        var config = SweepConfig(name: "s", baseConfig: "base.yaml", batchSizes: batches, budget: budget, variants: variants)
        config.ranks = ranks
        return config
    }

    private let bilinearGlobal = SweepConfig.Variant(similarity: .bilinear, negatives: .global)
    private let cosineLocal = SweepConfig.Variant(similarity: .cosine, negatives: .local)

    func testMembersRunSmallBatchesFirstWithVariantsInFileOrder() {
        let plan = SweepPlan(config: config([128, 32, 64], budget: .steps(100), variants: [bilinearGlobal, cosineLocal]))
        XCTAssertEqual(plan.members.map(\.id), [
            "bilinear-global/b32", "cosine-local/b32", "bilinear-global/b64", "cosine-local/b64",
            "bilinear-global/b128", "cosine-local/b128",
        ])
        XCTAssertEqual(plan.members.map(\.steps), Array(repeating: 100, count: 6))
    }

    func testSingleVariantMembersAreNamedByBatchOnly() {
        let plan = SweepPlan(config: config([64, 32], budget: .steps(5), variants: [bilinearGlobal]))
        XCTAssertEqual(plan.members.map(\.id), ["b32", "b64"])
    }

    func testExamplesBudgetGivesEveryBatchTheSameClipsRoundingStepsUp() {
        let plan = SweepPlan(config: config([32, 96, 1024], budget: .examples(1000), variants: [bilinearGlobal]))
        XCTAssertEqual(plan.members.map(\.steps), [32, 11, 1])
        XCTAssertEqual(plan.members.map(\.examples), [1024, 1056, 1024])
    }

    func testNegativesAreTheGlobalBatchOrThePerRankBatchMinusOne() {
        let plan = SweepPlan(config: config([64, 256], budget: .steps(1), variants: [bilinearGlobal, cosineLocal], ranks: 4))
        XCTAssertEqual(plan.members.map(\.negatives), [63, 15, 255, 63])
    }

    func testMemberOverridesSetBatchStepsSimilarityAndNegatives() {
        let member = SweepPlan(config: config([64], budget: .steps(7), variants: [cosineLocal])).members[0]
        XCTAssertEqual(member.overrides, ["training.batch_size=64", "training.steps=7", "model.similarity=cosine",
                                          "training.negatives=local", "evaluation.tasks=[]"])
    }

    func testSeedsRepeatEveryMemberSeedBySeedEachInItsOwnFolder() {
        var seeded = config([64, 32], budget: .steps(5), variants: [bilinearGlobal])
        seeded.seeds = [0, 1, 2]
        let plan = SweepPlan(config: seeded)
        XCTAssertEqual(plan.members.map(\.id), ["b32/s0", "b64/s0", "b32/s1", "b64/s1", "b32/s2", "b64/s2"],
                       "a whole curve per seed before the next seed")
        XCTAssertEqual(plan.members.map(\.groupID), ["b32", "b64", "b32", "b64", "b32", "b64"])
        XCTAssertEqual(plan.members[3].overrides.last, "seed=1")
        XCTAssertEqual(plan.members[3].seed, 1)
        seeded.variants = [bilinearGlobal, cosineLocal]
        seeded.seeds = [7]
        XCTAssertEqual(SweepPlan(config: seeded).members.map(\.id), ["bilinear-global/b32/s7", "cosine-local/b32/s7",
                                                                    "bilinear-global/b64/s7", "cosine-local/b64/s7"])
        XCTAssertEqual(SweepPlan(config: seeded).members[1].groupID, "cosine-local/b32")
        XCTAssertFalse(SweepPlan(config: config([64], budget: .steps(5), variants: [bilinearGlobal])).members[0].overrides
            .contains { $0.hasPrefix("seed=") }, "without seeds the base config's seed stays")
    }

    func testMergingMoreSeedsKeepsSeedBySeedOrder() throws {
        var earlier = config([32, 64], budget: .steps(5), variants: [bilinearGlobal])
        earlier.seeds = [0]
        var now = earlier
        now.seeds = [0, 1]
        now.batchSizes = [32, 64, 128]
        let merged = try SweepPlan(config: now).merged(with: SweepPlan(config: earlier))
        XCTAssertEqual(merged.members.map(\.id), ["b32/s0", "b64/s0", "b128/s0", "b32/s1", "b64/s1", "b128/s1"])
        let decoded = try JSONDecoder().decode(SweepPlan.self, from: Data(#"{"name": "old", "ranks": 2, "members": [{"id": "b32", "batch_size": 32, "similarity": "bilinear", "negatives_mode": "global", "steps": 5, "negatives": 31}]}"#.utf8))
        XCTAssertNil(decoded.members[0].seed, "a sweep.json written before seeds still reads")
    }

    func testMergingKeepsEarlierMembersAndRejectsAChangedBudget() throws {
        let earlier = SweepPlan(config: config([32, 512], budget: .examples(1024), variants: [bilinearGlobal]))
        let now = SweepPlan(config: config([32, 64], budget: .examples(1024), variants: [bilinearGlobal]))
        XCTAssertEqual(try now.merged(with: earlier).members.map(\.id), ["b32", "b64", "b512"])
        let changed = SweepPlan(config: config([32], budget: .examples(2048), variants: [bilinearGlobal]))
        XCTAssertThrowsError(try changed.merged(with: earlier)) { error in
            guard case SweepError.conflictingMember(let id, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(id, "b32")
        }
    }

    func testMPILaunchAddsRootFlagsAndOversubscribesOnlyBeyondTheCores() {
        let openMPI = MPILauncher(program: "mpirun", dialect: .openMPI)
        let two = LaunchCommand(launcher: .mpirun, ranks: 2, isRoot: true, cores: 2, mpi: openMPI)
        XCTAssertEqual(two.prefix, ["mpirun", "-np", "2", "--bind-to", "none", "--allow-run-as-root"])
        XCTAssertEqual(two.environment["OMPI_ALLOW_RUN_AS_ROOT"], "1")
        XCTAssertEqual(two.environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"], "1")
        let four = LaunchCommand(launcher: .mpirun, ranks: 4, isRoot: false, cores: 2, mpi: openMPI)
        XCTAssertEqual(four.prefix, ["mpirun", "-np", "4", "--bind-to", "none", "--oversubscribe"])
        XCTAssertNil(four.environment["OMPI_ALLOW_RUN_AS_ROOT"])
        let hosts = LaunchCommand(launcher: .mpirun, ranks: 8, extraArguments: ["--hostfile", "hosts"], isRoot: false, cores: 2, mpi: openMPI)
        XCTAssertFalse(hosts.prefix.contains("--oversubscribe"), "a hostfile places the ranks")
        XCTAssertEqual(LaunchCommand(launcher: .srun, ranks: 4, isRoot: false, cores: 2, mpi: openMPI).prefix, ["srun", "--ntasks=4", "--cpu-bind=none"])
        XCTAssertEqual(LaunchCommand(launcher: .none, ranks: 1, isRoot: true, cores: 2, mpi: openMPI).prefix, [])
    }

    func testMPICHLaunchUsesHydraWordsAndNoOpenMPIFlagsEvenAsRootPastTheCores() {
        let mpich = LaunchCommand(launcher: .mpirun, ranks: 4, extraArguments: ["-f", "hosts"], isRoot: true, cores: 2,
                                  mpi: MPILauncher(program: "mpirun.mpich", dialect: .hydra))
        XCTAssertEqual(mpich.prefix, ["mpirun.mpich", "-np", "4", "-bind-to", "none", "-f", "hosts"])
        XCTAssertEqual(mpich.environment, [:])
        let intel = LaunchCommand(launcher: .mpirun, ranks: 2, isRoot: false, cores: 2, mpi: MPILauncher(program: "mpiexec.hydra", dialect: .intelHydra))
        XCTAssertEqual(intel.prefix, ["mpiexec.hydra", "-np", "2"])
        XCTAssertEqual(intel.environment, ["I_MPI_PIN": "0"])
        let srun = LaunchCommand(launcher: .srun, ranks: 2, isRoot: true, cores: 2, mpi: MPILauncher(program: "mpirun.mpich", dialect: .hydra))
        XCTAssertEqual(srun.environment, [:])
    }

    func testLauncherFollowsTheLibraryVersionAndPrefersTheImplementationsOwnName() {
        let debian: Set = ["mpirun", "mpirun.openmpi", "mpirun.mpich", "mpiexec.hydra", "mpiexec"]
        let openMPI = "Open MPI v4.1.4, package: Debian OpenMPI, ident: 4.1.4, repo rev: v4.1.4, May 26, 2022"
        XCTAssertEqual(MPILauncher.forLibrary(openMPI, isOnPath: debian.contains), MPILauncher(program: "mpirun.openmpi", dialect: .openMPI))
        XCTAssertEqual(MPILauncher.forLibrary(openMPI, isOnPath: { _ in false }), MPILauncher(program: "mpirun", dialect: .openMPI))
        let mpich = "MPICH Version:      4.0.2"
        XCTAssertEqual(MPILauncher.forLibrary(mpich, isOnPath: debian.contains), MPILauncher(program: "mpirun.mpich", dialect: .hydra))
        XCTAssertEqual(MPILauncher.forLibrary(mpich, isOnPath: ["mpiexec.hydra", "mpiexec"].contains), MPILauncher(program: "mpiexec.hydra", dialect: .hydra))
        XCTAssertEqual(MPILauncher.forLibrary("MPI VERSION    : CRAY MPICH version 8.1.27", isOnPath: { _ in false }),
                       MPILauncher(program: "mpiexec", dialect: .hydra))
        XCTAssertEqual(MPILauncher.forLibrary("Intel(R) MPI Library 2021.10 for Linux* OS", isOnPath: debian.contains),
                       MPILauncher(program: "mpiexec.hydra", dialect: .intelHydra))
    }

    func testCommandLineQuotesWordsWithSpaces() {
        let invocation = SweepInvocation(member: "b1", step: .pretrain, arguments: ["cola", "--set", "name=a b"], environment: ["X": "1"])
        XCTAssertEqual(invocation.commandLine, "X=1 cola --set 'name=a b'")
    }
}
