#!/usr/bin/env python3
"""PyTorch CPU reference for Cola's model, and the writer of its test fixtures.

The COLA model of google-research/google-research cola/network.py, written out in plain PyTorch
(no torchvision) in python/cola_hear/model.py (imported from there, one definition): encoder (EfficientNet-B0 as Keras builds it, or the small CNN), head
(Dense 512, then LayerNorm + tanh for the bilinear similarity), similarity (bilinear A W P^T, or
cosine / 0.2), softmax cross-entropy of row i against column i. Anchors and positives go through
the encoder as one batch of 2B in training mode, so batch norm sees both.

State-dict keys are the parameter names Cola uses (`encoder.blocks.3.depthwise.conv.weight`, ...).

Fixtures: seed 20261128 (FIXTURE_SEED), batch B = 4, float32. Regenerate with

    python3 benchmarks/reference/cola_reference.py --out Tests/ColaModelTests/Fixtures

The file format (`.colafix`, little-endian) is described in docs/reference.md and in
`write_fixture` below. Parameters are not stored value by value (EfficientNet-B0 alone would be
20 MB): each is generated from a 64-bit key by SplitMix64 with float32 arithmetic that is exact
up to one rounding, so Swift regenerates the identical bits (`ReferenceFixture.swift`). Large
gradients are stored as a seeded sample of elements plus the full tensor's L2 norm.
"""

from __future__ import annotations

import argparse
import math
import struct
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

# The model has one definition, in the python/ package (cola_hear.model); this script runs from a
# checkout without installing it.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))
from cola_hear.model import BANDS, FRAMES, ColaModel  # noqa: E402

FIXTURE_SEED = 20261128
FIXTURE_BATCH = 4
TRAJECTORY_STEPS = 20

# Keras Adam (keras/src/optimizers/adam.py): epsilon is added to sqrt(v) before bias correction.
ADAM_LR, ADAM_BETA1, ADAM_BETA2, ADAM_EPS = 1e-3, 0.9, 0.999, 1e-7

# Gradients with more elements than this are stored as a sample of GRADIENT_SAMPLE elements.
FULL_TENSOR_LIMIT = 16384
GRADIENT_SAMPLE = 8192


def trainable_count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def check_sizes() -> None:
    effnet = ColaModel("effnet", "bilinear")
    cnn = ColaModel("cnn", "bilinear")
    counts = {
        "effnet encoder params": (trainable_count(effnet.encoder), 4_006_972),
        "effnet encoder state_dict tensors": (len(effnet.encoder.state_dict()), 358),
        "effnet model params": (trainable_count(effnet), 4_926_012),
        "small CNN model params": (trainable_count(cnn), 2_076_608),
    }
    for what, (got, want) in counts.items():
        print(f"{what}: {got:,} (expected {want:,})")
        assert got == want, what


# ----------------------------------------------------------------------------------------------
# Portable parameter generator (mirrored bit for bit by Tests/ColaModelTests/ReferenceFixture.swift)

MASK64 = (1 << 64) - 1


def name_key(name: str, seed: int) -> int:
    """FNV-1a 64 of the UTF-8 name, xor the seed."""
    h = 0xCBF29CE484222325
    for byte in name.encode("utf-8"):
        h = ((h ^ byte) * 0x100000001B3) & MASK64
    return h ^ (seed & MASK64)


def splitmix_uniform(key: int, count: int) -> np.ndarray:
    """t_i in [-1, 1): z = key + (i + 1) * golden (mod 2^64), SplitMix64 finalizer, top 24 bits."""
    with np.errstate(over="ignore"):
        i = np.arange(1, count + 1, dtype=np.uint64)
        z = np.uint64(key) + i * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    u = (z >> np.uint64(40)).astype(np.float32) * np.float32(2.0 ** -24)  # exact
    return u * np.float32(2.0) - np.float32(1.0)  # exact


def generated_values(key: int, offset: float, scale: float, count: int) -> np.ndarray:
    """offset + scale * t with scale a power of two: the product is exact, the sum rounds once."""
    assert scale > 0 and math.frexp(scale)[0] == 0.5, "scale must be a power of two"
    return np.float32(offset) + splitmix_uniform(key, count) * np.float32(scale)


