#!/usr/bin/env bash
# Config and manifest errors stop every rank before training, each rank naming the problem.
set -euo pipefail
source "$(dirname "$0")/pretrain_common.sh"

expect_failure() {
  local pattern=$1
  shift
  if pretrain 2 --run-dir "$scratch/bad" "$@" > "$scratch/out.txt" 2>&1; then fail "accepted: $*"; fi
  [ "$(grep -cE "^cola pretrain: rank [01]: .*$pattern" "$scratch/out.txt")" -eq 2 ] \
    || { cat "$scratch/out.txt"; fail "expected '$pattern' from both ranks"; }
  grep -m1 -E "^cola pretrain: rank 0" "$scratch/out.txt"
}
expect_failure 'training.bach: unknown key' --set training.bach=3
expect_failure 'training.steps: expected an integer' --set training.steps=many
expect_failure 'not divisible by the 2 ranks' --batch 7
expect_failure 'segments.csv does not exist' --data-root "$scratch/nowhere"
[ ! -d "$scratch/bad/checkpoints" ] || fail "a failed start wrote checkpoints"
