#!/usr/bin/env bash
# model.batch_norm=sync: batch-norm statistics summed over the ranks (forward and backward), so one
# step on 2 ranks × 4 clips computes the loss and the gradient of 1 rank × 8 clips; under GradCache,
# 2 ranks with chunks of 2 those of 1 rank with chunks of 4 (the loader deals clips to ranks by
# striding, so chunk k of both ranks holds the clips of the single rank's chunk k). With per-rank
# statistics (local) the 2-rank loss and gradient differ: the comparison can fail.
# Gradient = Adam's first moment after one step (0.1·g, in optimizer.bin). Parameters are not the
# measure here: Adam's first step is lr·g/(|g| + 1e-7), about lr·sign(g), so a float-rounding
# difference at a near-zero gradient moves a weight by 2·lr (2e-4 measured in blocks.2 after one
# step), and the max-pool near-ties that rounding flips make later steps diverge (loss 3.7e-5
# relative apart at step 2, 2.8e-4 at step 3).
# Measured on this data (AVX2, blocks of 8): sync 2×4 vs 1×8: loss 1.8e-6 relative, ‖Δg‖/‖g‖ 1.4e-3,
# all of it from block 2 down (blocks 3 and the head within 1e-5: one max-pool near-tie in block 2
# flips with the statistics' summation order; sync vs local on one rank, the same function, differ
# the same way, 1.1e-3); GradCache 2 ranks × 2 vs 1 × 4: 1.1e-5; local 2×4 vs sync 1×8: loss 2.5e-2,
# ‖Δg‖/‖g‖ 0.65.
set -euo pipefail
source "$(dirname "$0")/pretrain_common.sh"
one=(--set model.batch_norm=sync --set model.convolution=direct --steps 1)

pretrain 1 --run-dir "$scratch/sync-1x8" "${one[@]}" | grep -E '^step 1/1'
pretrain 2 --run-dir "$scratch/sync-2x4" "${one[@]}" | grep -E '^step 1/1'
pretrain 2 --run-dir "$scratch/local-2x4" "${one[@]}" --set model.batch_norm=local | grep -E '^step 1/1'
pretrain 1 --run-dir "$scratch/sync-1x8-chunk4" "${one[@]}" --set training.chunk_size=4 | grep -E '^step 1/1'
pretrain 2 --run-dir "$scratch/sync-2x4-chunk2" "${one[@]}" --set training.chunk_size=2 | grep -E '^step 1/1'
grep -q "batch norm sync" "$scratch/sync-2x4/train.log" || fail "train.log does not state batch norm sync"

# Run A's step-1 loss and gradient against run B's: COMPARISON is "equal" (loss within 1e-5
# relative, ‖Δg‖/‖g‖ within 1e-2) or "different" (loss beyond 1e-3, ‖Δg‖/‖g‖ beyond 0.1).
compare_step() {
  python3 - "$1" "$2" "$3" <<'PY' || fail "$3: $1 vs $2"
import array, json, math, struct, sys
a, b, comparison = sys.argv[1:4]
def loss(run):
    lines = [json.loads(line) for line in open(f"{run}/metrics.jsonl")]
    assert len(lines) == 1, "one step"
    return lines[0]["loss"], sorted(lines[0]["items"])
def gradient(run):
    data = open(f"{run}/checkpoints/step-000001/optimizer.bin", "rb").read()
    assert data[:8] == b"COLAADAM", "optimizer.bin magic"
    step, count = struct.unpack_from("<qq", data, 12)
    assert step == 1
    moment = array.array("f")
    moment.frombytes(data[28:28 + 4 * count])
    return moment
(la, ia), (lb, ib) = loss(a), loss(b)
assert ia == ib, "same global batch"
ga, gb = gradient(a), gradient(b)
loss_rel = abs(la - lb) / abs(lb)
grad_rel = math.sqrt(sum((x - y) ** 2 for x, y in zip(ga, gb)) / sum(y * y for y in gb))
print(f"{comparison}: loss {la:.7f} vs {lb:.7f} (relative {loss_rel:.2e}), ‖Δg‖/‖g‖ {grad_rel:.2e}")
if comparison == "equal":
    assert loss_rel <= 1e-5 and grad_rel <= 1e-2
else:
    assert loss_rel > 1e-3 and grad_rel > 0.1
PY
}
compare_step "$scratch/sync-2x4" "$scratch/sync-1x8" equal
compare_step "$scratch/sync-2x4-chunk2" "$scratch/sync-1x8-chunk4" equal
compare_step "$scratch/local-2x4" "$scratch/sync-1x8" different
