#!/usr/bin/env python3
"""Turns the JSON lines of one run.sh run into benchmarks/results/peers*.json and prints a table
with the best peer per (encoder, batch) and Cola's ratio to it."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import time
from pathlib import Path

GFLOP_PER_CLIP = {"cnn": 4.12, "effnet": 0.57}  # forward + backward, anchor + positive


def machine() -> dict:
    def run(command: str) -> str:
        return subprocess.run(command, shell=True, capture_output=True, text=True).stdout.strip()

    return {
        "cpu": run("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip(),
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("lines", type=Path, help="JSON lines written by run.sh")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--load-before", type=float, required=True, help="1-minute load average at the start")
    parser.add_argument("--note", default="")
    args = parser.parse_args()

    results = [json.loads(line) for line in args.lines.read_text().splitlines() if line.startswith("{")]
    keys = sorted({(r["encoder"], r["batch"]) for r in results})
    table = []
    for encoder, batch in keys:
        rows = [r for r in results if (r["encoder"], r["batch"]) == (encoder, batch)]
        peers = [r for r in rows if r["peer"] != "cola" and "clips_per_s" in r]
        best = max(peers, key=lambda r: r["clips_per_s"], default=None)
        cola = next((r for r in rows if r["peer"] == "cola" and r.get("supported")), None)
        entry = {
            "encoder": encoder,
            "batch": batch,
            "best_peer": best["config"] if best else None,
            "best_peer_clips_per_s": best["clips_per_s"] if best else None,
            "cola_clips_per_s": cola["clips_per_s"] if cola else None,
        }
        if best and cola:
            entry["cola_over_best_peer"] = round(cola["clips_per_s"] / best["clips_per_s"], 2)
        table.append(entry)

    document = {
        "what": "training step (forward + backward + Adam), 2 threads, B clips per step, a clip = anchor + positive (encoder sees 2B 96x64 inputs)",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "load_average_1min_before": args.load_before,
        "load_average_1min_after": os.getloadavg()[0],
        "note": args.note,
        "gflop_per_clip": GFLOP_PER_CLIP,
        "summary": table,
        "runs": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n")

    print(f"\n{'encoder':8s} {'batch':>5s}  {'config':34s} {'clips/s':>8s} {'GFLOP/s':>8s} {'peak RSS GiB':>12s}")
    for r in results:
        rate = r.get("clips_per_s")
        shown = f"{rate:8.1f} {rate * GFLOP_PER_CLIP[r['encoder']]:8.0f}" if rate else f"{'n/a':>8s} {'':8s}"
        print(f"{r['encoder']:8s} {r['batch']:5d}  {r['config']:34s} {shown} {r.get('peak_rss_gib', 0):12.2f}")
    print()
    for e in table:
        ratio = f"  cola / best peer = {e['cola_over_best_peer']:.2f}" if "cola_over_best_peer" in e else ""
        print(f"{e['encoder']} B{e['batch']}: best peer {e['best_peer']} {e['best_peer_clips_per_s']} clips/s{ratio}")
    print(f"\nwrote {args.out} (load average before {args.load_before:.1f}, after {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
