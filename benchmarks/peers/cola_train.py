#!/usr/bin/env python3
"""Runs `$COLA_BIN bench train --encoder E --batch B` and prints the result as the peers do.

Takes clips/s from a JSON object on the output (key `clips_per_s`) or else from the last
"<number> clips/s" in the text; peak RSS from the child's rusage; the oneDNN version, ISA and
convolution plan from the JSON file the command wrote. Prints
{"config": "cola", "supported": false, ...} when the binary exits non-zero or reports no rate
(e.g. a build where `bench train` is not implemented yet).
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import time


def parse_rate(output: str) -> float | None:
    for line in reversed(output.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line).get("clips_per_s")
            except json.JSONDecodeError:
                continue
            if value is not None:
                return float(value)
    rates = re.findall(r"([0-9]+(?:\.[0-9]+)?)\s*clips/s", output)
    return float(rates[-1]) if rates else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cola", required=True, help="path of the cola executable")
    parser.add_argument("--encoder", choices=["cnn", "effnet"], required=True)
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--extra", default="", help="more arguments for `cola bench train`, space-separated")
    args = parser.parse_args()

    command = [args.cola, "bench", "train", "--encoder", args.encoder, "--batch", str(args.batch)]
    command += args.extra.split()
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    output = result.stdout + result.stderr
    rate = parse_rate(output) if result.returncode == 0 else None
    record = {
        "peer": "cola",
        "config": "cola",
        "encoder": args.encoder,
        "batch": args.batch,
        "command": " ".join(command),
        "supported": rate is not None,
        "exit_code": result.returncode,
        "wall_s": round(elapsed, 1),
        "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20, 3),
    }
    if rate is not None:
        record["clips_per_s"] = rate
        record.update(build_facts(args.extra.split(), args.encoder, args.batch))
    else:
        record["output_tail"] = output.strip().splitlines()[-3:]
    print(json.dumps(record))


def build_facts(extra: list[str], encoder: str, batch: int) -> dict:
    """The oneDNN version, ISA and convolution plan from the JSON `cola bench train` wrote
    (`--out DIR`, default benchmarks/results), so runs of different builds stay apart."""
    directory = extra[extra.index("--out") + 1] if "--out" in extra[:-1] else "benchmarks/results"
    try:
        with open(f"{directory}/train-{encoder}-b{batch}.json") as file:
            result = json.load(file)
    except (OSError, json.JSONDecodeError):
        return {}
    return {key: result[key] for key in ("onednn", "isa", "compute") if key in result}


if __name__ == "__main__":
    main()
