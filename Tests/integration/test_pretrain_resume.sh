#!/usr/bin/env bash
# A 2-rank run SIGKILLed (one rank) after checkpoint 4 and resumed from it reaches bit-identical
# parameters at step 6 to an uninterrupted run (same ranks, 1 thread each). SIGTERM writes a
# checkpoint at the next step boundary and exits 0. A corrupted checkpoint is refused on resume
# and the previous one is used.
set -euo pipefail
source "$(dirname "$0")/pretrain_common.sh"

pretrain 2 --run-dir "$scratch/whole" --steps 6 | grep -E '^step 6/6'

# Interrupted run: long enough to be killed mid-way.
pretrain 2 --run-dir "$scratch/killed" --steps 1000 > "$scratch/killed.log" 2>&1 &
launcher=$!
for _ in $(seq 600); do
  [ -d "$scratch/killed/checkpoints/step-000004" ] && break
  sleep 0.1
done
[ -d "$scratch/killed/checkpoints/step-000004" ] || fail "no checkpoint 4 appeared"
victim=""
for pid in $(pgrep -f -- "--run-dir $scratch/killed"); do
  [ "$(ps -o comm= -p "$pid")" = cola ] && victim=$pid
done
[ -n "$victim" ] || fail "no rank process found"
kill -KILL "$victim"
wait "$launcher" && fail "the job survived SIGKILL of rank pid $victim"
echo "SIGKILLed rank pid $victim after checkpoint 4"

pretrain 2 --run-dir "$scratch/killed" --steps 6 --resume "$scratch/killed/checkpoints/step-000004" \
  | grep -E '^resumed|^step 6/6'
"$COLA_BIN" inspect "$scratch/killed/checkpoints/step-000006" --compare "$scratch/whole/checkpoints/step-000006" \
  --tolerance 0 || fail "resumed parameters differ"

# SIGTERM (Slurm preemption) to every rank: checkpoint at the next step boundary, exit 0.
pretrain 2 --run-dir "$scratch/preempted" --steps 1000 > "$scratch/preempted.log" 2>&1 &
launcher=$!
for _ in $(seq 600); do
  [ -d "$scratch/preempted/checkpoints/step-000002" ] && break
  sleep 0.1
done
for pid in $(pgrep -f -- "--run-dir $scratch/preempted"); do
  [ "$(ps -o comm= -p "$pid")" = cola ] && kill -TERM "$pid"
done
wait "$launcher" || { cat "$scratch/preempted.log"; fail "SIGTERM did not exit 0"; }
grep -E 'termination signal' "$scratch/preempted.log" || fail "no preemption message"
"$COLA_BIN" inspect "$scratch/preempted" | grep -E '^step|^checksum status: ok'

# Corrupt the latest checkpoint: resume refuses it and continues from the one before.
latest=$(readlink -f "$scratch/killed/checkpoints/latest")
printf '\x00\x01' | dd of="$latest/model.bin" bs=1 seek=4096 conv=notrunc status=none
if "$COLA_BIN" inspect "$latest" > "$scratch/inspect.txt"; then fail "inspect accepted a corrupted checkpoint"; fi
grep -E 'REFUSED|^checksum status' "$scratch/inspect.txt"
pretrain 1 --run-dir "$scratch/killed" --steps 7 --resume > "$scratch/fallback.log" 2>&1
grep -E 'refusing .*step-000006.*checksum mismatch' "$scratch/fallback.log" || { cat "$scratch/fallback.log"; fail "no refusal"; }
grep -E '^resumed from .*step-000004' "$scratch/fallback.log" || fail "did not fall back to step 4"