def power_of_two(x: float) -> float:
    return 2.0 ** round(math.log2(x))


def init_recipe(name: str, shape: tuple[int, ...]) -> tuple[float, float]:
    """(offset, scale) of a uniform init around Keras' scales, BN and LN perturbed from 1/0 so that a
    swapped scale/shift or mean/variance shows in the comparison."""
    if name.endswith("running_var"):
        return 1.0, 0.25
    if name.endswith("running_mean"):
        return 0.0, 0.125
    if ".bn." in name or ".norm." in name:
        return (1.0, 0.125) if name.endswith("weight") else (0.0, 0.125)
    if name.endswith("bias"):
        return 0.0, 0.0625
    if name == "similarity.weight":
        return 0.0, 0.0625  # Keras random_normal(stddev 0.05)
    if len(shape) == 4:  # He-uniform on fan-in (the encoder's convs are followed by BN anyway)
        fan_in = shape[1] * shape[2] * shape[3]
        return 0.0, power_of_two(math.sqrt(6.0 / fan_in))
    fan_out, fan_in = shape  # Dense: Glorot uniform
    return 0.0, power_of_two(math.sqrt(6.0 / (fan_in + fan_out)))


def initial_state(model: ColaModel, seed: int) -> dict[str, tuple[tuple[int, ...], float, float, int]]:
    """name -> (shape, offset, scale, key) for every parameter and buffer except num_batches_tracked."""
    recipes = {}
    for name, tensor in model.state_dict().items():
        if name.endswith("num_batches_tracked"):
            continue
        shape = tuple(tensor.shape)
        offset, scale = init_recipe(name, shape)
        recipes[name] = (shape, offset, scale, name_key(name, seed))
    return recipes


def initial_tensors(recipes) -> dict[str, torch.Tensor]:
    """final.<name> -> the generated initial value, for measuring how far parameters moved."""
    return {
        f"final.{name}": torch.from_numpy(generated_values(key, offset, scale, int(np.prod(shape))).reshape(shape))
        for name, (shape, offset, scale, key) in recipes.items()
    }


def load_initial_state(model: ColaModel, recipes) -> None:
    state = model.state_dict()
    for name, (shape, offset, scale, key) in recipes.items():
        values = generated_values(key, offset, scale, int(np.prod(shape)))
        state[name].copy_(torch.from_numpy(values.reshape(shape)))


# ----------------------------------------------------------------------------------------------
# Inputs


