#!/usr/bin/env bash
# Cola's one entry point on a Debian machine: installs what is missing, builds, tests, runs.
#   ./launch.sh demo       install, build release, stand-in data, 2-rank pretrain, transfer suite
#   ./launch.sh test       install, build, swift test, 2-rank mpirun integration tests (on an AVX-512
#                          CPU, all again with oneDNN capped to AVX2: what an AVX2 node runs)
#   ./launch.sh setup      install system packages and build release only
#   ./launch.sh pretrain --config configs/demo.yaml [cola pretrain options]   (NP=ranks, default: cores)
#   ./launch.sh bench      install the peers (CPU torch, TensorFlow, jemalloc), every benchmark
#   ./launch.sh help
# Safe to run twice: packages already installed are not reinstalled, builds are incremental.
# Release builds are tuned for this CPU; COLA_CPU=portable builds for any x86-64 CPU with AVX2 and
# FMA (Haswell, Zen 1 and later), for clusters whose nodes differ (cluster/README.md).
set -euo pipefail
cd "$(dirname "$0")"

# Libraries Cola links (MPI, BLAS, audio decoding, convolution engine, FFT, resampling) and the
# programs `cola data standins` drives to synthesize offline data.
SYSTEM_PACKAGES=(
  pkg-config libopenmpi-dev openmpi-bin libopenblas-dev libsndfile1-dev libdnnl-dev
  libfftw3-dev libsoxr-dev
)
DATA_PACKAGES=(
  sox espeak-ng fluidsynth fluid-soundfont-gm timgm6mb-soundfont megaglest-data sonic-pi-samples hydrogen-data
)

# What the benchmarks run beside Cola: jemalloc for the best torch configuration (PEERS.md); the
# Python peers come from benchmarks/requirements.txt.
PEER_PACKAGES=(libjemalloc2 python3-pip python3-venv)

case "${COLA_CPU:-native}" in
  native) RELEASE_FLAGS=(-c release -Xswiftc -target-cpu -Xswiftc native -Xcc -march=native) ;;
  portable) RELEASE_FLAGS=(-c release -Xswiftc -target-cpu -Xswiftc haswell -Xcc -march=x86-64-v3 --scratch-path .build-portable) ;;
  *) echo "COLA_CPU must be native or portable, not ${COLA_CPU}" >&2; exit 2 ;;
esac
CORES=$(nproc)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

require_swift() {
  if ! command -v swift >/dev/null 2>&1; then
    cat >&2 <<'MSG'
swift was not found. Cola needs the Swift 6 toolchain for Linux:
  download it from swift.org (Install > Linux > Debian 12), unpack it, e.g. under /opt/swift,
  and put /opt/swift/usr/bin on your PATH; then run this command again.
MSG
    exit 1
  fi
}

install_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build_release() {
  say "building release (${COLA_CPU:-native}: $([ "${COLA_CPU:-native}" = native ] && echo "tuned for this CPU" || echo "any x86-64 CPU with AVX2"))"
  swift build "${RELEASE_FLAGS[@]}"
}

release_binary() { swift build "${RELEASE_FLAGS[@]}" --show-bin-path; }

# mpirun with the flags this machine needs: root permission, oversubscription, no core binding
# (ranks run several threads; Open MPI would pin each rank to one core).
run_mpi() {
  local ranks=$1
  shift
  local flags=(-np "$ranks" --bind-to none)
  [ "$(id -u)" -ne 0 ] || flags+=(--allow-run-as-root)
  [ "$ranks" -le "$CORES" ] || flags+=(--oversubscribe)
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none \
    mpirun "${flags[@]}" "$@"
}

command_setup() {
  require_swift
  install_packages "${SYSTEM_PACKAGES[@]}"
  build_release
}

# swift test and the integration tests, labelled with the oneDNN ISA they run at.
run_tests() {
  local level=$1
  say "swift test ($level)"
  swift test --disable-swift-testing
  say "integration tests under mpirun ($level)"
  COLA_BIN="$(swift build --show-bin-path)/cola" Tests/integration/run-all.sh
}

command_test() {
  require_swift
  install_packages "${SYSTEM_PACKAGES[@]}" "${DATA_PACKAGES[@]}"
  say "swift build (debug, portable)"
  swift build
  if grep -qw avx512f /proc/cpuinfo; then
    run_tests "native: AVX-512"
    # oneDNN reads ONEDNN_MAX_CPU_ISA (DNNL_MAX_CPU_ISA before 2.5) at its first use in a process.
    ONEDNN_MAX_CPU_ISA=AVX2 DNNL_MAX_CPU_ISA=AVX2 run_tests "oneDNN capped to AVX2"
  else
    run_tests "native: AVX2, no AVX-512 on this CPU"
  fi
}

command_demo() {
  require_swift
  install_packages "${SYSTEM_PACKAGES[@]}" "${DATA_PACKAGES[@]}"
  build_release
  local cola started
  cola="$(release_binary)/cola"
  started=$(date +%s)
  say "1/3 stand-in data (small) in data/standins-small: speech, music and environment sounds from Debian packages"
  "$cola" data standins --size small --out data/standins-small
  say "2/3 COLA pretraining of the small CNN on 2 ranks with global negatives (configs/demo.yaml)"
  say "    then rank 0 runs the transfer suite with the log-mel and random-encoder floors beside it"
  run_mpi 2 "$cola" pretrain --config configs/demo.yaml --resume
  say "3/3 results (runs/demo/eval/results.md), after $(( ($(date +%s) - started) / 60 )) minutes"
  cat runs/demo/eval/results.md
  "$cola" report runs/demo >/dev/null && echo "loss curve: runs/demo/plots/loss_curve.svg, report: runs/demo/report.md"
}

command_pretrain() {
  require_swift
  install_packages "${SYSTEM_PACKAGES[@]}"
  build_release
  run_mpi "${NP:-$CORES}" "$(release_binary)/cola" pretrain "$@"
}

# The Python peers: already importable, else pip into this Python, else (Debian's system Python is
# externally managed) into the virtual environment .venv-peers, put first on PATH.
install_peers() {
  [ -x .venv-peers/bin/python3 ] && export PATH="$PWD/.venv-peers/bin:$PATH"
  python3 -c "import torch, tensorflow, scipy, librosa" 2>/dev/null && return 0
  say "peers: pip install -r benchmarks/requirements.txt (CPU torch needs PIP_FIND_LINKS at its wheel)"
  if ! python3 -m pip install -q -r benchmarks/requirements.txt; then
    say "this Python is externally managed: installing the peers into .venv-peers"
    python3 -m venv .venv-peers
    .venv-peers/bin/pip install -q -r benchmarks/requirements.txt
    export PATH="$PWD/.venv-peers/bin:$PATH"
  fi
}

command_bench() {
  require_swift
  install_packages "${SYSTEM_PACKAGES[@]}" "${PEER_PACKAGES[@]}"
  install_peers
  build_release
  say "every benchmark (about 15 minutes; keep the machine otherwise idle)"
  COLA_BIN="$(release_binary)/cola" benchmarks/run-all.sh "$@"
}

command_help() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }

case "${1:-help}" in
  setup) shift; command_setup "$@" ;;
  test) shift; command_test "$@" ;;
  demo) shift; command_demo "$@" ;;
  pretrain) shift; command_pretrain "$@" ;;
  bench) shift; command_bench "$@" ;;
  help | -h | --help) command_help ;;
  *) echo "unknown command: $1" >&2; command_help >&2; exit 2 ;;
esac
