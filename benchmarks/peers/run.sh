#!/usr/bin/env bash
# Peer training benchmarks in one run, and Cola's `bench train` beside them when COLA_BIN is set:
# for each encoder and batch, torch NCHW, torch channels-last, torch channels-last + jemalloc
# (the best peer, benchmarks/README.md) and TensorFlow graph mode, 2 threads each. Writes $OUT and prints a
# table with Cola's ratio to the best peer.
#
#   benchmarks/peers/run.sh                                  # B64 and B256, both encoders
#   COLA_BIN=.build/release/cola benchmarks/peers/run.sh
#   BATCHES=8 STEPS=2 WARMUP=1 OUT=/tmp/peers-smoke.json benchmarks/peers/run.sh   # smoke test
#
# Rates are B / median step time, as cola bench train reports them.
# Knobs: ENCODERS ("cnn effnet"), BATCHES ("64 256"), CONFIGS ("torch-nchw torch-cl
# torch-cl-jemalloc tf"), STEPS (timed steps; default 10 at B<=64, 4 above), WARMUP (2),
# THREADS (2), COLA_ARGS (more arguments for cola bench train), NOTE (stored in the JSON).
# Needs: pip torch==2.13.0 (CPU wheel) and tensorflow-cpu; apt libjemalloc2.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
ENCODERS="${ENCODERS:-cnn effnet}"
BATCHES="${BATCHES:-64 256}"
CONFIGS="${CONFIGS:-torch-nchw torch-cl torch-cl-jemalloc tf}"
WARMUP="${WARMUP:-2}"
THREADS="${THREADS:-2}"
OUT="${OUT:-$root/benchmarks/results/peers.json}"
NOTE="${NOTE:-}"
JEMALLOC="${JEMALLOC:-/usr/lib/x86_64-linux-gnu/libjemalloc.so.2}"
JEMALLOC_CONF="oversize_threshold:1,background_thread:true,metadata_thp:auto,dirty_decay_ms:-1,muzzy_decay_ms:-1"

export OMP_NUM_THREADS="$THREADS" TF_CPP_MIN_LOG_LEVEL=2
lines="$(mktemp /tmp/peers.XXXXXX.jsonl)"
cola_out="$(mktemp -d /tmp/peers-cola.XXXXXX)"  # cola bench train's own JSON files
load_before="$(cut -d' ' -f1 /proc/loadavg)"
echo "peers run: encoders [$ENCODERS] batches [$BATCHES] configs [$CONFIGS], load average $load_before"

run_one() {  # label, command...: appends the command's JSON line, or reports its failure
    local label="$1"; shift
    local output
    if output="$("$@" 2>/tmp/peers.stderr.$$)"; then
        echo "$output" | grep '^{' | tail -1 | tee -a "$lines"
    else
        echo "  $label failed: $(tail -2 /tmp/peers.stderr.$$ | tr '\n' ' ')" >&2
    fi
}

for encoder in $ENCODERS; do
    for batch in $BATCHES; do
        steps="${STEPS:-$([ "$batch" -le 64 ] && echo 10 || echo 4)}"
        common=(--encoder "$encoder" --batch "$batch" --threads "$THREADS" --warmup "$WARMUP" --steps "$steps")
        echo "== $encoder B$batch ($WARMUP warm-up + $steps timed steps)"
        if [ -n "${COLA_BIN:-}" ]; then
            run_one cola python3 "$here/cola_train.py" --cola "$COLA_BIN" --encoder "$encoder" --batch "$batch" \
                --extra "--threads $THREADS --warmup $WARMUP --steps $steps --out $cola_out ${COLA_ARGS:-}"
        fi
        for config in $CONFIGS; do
            case "$config" in
            torch-nchw) run_one "$config" python3 "$here/torch_train.py" "${common[@]}" ;;
            torch-cl) run_one "$config" python3 "$here/torch_train.py" "${common[@]}" --channels-last ;;
            torch-cl-jemalloc)
                if [ -f "$JEMALLOC" ]; then
                    run_one "$config" env LD_PRELOAD="$JEMALLOC" MALLOC_CONF="$JEMALLOC_CONF" \
                        python3 "$here/torch_train.py" "${common[@]}" --channels-last
                else
                    echo "  $config skipped: $JEMALLOC missing (apt-get install libjemalloc2)" >&2
                fi ;;
            tf) run_one "$config" python3 "$here/tf_train.py" "${common[@]}" ;;
            *) echo "unknown config $config" >&2; exit 2 ;;
            esac
        done
    done
done
rm -f /tmp/peers.stderr.$$
python3 "$here/summarize.py" "$lines" --out "$OUT" --load-before "$load_before" --note "$NOTE"
rm -rf "$lines" "$cola_out"
