#!/usr/bin/env bash
# Every figure of benchmarks/README.md in one run, written to benchmarks/results/:
#   conv-ceiling-b64.json  the small CNN's 3×3 convolutions alone (cola bench conv)
#   peers.json             training step, Cola beside torch and TensorFlow (peers/run.sh)
#   distributed.json       1 vs 2 ranks × 1 thread, both encoders (cola bench allreduce --train)
#   gradcache.json         EfficientNet-B0 at B256 and B4096 with chunked recomputation, 1 rank
#   logmel.json            the audio front end beside the Python peers (cola bench logmel)
# Run on an otherwise idle machine: `./launch.sh bench` installs the peers and runs this.
# COLA_BIN defaults to the release build; ONLY="conv peers distributed gradcache logmel" picks parts.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
COLA_BIN="${COLA_BIN:-$(swift build -c release --show-bin-path)/cola}"
ONLY="${ONLY:-conv peers distributed gradcache logmel}"
results=benchmarks/results
mpi() {
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun --bind-to none "$@"
}
part() { [[ " $ONLY " == *" $1 "* ]]; }
echo "benchmarks with $COLA_BIN, load average $(cut -d' ' -f1-3 /proc/loadavg)"

if part conv; then
  "$COLA_BIN" bench conv --batch 64 --out "$results"
fi
if part peers; then
  COLA_BIN="$COLA_BIN" OUT="$results/peers.json" benchmarks/peers/run.sh
fi
if part distributed; then
  rm -f "$results/distributed.json"
  for encoder in cnn efficientnet_b0; do
    for ranks in 1 2; do
      mpi -np "$ranks" "$COLA_BIN" bench allreduce --train --encoder "$encoder" --local-batch 32 --steps 10 \
        --out "$results" | grep -E "allreduce .*4.00 MiB|training|efficiency"
    done
  done
fi
if part gradcache; then
  rm -f "$results/gradcache.json"
  for run in "256 0 4" "256 64 3" "4096 64 2"; do
    read -r batch chunk steps <<<"$run"
    mpi -np 1 "$COLA_BIN" bench allreduce --train --encoder efficientnet_b0 --threads 2 --buckets 4 \
      --local-batch "$batch" --chunk-size "$chunk" --steps "$steps" --out "$results" | grep training
  done
fi
if part logmel; then
  "$COLA_BIN" bench logmel --out "$results"
fi
