#!/usr/bin/env bash
# A sweep killed after its first member resumes without redoing it: tiny stand-ins, a 2-member
# sweep (batch 4 and 8, 2 steps each, 2 ranks under the launcher of the MPI cola links, the spcv1
# transfer task), killed once the first member is finished and the second has its first
# checkpoint; the rerun must skip the first member (its files untouched), resume the second with
# --resume, and write summary.json, summary.md and both plots.
set -euo pipefail
work=$(mktemp -d)
cleanup() {
  [ -z "${sweep_pid:-}" ] || kill -TERM -- "-$sweep_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export XDG_CACHE_HOME="$work/cache"

"$COLA_BIN" data standins --size tiny --out "$work/data" --tasks pretrain,spcv1 >"$work/standins.log" 2>&1 \
  || { cat "$work/standins.log"; exit 1; }
cat >"$work/base.yaml" <<YAML
name: resume-base
data:
  manifest: $work/data/pretrain/segments.csv
  audio_root: $work/data/pretrain/audio
model:
  encoder: cnn
training:
  batch_size: 4
  steps: 3
  threads_per_rank: 1
  checkpoint_every: 1
  log_every: 1
evaluation:
  tasks: [spcv1]
  data_root: $work/data
YAML
cat >"$work/sweep.yaml" <<YAML
sweep:
  name: resume
  base_config: base.yaml
  batch_sizes: [4, 8]
  steps: 2
  ranks: 2
  run_dir: $work/runs/resume
  eval_arguments: [--no-floors, --train-windows, "1", --bootstrap, "100"]
YAML
runs="$work/runs/resume"

# First run, in its own process group, killed as soon as member b4 is finished.
setsid "$COLA_BIN" sweep --config "$work/sweep.yaml" >"$work/first.log" 2>&1 &
sweep_pid=$!
for _ in $(seq 1 600); do
  [ -s "$runs/b4/eval/results.json" ] && break
  kill -0 "$sweep_pid" 2>/dev/null || break
  sleep 0.2
done
[ -s "$runs/b4/eval/results.json" ] || { echo "first member never finished"; cat "$work/first.log"; exit 1; }
# One 2-rank job, not two single-rank ones (what the other MPI's launcher would start).
grep -q ': 2 rank(s) × 2 clips = batch 4' "$work/first.log" || { echo "b4 did not train on 2 ranks:"; cat "$work/first.log"; exit 1; }
# Kill during b8's pretraining, once it has written its first checkpoint (if it gets that far).
for _ in $(seq 1 300); do
  compgen -G "$runs/b8/checkpoints/step-*" >/dev/null && break
  kill -0 "$sweep_pid" 2>/dev/null || break
  sleep 0.1
done
kill -TERM -- "-$sweep_pid" 2>/dev/null || true
# The sweep passes SIGTERM to mpirun (its own process group) and waits for it: nothing may be left.
first_exit=0
wait "$sweep_pid" 2>/dev/null || first_exit=$?
sweep_pid=""
[ "$first_exit" -ne 0 ] || { echo "an interrupted sweep must exit non-zero"; exit 1; }
sleep 1
if pgrep -f "$work/base.yaml" >/dev/null; then echo "pretrain processes outlived the sweep:"; pgrep -af "$work/base.yaml"; exit 1; fi
first_status=$("$COLA_BIN" sweep --config "$work/sweep.yaml" --list)
echo "after the kill:"
echo "$first_status"
echo "$first_status" | grep -qP '^0\tb4\t.*\tfinished$' || { echo "b4 should be finished"; exit 1; }
echo "$first_status" | grep -qP '^1\tb8\t.*\tfinished$' && echo "note: b8 finished before the kill; the rerun still must redo nothing"
b8_had_checkpoints=$(compgen -G "$runs/b8/checkpoints/step-*" >/dev/null && echo yes || echo no)
before=$(stat -c %Y.%s "$runs/b4/eval/results.json" "$runs/b4/metrics.jsonl")

# Second run: b4 skipped, b8 completed.
timeout 300 "$COLA_BIN" sweep --config "$work/sweep.yaml" >"$work/second.log" 2>&1 || { cat "$work/second.log"; exit 1; }
grep -E '^==> ' "$work/second.log"
grep -q 'b4 .*finished earlier, skipped' "$work/second.log" || { echo "b4 was not skipped"; exit 1; }
if grep -q 'b4 .*: pretraining\|b4 .*: transfer suite' "$work/second.log"; then echo "b4 was redone"; exit 1; fi
if [ "$b8_had_checkpoints" = yes ] && ! echo "$first_status" | grep -qP '^1\tb8\t.*\tfinished$'; then
  grep -q 'b8 .*pretraining (resuming from checkpoints)' "$work/second.log" || { echo "b8 did not resume"; exit 1; }
fi
[ "$before" = "$(stat -c %Y.%s "$runs/b4/eval/results.json" "$runs/b4/metrics.jsonl")" ] || { echo "b4's files changed"; exit 1; }
[ "$(grep -c '"status" : "finished"' "$runs/summary.json")" -eq 2 ] || { cat "$runs/summary.json"; exit 1; }
for file in summary.md plots/accuracy_vs_negatives.svg plots/loss_curves.svg; do
  [ -s "$runs/$file" ] || { echo "missing $file"; exit 1; }
done
[ "$(grep -c '<polyline' "$runs/plots/loss_curves.svg")" -eq 2 ] || { echo "expected 2 loss curves"; exit 1; }
"$COLA_BIN" report "$runs" >/dev/null
echo "sweep resume: b4 skipped, b8 completed, summary and plots written"
