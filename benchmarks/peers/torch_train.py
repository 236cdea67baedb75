#!/usr/bin/env python3
"""PyTorch CPU peer for `cola bench train`: forward + backward + Adam on the COLA model.

The model is benchmarks/reference/cola_reference.py (EfficientNet-B0 as Keras builds it, or the
small CNN; Dense 512 + LayerNorm + tanh; bilinear similarity; drop-connect on as in training).
One step takes B clips; a clip is an anchor and a positive, so the encoder sees 2B random 96×64
inputs. Prints one JSON object: clips/s of the median timed step (as `cola bench train`), the mean
and best, and peak RSS.

    python3 benchmarks/peers/torch_train.py --encoder effnet --batch 64 [--channels-last]
Run under jemalloc (see run.sh) for the best configuration.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reference"))
from cola_reference import ADAM_BETA1, ADAM_BETA2, ADAM_EPS, ADAM_LR, ColaModel  # noqa: E402
from step_timing import time_and_report  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--encoder", choices=["cnn", "effnet"], required=True)
    parser.add_argument("--batch", type=int, required=True, help="clips per step (encoder sees 2x)")
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps")
    parser.add_argument("--steps", type=int, default=10, help="timed steps")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = ColaModel(args.encoder, "bilinear").train()
    anchors = torch.randn(args.batch, 1, 96, 64)
    positives = torch.randn(args.batch, 1, 96, 64)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
        anchors = anchors.contiguous(memory_format=torch.channels_last)
        positives = positives.contiguous(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=ADAM_LR, betas=(ADAM_BETA1, ADAM_BETA2), eps=ADAM_EPS)

    def step() -> float:
        optimizer.zero_grad(set_to_none=True)
        loss = model(anchors, positives)[3]
        loss.backward()
        optimizer.step()
        return loss.item()

    layout = "channels-last" if args.channels_last else "nchw"
    jemalloc = "jemalloc" in os.environ.get("LD_PRELOAD", "")
    time_and_report(step, args, {
        "peer": "torch",
        "config": f"torch {layout}" + (" + jemalloc" if jemalloc else ""),
        "torch": torch.__version__,
    })

if __name__ == "__main__":
    main()
