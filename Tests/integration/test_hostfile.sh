#!/usr/bin/env bash
# The cluster/hostfile.example path on this machine: a hostfile with localhost slots, ranks placed
# by it (no --oversubscribe), and the collectives checked across them. Open MPI refuses more ranks
# than slots; MPICH's launcher (hydra) places them round-robin instead, so that part is Open MPI's.
set -euo pipefail
source "$(dirname "$0")/mpi.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
hostfile_line localhost 2 > "$work/hostfile"

out=$(mpi 2 --hostfile "$work/hostfile" "$COLA_BIN" doctor --no-kernels --collectives --max-message 65521)
echo "$out" | grep -E '^\[rank|^collectives'
[ "$(echo "$out" | grep -c '^\[rank')" -eq 2 ] || { echo "expected a line per rank"; exit 1; }
echo "$out" | grep -q '^collectives: 30 passed, 0 failed$' || { echo "$out"; exit 1; }

if [ "${COLA_MPI:-openmpi}" = mpich ]; then
  echo "hostfile: 2 ranks on '$(cat "$work/hostfile")' ok"
  exit 0
fi
# A hostfile with fewer slots than ranks must be refused rather than oversubscribed silently.
hostfile_line localhost 1 > "$work/hostfile-1"
if mpi 2 --hostfile "$work/hostfile-1" "$COLA_BIN" doctor --no-kernels >/dev/null 2>&1; then
  echo "2 ranks on a 1-slot hostfile should fail"
  exit 1
fi
echo "hostfile: 2 ranks on 'localhost slots=2' ok; 1-slot hostfile refused"
