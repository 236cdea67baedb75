#!/usr/bin/env bash
# Two ranks check allreduce (blocking and not), broadcast, allgather and reduce-scatter on
# rank-dependent values from 1 element to 16 Mi elements; then again with messages split
# into 65,521-element pieces so sizes are never multiples of the split.
set -euo pipefail
source "$(dirname "$0")/mpi.sh"
for max_message in 268435456 65521; do
  out=$(mpi 2 "$COLA_BIN" doctor --no-kernels --collectives --max-message "$max_message")
  echo "$out" | grep -E '^\[rank|^collectives'
  [ "$(echo "$out" | grep -c '^\[rank')" -eq 2 ] || { echo "expected a line per rank"; exit 1; }
  echo "$out" | grep -q '^collectives: 30 passed, 0 failed$' || { echo "$out"; exit 1; }
  [ "$(echo "$out" | grep -c 'ranks=2: ok$')" -eq 30 ] || { echo "$out"; exit 1; }
done
