"""Times a training step the way `cola bench train` does and prints one JSON result line.

Shared by torch_train.py and tf_train.py: warm-up steps, timed steps, rate = batch / median step.
"""
from __future__ import annotations

import json
import resource
import time
from typing import Callable


def time_and_report(step: Callable[[], object], args, identity: dict) -> None:
    """Runs `args.warmup` then `args.steps` calls of `step`; prints `identity` plus the rates."""
    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    median = sorted(times)[len(times) // 2]
    print(json.dumps({
        **identity,
        "encoder": args.encoder,
        "batch": args.batch,
        "threads": args.threads,
        "steps": args.steps,
        "clips_per_s": round(args.batch / median, 2),
        "mean_clips_per_s": round(args.batch * args.steps / sum(times), 2),
        "best_step_clips_per_s": round(args.batch / min(times), 2),
        "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 3),
    }))
