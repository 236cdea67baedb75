#!/usr/bin/env bash
# Global negatives: 2 ranks × 4 clips give the loss and parameters of 1 rank × 8 clips after 5
# steps; local negatives on 2 ranks give those of 1 rank with local_groups=2 (the per-replica
# formula): the loss of every one of 3 steps, and the parameters after 1 step. Batch norm is
# frozen: per-rank batch statistics differ from whole-batch ones by design.
# Learning rate 1e-4 (the bilinear loss on 4-8 clips is chaotic at 1e-3 and amplifies rounding).
# Tolerances: loss relative 1e-4; parameters max |Δ| ≤ 5e-5 (half of one Adam step: Adam's m/√v
# turns float-rounding differences of near-zero gradients into up to ~lr per step).
# Local negatives over groups of 4 clips leave many gradients near Adam's ε, where rounding alone
# flips a step's sign: on AVX2 (blocks of 8 channels) a blocks.2 weight differed by 8e-5 after step
# 2 and the loss by 1e-3 at step 4, while step 1's parameters agreed within 2.4e-6 and the losses of
# steps 1–3 within 2e-6: past one step, parameters would only bound Adam's amplification.
# Direct convolutions: these bounds are set at direct convolution's rounding; Winograd's, ≈ 10×
# larger, moved the 5-step loss by 3.3e-3 (its gradients are held to direct ones by the unit tests).
set -euo pipefail
source "$(dirname "$0")/pretrain_common.sh"
frozen=(--set model.batch_norm=frozen --set training.learning_rate=0.0001 --set model.convolution=direct)

pretrain 1 --run-dir "$scratch/global-1x8" "${frozen[@]}" | grep -E '^step 5/5'
pretrain 2 --run-dir "$scratch/global-2x4" "${frozen[@]}" | grep -E '^step 5/5'
local=(--set training.negatives=local)
pretrain 2 --run-dir "$scratch/local-2x4" "${frozen[@]}" "${local[@]}" --steps 3 | grep -E '^step 3/3'
pretrain 1 --run-dir "$scratch/local-1x8-groups2" "${frozen[@]}" "${local[@]}" --set training.local_groups=2 --steps 3 \
  | grep -E '^step 3/3'
pretrain 2 --run-dir "$scratch/local-2x4-step1" "${frozen[@]}" "${local[@]}" --steps 1 | grep -E '^step 1/1'
pretrain 1 --run-dir "$scratch/local-1x8-groups2-step1" "${frozen[@]}" "${local[@]}" --set training.local_groups=2 --steps 1 \
  | grep -E '^step 1/1'

# Every step's loss of run A within 1e-4 (relative) of run B's, over the same global batches.
check_losses() {
  local a=$1 b=$2 steps=$3
  python3 - "$a" "$b" "$steps" <<'PY' || fail "losses of $a vs $b"
import json, sys
a, b = ([json.loads(line) for line in open(f"{d}/metrics.jsonl")] for d in sys.argv[1:3])
assert len(a) == len(b) == int(sys.argv[3]), "step counts"
for x, y in zip(a, b):
    rel = abs(x["loss"] - y["loss"]) / abs(y["loss"])
    print(f"loss at step {x['step']}: {x['loss']:.7f} vs {y['loss']:.7f} (relative {rel:.2e}, tolerance 1e-4)")
    assert rel <= 1e-4
    assert sorted(x["items"]) == sorted(y["items"]), "same global batch"
PY
}
compare_parameters() { "$COLA_BIN" inspect "$1" --compare "$2" --tolerance 5e-5 || fail "parameters of $1 vs $2"; }
check_losses "$scratch/global-2x4" "$scratch/global-1x8" 5
compare_parameters "$scratch/global-2x4" "$scratch/global-1x8"
check_losses "$scratch/local-2x4" "$scratch/local-1x8-groups2" 3
compare_parameters "$scratch/local-2x4-step1" "$scratch/local-1x8-groups2-step1"
# Global and local negatives are different objectives: their losses must differ.
[ "$(last_metric "$scratch/global-2x4" loss)" != "$(last_metric "$scratch/local-2x4" loss)" ] || fail "global == local"

# GradCache on the real model: chunks of 2 clips give the parameters of no chunking (3 steps).
pretrain 1 --run-dir "$scratch/chunk-none" "${frozen[@]}" --steps 3 | grep -E '^step 3/3'
pretrain 1 --run-dir "$scratch/chunk-2" "${frozen[@]}" --steps 3 --set training.chunk_size=2 | grep -E '^step 3/3'
"$COLA_BIN" inspect "$scratch/chunk-2" --compare "$scratch/chunk-none" --tolerance 5e-5 || fail "GradCache differs"
