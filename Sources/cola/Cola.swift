import ArgumentParser

/// The `cola` command: COLA contrastive pretraining of audio encoders over MPI.
@main
struct Cola: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pretrain audio encoders with COLA contrastive learning over MPI and score them on nine transfer tasks.",
        discussion: """
            Run under mpirun for several ranks.
            Example: mpirun -np 2 --bind-to none cola pretrain --config configs/demo.yaml
            """,
        subcommands: [
            Doctor.self, DataCommand.self, Pretrain.self, Eval.self, Sweep.self,
            Report.self, Inspect.self, Embed.self, Export.self, Bench.self,
        ]
    )
}
