#!/usr/bin/env python3
"""Parity of the python/ package (cola_hear) with `cola embed`, and refusal of bad files on both sides.

    python3 python/tests/test_parity.py [--cola .build/debug/cola]

Needs torch (CPU), numpy, safetensors, soundfile and the package (`pip install ./python`, or
PYTHONPATH=python); sox for the tiny pretraining set. Steps:
1. small CNN: `cola pretrain` 1 step on 8 tiny clips (Tests/integration/configs/pretrain-tiny.yaml),
   `cola export`, then cola_hear.load_model on Cola's file;
2. EfficientNet-B0: the package writes a file (random weights, running statistics moved off 0/1)
   with Cola's metadata, which `cola embed` reads;
3. for both: scene embeddings of 16 kHz WAV/FLAC files (mono and stereo, shorter and longer than
   1 s) from `cola embed` and from get_scene_embeddings agree within 1e-4 relative (max |diff| /
   max |value| per file), and the timestamp embeddings with `cola embed --hop-ms 50` too;
4. truncated, corrupt and other-encoder files are refused by load_model and by `cola embed`,
   each message naming the file;
5. hearvalidator accepts the small-CNN file, when hearvalidator (and the tensorflow it imports)
   is installed; otherwise reported as skipped.
Prints `N passed, N failed`; exit 1 on a failure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile
import torch
from safetensors.torch import save_file

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "python"))
import cola_hear  # noqa: E402
from cola_hear.frontend import METADATA  # noqa: E402

TOLERANCE = 1e-4
RESULTS: list[tuple[str, bool, str]] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    RESULTS.append((name, ok, detail))
    print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)


def run(*command: str, expect_success: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True)
    if expect_success and result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def write_audio(folder: Path) -> dict[str, np.ndarray]:
    """16 kHz files (what the HEAR API receives); returns each file's mono float32 samples as read.

    Every signal has some energy in every mel band: where a band lies more than ~60 dB below a
    frame's peak (a pure synthetic tone), float32 FFTs disagree in its log value (docs/audio.md),
    and a pure 220 Hz tone under a 3 Hz envelope gave 1.3e-4 relative between Cola and torch."""
    rng = np.random.default_rng(20261203)
    t = lambda seconds: np.arange(int(seconds * 16000)) / 16000  # noqa: E731
    signals = {
        "syllables.wav": ((0.3 * np.sin(2 * np.pi * 220 * t(2.3)) + 0.05 * rng.standard_normal(len(t(2.3))))
                          * np.abs(np.sin(2 * np.pi * 3 * t(2.3))))[:, None],
        "stereo.flac": np.stack([0.2 * np.sin(2 * np.pi * 880 * t(3.9)), 0.1 * rng.standard_normal(len(t(3.9)))], axis=1),
        "short.wav": (0.05 * rng.standard_normal(len(t(0.6))))[:, None],
        "second.wav": (0.4 * np.sign(np.sin(2 * np.pi * 130 * t(1.0))))[:, None],
    }
    samples = {}
    for name, signal in signals.items():
        soundfile.write(folder / name, signal.astype(np.float32), 16000, subtype="PCM_16")
        read, _ = soundfile.read(folder / name, dtype="float32", always_2d=True)
        samples[name] = read.mean(axis=1, dtype=np.float32) if read.shape[1] > 1 else read[:, 0]
    return samples


def relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-12))


def compare(label: str, model_path: Path, cola: str, audio: Path, samples: dict[str, np.ndarray], out: Path) -> None:
    run(cola, "embed", "--checkpoint", str(model_path), "--input", str(audio), "--out", str(out), "--hop-ms", "50")
    model = cola_hear.load_model(str(model_path))
    worst_scene = worst_windows = 0.0
    for name, waveform in samples.items():
        batch = torch.from_numpy(waveform)[None]
        scene = cola_hear.get_scene_embeddings(batch, model)[0].numpy()
        windows, times = cola_hear.get_timestamp_embeddings(batch, model)
        worst_scene = max(worst_scene, relative_difference(scene, np.load(out / f"{name}.npy")))
        cola_windows = np.load(out / f"{name}.windows.npy")
        cola_times = np.load(out / f"{name}.times.npy")
        if cola_windows.shape != tuple(windows.shape[1:]) or not np.allclose(cola_times * 1000, times[0].numpy(), atol=1e-3):
            check(f"{label}: {name} windows", False, f"Cola {cola_windows.shape} at {cola_times[:3]} s, package {tuple(windows.shape[1:])} at {times[0, :3]} ms")
            continue
        worst_windows = max(worst_windows, relative_difference(windows[0].numpy(), cola_windows))
    check(f"{label}: scene embeddings equal cola embed's ({len(samples)} files)", worst_scene <= TOLERANCE, f"max relative difference {worst_scene:.2e}")
    check(f"{label}: timestamp embeddings equal cola embed --hop-ms 50", worst_windows <= TOLERANCE, f"max relative difference {worst_windows:.2e}")


def refusals(label: str, good: Path, foreign_metadata: dict[str, str], cola: str, audio: Path, scratch: Path) -> None:
    data = good.read_bytes()
    header_length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + header_length])
    header["__metadata__"].update(foreign_metadata)
    foreign_header = json.dumps(header).encode()
    foreign_header += b" " * (-len(foreign_header) % 8)
    cases = {
        "truncated": data[:len(data) - 1000],
        "corrupt": data[:8] + (b"\x00garbage" * (header_length // 8 + 1))[:header_length] + data[8 + header_length:],
        "other-encoder": len(foreign_header).to_bytes(8, "little") + foreign_header + data[8 + header_length:],
    }
    for case, content in cases.items():
        path = scratch / f"{label}-{case}.safetensors"
        path.write_bytes(content)
        try:
            cola_hear.load_model(str(path))
            check(f"{label}: load_model refuses a {case} file", False, "accepted")
        except ValueError as error:
            check(f"{label}: load_model refuses a {case} file", str(error).startswith(str(path)), str(error))
        result = run(cola, "embed", "--checkpoint", str(path), "--input", str(audio), "--out", str(scratch / f"refused-{case}"), expect_success=False)
        message = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
        check(f"{label}: cola embed refuses a {case} file", result.returncode != 0 and str(path) in message, message)


def python_written_effnet(path: Path) -> None:
    """An EfficientNet-B0 file written by the package's model: seeded weights, running statistics
    moved off 0/1 so that using them shows, and Cola's metadata."""
    torch.manual_seed(7)
    encoder = cola_hear.model.EfficientNetB0()
    state = {}
    for name, tensor in encoder.state_dict().items():
        if name.endswith("num_batches_tracked"):
            continue
        if name.endswith("running_mean"):
            tensor = 0.1 * torch.randn_like(tensor)
        elif name.endswith("running_var"):
            tensor = 1 + 0.25 * torch.rand_like(tensor)
        state[f"encoder.{name}"] = tensor.contiguous()
    metadata = dict(METADATA, format="cola", encoder="efficientnet_b0", model=json.dumps({"encoder": "efficientnet_b0"}), step="0")
    save_file(state, str(path), metadata=metadata)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cola", default=os.environ.get("COLA_BIN", str(REPO / ".build/debug/cola")))
    args = parser.parse_args()
    torch.set_num_threads(2)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "python"), os.environ.get("PYTHONPATH")]))
    scratch = Path(tempfile.mkdtemp(prefix="cola-parity-"))
    try:
        audio = scratch / "audio"
        audio.mkdir()
        samples = write_audio(audio)
        run("bash", str(REPO / "Tests/integration/pretrain_data.sh"), str(scratch / "data"), "8")
        run(args.cola, "pretrain", "--config", str(REPO / "Tests/integration/configs/pretrain-tiny.yaml"), "--data-root", str(scratch / "data"),
            "--run-dir", str(scratch / "run"), "--steps", "1", "--checkpoint-every", "1")
        run(args.cola, "export", "--checkpoint", str(scratch / "run"), "--out", str(scratch / "export"), "--name", "cnn")
        cnn = scratch / "export/cnn.safetensors"
        effnet = scratch / "effnet.safetensors"
        python_written_effnet(effnet)

        compare("cnn (cola export)", cnn, args.cola, audio, samples, scratch / "cnn-embed")
        compare("efficientnet_b0 (written in Python)", effnet, args.cola, audio, samples, scratch / "effnet-embed")
        refusals("cnn", cnn, {"encoder": "efficientnet_b0", "model": json.dumps({"encoder": "efficientnet_b0"})}, args.cola, audio, scratch)
        refusals("effnet", effnet, {"encoder": "cnn", "model": json.dumps({"encoder": "cnn"})}, args.cola, audio, scratch)

        validator = shutil.which("hear-validator") or str(Path(sys.executable).parent / "hear-validator")
        if Path(validator).exists():
            result = run(validator, "cola_hear", "--model", str(cnn), expect_success=False)
            verdict = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr.strip()[-300:]
            check("hearvalidator accepts cola_hear with a small-CNN file", result.returncode == 0 and "Looks good!" in result.stdout, verdict)
        else:
            print("skip hearvalidator: not installed (pip install hearvalidator tensorflow-cpu)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    passed = sum(ok for _, ok, _ in RESULTS)
    print(f"python parity: {passed} passed, {len(RESULTS) - passed} failed")
    return 0 if passed == len(RESULTS) else 1


if __name__ == "__main__":
    sys.exit(main())
