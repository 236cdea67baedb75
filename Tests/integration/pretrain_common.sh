# Sourced by test_pretrain_*.sh: tiny sox data, a scratch folder, and `pretrain NP ARGS...`
# running `cola pretrain` on the tiny config with --check-sync and item ids logged.
source "$(dirname "${BASH_SOURCE[0]}")/mpi.sh"
# Waiting ranks yield the CPU instead of spinning (the test machine is shared and oversubscribed).
export OMPI_MCA_mpi_yield_when_idle=1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
scratch=$(mktemp -d /tmp/cola-pretrain-test.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
data="$scratch/data"
bash "$here/pretrain_data.sh" "$data" 48
config="$here/configs/pretrain-tiny.yaml"

pretrain() {
  local ranks=$1
  shift
  mpi "$ranks" "$COLA_BIN" pretrain --config "$config" --data-root "$data" --check-sync --log-items "$@"
}

# The last metrics line's value of KEY in run directory DIR.
last_metric() {
  tail -1 "$1/metrics.jsonl" | python3 -c "import json,sys; print(json.load(sys.stdin)['$2'])"
}

fail() {
  echo "FAILED: $*"
  exit 1
}
