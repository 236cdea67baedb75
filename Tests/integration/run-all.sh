#!/usr/bin/env bash
# Runs every Tests/integration/test_*.sh against $COLA_BIN and prints "N passed, N failed".
set -uo pipefail
: "${COLA_BIN:?set COLA_BIN to the cola binary}"
COLA_BIN=$(realpath "$COLA_BIN")
export COLA_BIN
passed=0
failed=0
cd "$(dirname "$0")"
for test in test_*.sh; do
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
