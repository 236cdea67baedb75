#!/usr/bin/env bash
# Global negatives: 2 ranks × 4 clips give the loss and parameters of 1 rank × 8 clips after 5
# steps; local negatives on 2 ranks give those of 1 rank with local_groups=2 (the per-replica
# formula). Batch norm is frozen: per-rank batch statistics differ from whole-batch ones by design.
# Learning rate 1e-4 (the bilinear loss on 4-8 clips is chaotic at 1e-3 and amplifies rounding).
# Tolerances: loss relative 1e-4; parameters max |Δ| ≤ 5e-5 (half of one Adam step: Adam's m/√v
# turns float-rounding differences of near-zero gradients into up to ~lr per step).
# Direct convolutions: these bounds are set at direct convolution's rounding; Winograd's, ≈ 10×
# larger, moved the 5-step loss by 3.3e-3 (its gradients are held to direct ones by the unit tests).
set -euo pipefail
source "$(dirname "$0")/pretrain_common.sh"
frozen=(--set training.freeze_batch_norm=true --set training.learning_rate=0.0001 --set model.convolution=direct)

pretrain 1 --run-dir "$scratch/global-1x8" "${frozen[@]}" | grep -E '^step 5/5'
pretrain 2 --run-dir "$scratch/global-2x4" "${frozen[@]}" | grep -E '^step 5/5'
pretrain 2 --run-dir "$scratch/local-2x4" "${frozen[@]}" --set training.negatives=local | grep -E '^step 5/5'
pretrain 1 --run-dir "$scratch/local-1x8-groups2" "${frozen[@]}" --set training.negatives=local \
  --set training.local_groups=2 | grep -E '^step 5/5'

check() {
  local a=$1 b=$2
  python3 - "$a" "$b" <<'PY' || fail "loss of $a vs $b"
import json, sys
a, b = (json.loads(open(f"{d}/metrics.jsonl").read().splitlines()[-1]) for d in sys.argv[1:3])
rel = abs(a["loss"] - b["loss"]) / abs(b["loss"])
print(f"loss after step {a['step']}: {a['loss']:.7f} vs {b['loss']:.7f} (relative {rel:.2e}, tolerance 1e-4)")
assert a["step"] == b["step"] == 5 and rel <= 1e-4
assert sorted(a["items"]) == sorted(b["items"]), "same global batch"
PY
  "$COLA_BIN" inspect "$a" --compare "$b" --tolerance 5e-5 || fail "parameters of $a vs $b"
}
check "$scratch/global-2x4" "$scratch/global-1x8"
check "$scratch/local-2x4" "$scratch/local-1x8-groups2"
# Global and local negatives are different objectives: their losses must differ.
[ "$(last_metric "$scratch/global-2x4" loss)" != "$(last_metric "$scratch/local-2x4" loss)" ] || fail "global == local"

# GradCache on the real model: chunks of 2 clips give the parameters of no chunking (3 steps).
pretrain 1 --run-dir "$scratch/chunk-none" "${frozen[@]}" --steps 3 | grep -E '^step 3/3'
pretrain 1 --run-dir "$scratch/chunk-2" "${frozen[@]}" --steps 3 --set training.chunk_size=2 | grep -E '^step 3/3'
"$COLA_BIN" inspect "$scratch/chunk-2" --compare "$scratch/chunk-none" --tolerance 5e-5 || fail "GradCache differs"
