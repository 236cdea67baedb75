#!/usr/bin/env bash
# Runs Tests/integration/test_*.sh against $COLA_BIN and prints "N passed, N failed": every one, or
# the ones named as arguments (e.g. `run-all.sh test_pretrain_resume.sh`). COLA_MPI=mpich runs them
# under MPICH's launcher (mpi.sh).
set -uo pipefail
: "${COLA_BIN:?set COLA_BIN to the cola binary}"
COLA_BIN=$(realpath "$COLA_BIN")
export COLA_BIN
passed=0
failed=0
cd "$(dirname "$0")"
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(test_*.sh)
for test in "${tests[@]}"; do
  echo "--- $test"
  if bash "$test"; then
    passed=$((passed + 1))
    echo "--- $test: passed"
  else
    failed=$((failed + 1))
    echo "--- $test: FAILED"
  fi
done
echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
