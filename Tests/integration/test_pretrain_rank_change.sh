#!/usr/bin/env bash
# A run on 2 ranks stopped after step 4 resumes on 1 rank (same global batch 8, 48 clips = 6 steps
# per epoch) and trains two epochs: every clip appears exactly once per epoch, by item id.
set -euo pipefail
source "$(dirname "$0")/pretrain_common.sh"

pretrain 2 --run-dir "$scratch/run" --steps 4 | grep -E '^step 4/4'
pretrain 1 --run-dir "$scratch/run" --steps 12 --resume | grep -E '^resumed|^step 12/12'
python3 - "$scratch/run/metrics.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
steps = [l["step"] for l in lines]
assert steps == list(range(1, 13)), f"one metrics line per step: {steps}"
for epoch in range(2):
    items = [i for l in lines[epoch * 6:(epoch + 1) * 6] for i in l["items"]]
    assert sorted(items) == list(range(48)), f"epoch {epoch}: {sorted(items)}"
    print(f"epoch {epoch}: 48 clips, each exactly once (ranks 2 then 1 across step 4)")
PY