def log_mel_like(generator: torch.Generator, batch: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Two 96-frame crops of one 150-frame log-mel-like clip per example: log of a positive power
    spectrogram with a spectral tilt and a time envelope, clipped at 1e-5 as the reference does."""
    frames = 150
    tilt = torch.exp(-torch.arange(BANDS, dtype=torch.float64) / 20.0)
    anchors, positives = [], []
    for _ in range(batch):
        envelope = torch.exp(torch.randn(frames, 1, generator=generator, dtype=torch.float64))
        noise = torch.exp(1.5 * torch.randn(frames, BANDS, generator=generator, dtype=torch.float64))
        power = torch.clamp(0.05 * envelope * tilt * noise, 1e-5, 1e8)
        clip = torch.log(power)
        a, p = torch.randint(0, frames - FRAMES + 1, (2,), generator=generator).tolist()
        anchors.append(clip[a : a + FRAMES])
        positives.append(clip[p : p + FRAMES])
    as_input = lambda xs: torch.stack(xs).unsqueeze(1).to(torch.float32)  # [B, 1, 96, 64]
    return as_input(anchors), as_input(positives)


# ----------------------------------------------------------------------------------------------
# Fixture file

ENCODING_DENSE, ENCODING_GENERATED, ENCODING_SAMPLED = 0, 1, 2


class FixtureWriter:
    """COLAFIX1: magic, UInt32 count, then per tensor: UInt32 name length, UTF-8 name, UInt32 rank,
    rank x Int64 dims, UInt32 encoding, payload:
      0 dense:     product(dims) x Float32, row-major (PyTorch layout)
      1 generated: Float32 offset, Float32 scale, UInt64 key (values as `generated_values`)
      2 sampled:   UInt32 n, n x UInt32 ascending flat indices, n x Float32 values,
                   Float32 L2 norm of the whole tensor (accumulated in float64)
    """

    def __init__(self):
        self.records: list[bytes] = []
        self.names: set[str] = set()

    def _header(self, name: str, shape, encoding: int) -> bytes:
        assert name not in self.names, name
        self.names.add(name)
        raw = name.encode("utf-8")
        out = struct.pack("<I", len(raw)) + raw + struct.pack("<I", len(shape))
        out += struct.pack(f"<{len(shape)}q", *shape) + struct.pack("<I", encoding)
        return out

    def dense(self, name: str, tensor) -> None:
        values = np.ascontiguousarray(np.asarray(tensor, dtype=np.float32))
        shape = values.shape if values.ndim > 0 else (1,)
        self.records.append(self._header(name, shape, ENCODING_DENSE) + values.astype("<f4").tobytes())

    def generated(self, name: str, shape, offset: float, scale: float, key: int) -> None:
        self.records.append(
            self._header(name, shape, ENCODING_GENERATED) + struct.pack("<ffQ", offset, scale, key)
        )

    def tensor(self, name: str, tensor: torch.Tensor, seed: int) -> None:
        """Dense when small, else a seeded sample of GRADIENT_SAMPLE elements plus the L2 norm."""
        values = tensor.detach().to(torch.float32).numpy()
        if values.size <= FULL_TENSOR_LIMIT:
            self.dense(name, values)
            return
        flat = values.reshape(-1)
        rng = np.random.default_rng(name_key(name, seed) & 0xFFFFFFFF)
        index = np.sort(rng.choice(flat.size, GRADIENT_SAMPLE, replace=False)).astype("<u4")
        norm = float(np.linalg.norm(tensor.detach().to(torch.float64).numpy().reshape(-1)))
        payload = struct.pack("<I", GRADIENT_SAMPLE) + index.tobytes()
        payload += flat[index].astype("<f4").tobytes() + struct.pack("<f", norm)
        self.records.append(self._header(name, values.shape, ENCODING_SAMPLED) + payload)

    def write(self, path: Path) -> None:
        data = b"COLAFIX1" + struct.pack("<I", len(self.records)) + b"".join(self.records)
        path.write_bytes(data)
        print(f"wrote {path} ({len(self.records)} tensors, {len(data) / 1e6:.2f} MB)")


# ----------------------------------------------------------------------------------------------
# Fixtures


def build(encoder: str, similarity: str, seed: int, dtype: torch.dtype):
    torch.manual_seed(seed)
    model = ColaModel(encoder, similarity)
    recipes = initial_state(model, seed)
    load_initial_state(model, recipes)
    if encoder == "effnet":
        model.encoder.set_drop_connect(False)  # deterministic fixtures
    model.train()
    return model.to(dtype), recipes


def step_results(model: ColaModel, anchors, positives):
    """One forward + backward; returns outputs, gradients and the buffers after the forward."""
    model.zero_grad(set_to_none=True)
    dtype = next(model.parameters()).dtype
    a, p, s, loss, accuracy = model(anchors.to(dtype), positives.to(dtype))
    loss.backward()
    outputs = {
        "output.embedding.anchor": a,
        "output.embedding.positive": p,
        "output.similarity": s,
        "output.loss": loss.reshape(1),
        "output.accuracy": accuracy.reshape(1),
    }
    grads = {f"grad.{n}": q.grad for n, q in model.named_parameters()}
    buffers = {f"after.{n}": b for n, b in model.named_buffers() if not n.endswith("num_batches_tracked")}
    return {k: v.detach().clone() for k, v in {**outputs, **grads, **buffers}.items()}


def precision_group(name: str) -> str:
    """Groups for the precision report: outputs one by one, gradients per encoder block (small
    CNN) or per part, buffers together."""
    parts = name.split(".")
    if parts[0] == "output" or parts[0] == "trajectory":
        return name
    if parts[0] in ("grad", "final") and parts[1:3] == ["encoder", "blocks"]:
        return ".".join(parts[:4])
    return ".".join(parts[:2])


def report_precision(label: str, single: dict, reference: dict) -> dict[str, tuple[float, float]]:
    """Max |single - reference| per group, absolute and relative to the tensor's max |reference|
    (tensors whose reference is below 1e-9 everywhere count in absolute terms only)."""
    groups: dict[str, list[float]] = {}
    for name, value in single.items():
        ref = reference[name].to(torch.float64)
        diff = (value.to(torch.float64) - ref).abs().max().item()
        scale = ref.abs().max().item()
        worst = groups.setdefault(precision_group(name), [0.0, 0.0])
        worst[0] = max(worst[0], diff)
        worst[1] = max(worst[1], diff / scale if scale > 1e-9 else 0.0)
    print(f"  {label}:")
    for group, (diff, rel) in groups.items():
        print(f"    {group:36s} max abs {diff:.2e}   max abs / max|ref| {rel:.2e}")
    return {group: (v[0], v[1]) for group, v in groups.items()}


def write_state(writer: FixtureWriter, recipes) -> None:
    for name, (shape, offset, scale, key) in recipes.items():
        writer.generated(name, shape, offset, scale, key)


def channels_last(model: ColaModel, *inputs):
    model = model.to(memory_format=torch.channels_last)
    return (model, *(x.contiguous(memory_format=torch.channels_last) for x in inputs))


def perturbed(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """x (1 + 3e-7 n) in float64: about float32 rounding of the input."""
    return x.double() * (1 + 3e-7 * torch.randn(x.shape, generator=generator, dtype=torch.float64))


def tie_sensitivity(encoder: str, similarity: str, seed: int, anchors, positives, double: dict, trials: int) -> list[dict]:
    """Float64 runs on inputs perturbed by about float32 rounding: max-pool windows and ReLUs
    within rounding of a tie switch, and with them whole gradient paths (small CNN)."""
    runs = []
    for trial in range(trials):
        generator = torch.Generator().manual_seed(trial)
        model, _ = build(encoder, similarity, seed, torch.float64)
        runs.append(step_results(model, perturbed(anchors, generator), perturbed(positives, generator)))
    worst: dict[str, float] = {}
    for run in runs:
        for name, value in run.items():
            scale = double[name].abs().max().item()
            if scale > 1e-9:
                group = precision_group(name)
                worst[group] = max(worst.get(group, 0.0), (value - double[name]).abs().max().item() / scale)
    print(f"  float64 on inputs perturbed by 3e-7 ({trials} trials), max abs / max|ref|:")
    print("    " + "  ".join(f"{g} {r:.0e}" for g, r in worst.items() if g.startswith(("grad", "output.loss"))))
    return runs


TOLERANCE_MARGIN = 3.0
TOLERANCE_RELATIVE_FLOOR = 1e-4  # of the tensor's max |reference|
TOLERANCE_GROUP_FLOOR = 2e-6  # of the largest max |reference| among gradients (or outputs, buffers)


def tolerances(stored: dict, double: dict, alternatives: list[dict]) -> dict[str, float]:
    """Absolute max-abs tolerance per tensor for comparing another float32 implementation with the
    stored values: TOLERANCE_MARGIN x the largest deviation from float64 seen among the stored run
    and the alternatives (channels-last float32, perturbed float64), floored at
    TOLERANCE_RELATIVE_FLOOR of the tensor's scale and TOLERANCE_GROUP_FLOOR of its group's (so
    gradients that are exactly zero, such as EfficientNet's project.bn.bias, get an absolute one)."""
    group_scale: dict[str, float] = {}
    for name, ref in double.items():
        group = name.split(".")[0]
        group_scale[group] = max(group_scale.get(group, 0.0), ref.abs().max().item())
    result = {}
    for name, ref in double.items():
        deviation = max((run[name].to(torch.float64) - ref).abs().max().item() for run in [stored, *alternatives])
        result[name] = max(
            TOLERANCE_MARGIN * deviation,
            TOLERANCE_RELATIVE_FLOOR * ref.abs().max().item(),
            TOLERANCE_GROUP_FLOOR * group_scale[name.split(".")[0]],
        )
    return result


def step_fixture(encoder: str, similarity: str, out: Path, seed: int) -> None:
    print(f"== {encoder} {similarity}")
    generator = torch.Generator().manual_seed(seed)
    anchors, positives = log_mel_like(generator, FIXTURE_BATCH)
    model, recipes = build(encoder, similarity, seed, torch.float32)
    single = step_results(model, anchors, positives)
    model64, _ = build(encoder, similarity, seed, torch.float64)
    double = step_results(model64, anchors, positives)
    report_precision("float32 (NCHW) vs float64", single, double)
    model_cl, _ = build(encoder, similarity, seed, torch.float32)
    other = step_results(*channels_last(model_cl, anchors, positives))
    report_precision("float32 channels-last vs float64", other, double)
    trials = tie_sensitivity(encoder, similarity, seed, anchors, positives, double, 8 if encoder == "cnn" else 2)
    tolerance = tolerances(single, double, [other, *trials])
    print(f"  loss {single['output.loss'].item():.6f}  accuracy {single['output.accuracy'].item():.2f}")

    writer = FixtureWriter()
    writer.dense("input.anchor", anchors)
    writer.dense("input.positive", positives)
    write_state(writer, recipes)
    write_generator_check(writer, recipes, model)
    for name, value in single.items():
        writer.tensor(name, value, seed)
    for name, value in tolerance.items():
        writer.dense(f"tolerance.{name}", [value])
    writer.write(out / f"{encoder}_{similarity}.colafix")


def write_generator_check(writer: FixtureWriter, recipes, model: ColaModel) -> None:
    """Dense copies of the first conv weight and running variance, so a reader can check that it
    regenerates parameters bit for bit."""
    first = next(name for name in recipes if name.endswith("conv.weight"))
    variance = next(name for name in recipes if name.endswith("running_var"))
    for name in (first, variance):
        shape, offset, scale, key = recipes[name]
        writer.dense(f"check.{name}", generated_values(key, offset, scale, int(np.prod(shape))).reshape(shape))


class KerasAdam:
    """keras/src/optimizers/adam.py: m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2);
    p -= m * lr * sqrt(1 - b2^t) / (1 - b1^t) / (sqrt(v) + eps)."""

    def __init__(self, params):
        self.params = list(params)
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.t = 0

    @torch.no_grad()
    def step(self) -> None:
        self.t += 1
        alpha = ADAM_LR * math.sqrt(1 - ADAM_BETA2**self.t) / (1 - ADAM_BETA1**self.t)
        for p, m, v in zip(self.params, self.m, self.v):
            g = p.grad
            m.add_((g - m) * (1 - ADAM_BETA1))
            v.add_((g * g - v) * (1 - ADAM_BETA2))
            p.sub_(m * alpha / (v.sqrt() + ADAM_EPS))


def run_trajectory(model: ColaModel, batches) -> tuple[torch.Tensor, dict, dict]:
    """Losses per step, the state after the last step, and the first step's gradients."""
    optimizer = KerasAdam(model.parameters())
    dtype = next(model.parameters()).dtype
    losses = []
    first_gradients = {}
    for anchors, positives in batches:
        model.zero_grad(set_to_none=True)
        loss = model(anchors.to(dtype), positives.to(dtype))[3]
        loss.backward()
        if not losses:
            first_gradients = {n: q.grad.detach().clone() for n, q in model.named_parameters()}
        optimizer.step()
        losses.append(loss.detach())
    final = {f"final.{n}": t.detach().clone() for n, t in model.state_dict().items() if not n.endswith("num_batches_tracked")}
    return torch.stack(losses), final, first_gradients


# The small CNN's parameters whose one-step gradients a max-pool near-tie moves (docs/reference.md):
# the trajectory fixture stores their step-1 gradients whole, so a test can continue from them.
TIE_SENSITIVE_PREFIXES = ("encoder.blocks.0.", "encoder.blocks.1.", "encoder.blocks.2.")


def write_step1_gradients(writer: FixtureWriter, gradients64: dict, seed: int) -> None:
    """`trajectory.step1.grad.<name>`: step 1's gradients in float64, where max-pool ties fall as
    in exact arithmetic (the stored float32 run agrees: its steps 2-3 are 2e-5 from float64's).
    Whole for the tie-sensitive blocks 0-2, a sample of the others as for one-step gradients."""
    for name, value in gradients64.items():
        if name.startswith(TIE_SENSITIVE_PREFIXES):
            writer.dense(f"trajectory.step1.grad.{name}", value)
        else:
            writer.tensor(f"trajectory.step1.grad.{name}", value, seed)


def trajectory_fixture(out: Path, seed: int) -> None:
    print("== cnn bilinear, 20 Adam steps")
    generator = torch.Generator().manual_seed(seed + 1)
    batches = [log_mel_like(generator, FIXTURE_BATCH) for _ in range(TRAJECTORY_STEPS)]
    model, recipes = build("cnn", "bilinear", seed, torch.float32)
    losses, final, _ = run_trajectory(model, batches)
    model64, _ = build("cnn", "bilinear", seed, torch.float64)
    losses64, final64, gradients64 = run_trajectory(model64, batches)
    stored, double = {"trajectory.loss": losses, **final}, {"trajectory.loss": losses64, **final64}
    report_precision("float32 vs float64, 20 Adam steps", stored, double)
    model_cl, _ = build("cnn", "bilinear", seed, torch.float32)
    model_cl = model_cl.to(memory_format=torch.channels_last)
    losses_cl, final_cl, _ = run_trajectory(model_cl, [channels_last(model_cl, a, p)[1:] for a, p in batches])
    alternatives = [{"trajectory.loss": losses_cl, **final_cl}]
    for trial in range(2):
        noise = torch.Generator().manual_seed(trial)
        model_p, _ = build("cnn", "bilinear", seed, torch.float64)
        losses_p, final_p, _ = run_trajectory(model_p, [(perturbed(a, noise), perturbed(p, noise)) for a, p in batches])
        alternatives.append({"trajectory.loss": losses_p, **final_p})
    print("  loss per step (float32):  " + " ".join(f"{x:.4f}" for x in losses.tolist()))
    print("  |float32 - float64|:      " + " ".join(f"{x:.0e}" for x in (losses.double() - losses64).abs().tolist()))
    for label, run in zip(["channels-last", "perturbed 1", "perturbed 2"], alternatives):
        print(f"  |{label} - float64|:".ljust(28) + " ".join(f"{x:.0e}" for x in (run["trajectory.loss"].double() - losses64).abs().tolist()))
    update = {k: (final64[k] - v.to(torch.float64)) for k, v in initial_tensors(recipes).items()}
    print("  relative L2 error of the parameter change after 20 steps, float32 vs float64:")
    print("    " + "  ".join(
        f"{k.split('.', 1)[1]} {((final[k].double() - final64[k]).norm() / update[k].norm()).item():.1e}"
        for k in final if k.endswith("weight") and update[k].norm() > 0))
    tolerance = tolerances(stored, double, alternatives)
    # Per step: the deviation envelope (running maximum over steps, since rounding grows) x margin.
    deviation = torch.stack([(run["trajectory.loss"].double() - losses64).abs() for run in [stored, *alternatives]]).amax(0)
    step_tolerance = torch.clamp(TOLERANCE_MARGIN * torch.cummax(deviation, 0).values, min=TOLERANCE_RELATIVE_FLOOR)

    writer = FixtureWriter()
    writer.dense("trajectory.input.anchor", torch.stack([a for a, _ in batches]))
    writer.dense("trajectory.input.positive", torch.stack([p for _, p in batches]))
    write_state(writer, recipes)
    write_generator_check(writer, recipes, model)
    writer.dense("trajectory.loss", losses)
    for name, value in final.items():
        writer.tensor(name, value, seed)
    write_step1_gradients(writer, gradients64, seed)
    writer.dense("tolerance.trajectory.loss", step_tolerance)
    for name, value in tolerance.items():
        if name.startswith("final."):
            writer.dense(f"tolerance.{name}", [value])
    writer.write(out / "cnn_bilinear_trajectory.colafix")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("Tests/ColaModelTests/Fixtures"))
    parser.add_argument("--seed", type=int, default=FIXTURE_SEED)
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    check_sizes()
    args.out.mkdir(parents=True, exist_ok=True)
    step_fixture("cnn", "bilinear", args.out, args.seed)
    step_fixture("effnet", "bilinear", args.out, args.seed)
    step_fixture("cnn", "cosine", args.out, args.seed)
    trajectory_fixture(args.out, args.seed)


if __name__ == "__main__":
    sys.exit(main())
