#!/usr/bin/env bash
# Cola's one entry point on a Debian machine: installs what is missing, builds, tests, runs.
#   ./launch.sh demo       install, build release, stand-in data, 2-rank pretrain, transfer suite
#   ./launch.sh test       install, build, swift test, 2-rank mpirun integration tests; on an AVX-512
#                          CPU again with oneDNN capped to AVX2 (what an AVX2 node runs); then the
#                          tests each other combination changes: oneDNN 3.2 (PyPI) and MPICH, and
#                          both; --onednn PREFIX: all tests on that oneDNN only
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
# The other combinations `./launch.sh test` builds: MPICH beside Open MPI (each package keeps its
# own launcher, mpirun.mpich and mpirun.openmpi), and a venv for oneDNN 3.x from PyPI.
MATRIX_PACKAGES=(libmpich-dev mpich python3-venv)
# oneDNN 3.2 with GNU OpenMP (the runtime Debian's 2.6 uses too), headers and library.
ONEDNN3_WHEELS=(onednn-cpu-gomp==2023.2.0 onednn-devel-cpu-gomp==2023.2.0)
ONEDNN3_PREFIX=.venv-onednn3
# The Python package's parity test (python/tests/test_parity.py) runs in this venv: CPU torch,
# numpy, safetensors, soundfile (python/requirements-test.txt).
HEAR_VENV=.venv-hear
DATA_PACKAGES=(
  sox espeak-ng fluidsynth fluid-soundfont-gm timgm6mb-soundfont megaglest-data sonic-pi-samples hydrogen-data
)

# What the benchmarks run beside Cola: jemalloc for the best torch configuration (benchmarks/README.md); the
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

# The launcher of the MPI cola was built with (COLA_MPI: openmpi, the default, or mpich), by its
# own name (Debian's `mpirun` is whichever the alternatives system picked), with the flags this
# machine needs: no core binding (ranks run several threads; Open MPI would pin each rank to one
# core), and for Open MPI root permission and oversubscription past the cores.
run_mpi() {
  local ranks=$1
  shift
  if [ "${COLA_MPI:-openmpi}" = mpich ]; then
    mpirun.mpich -np "$ranks" -bind-to none "$@"
    return
  fi
  local flags=(-np "$ranks" --bind-to none)
  [ "$(id -u)" -ne 0 ] || flags+=(--allow-run-as-root)
  [ "$ranks" -le "$CORES" ] || flags+=(--oversubscribe)
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none \
    "$(command -v mpirun.openmpi || echo mpirun)" "${flags[@]}" "$@"
}

command_setup() {
  require_swift
  install_packages "${SYSTEM_PACKAGES[@]}"
  build_release
}

# oneDNN 3.2 from PyPI in $ONEDNN3_PREFIX (include/, lib/): a prefix for COLA_ONEDNN_PREFIX.
install_onednn3() {
  [ -f "$ONEDNN3_PREFIX/include/oneapi/dnnl/dnnl.h" ] && return 0
  say "oneDNN 3.2 from PyPI into $ONEDNN3_PREFIX"
  python3 -m venv "$ONEDNN3_PREFIX"
  "$ONEDNN3_PREFIX/bin/pip" install -q "${ONEDNN3_WHEELS[@]}"
}

# CPU torch and what python/ needs, into $HEAR_VENV.
install_hear_venv() {
  "$HEAR_VENV/bin/python" -c "import torch, numpy, safetensors, soundfile" 2>/dev/null && return 0
  say "CPU torch, numpy, safetensors, soundfile from PyPI into $HEAR_VENV (python/requirements-test.txt)"
  python3 -m venv "$HEAR_VENV"
  "$HEAR_VENV/bin/pip" install -q -r python/requirements-test.txt
}

# The HEAR package in python/ against `cola embed` of the build in SCRATCH: scene and timestamp
# embeddings of both encoders within 1e-4, bad files refused by both sides (hear-validator when
# it is installed in the venv: it imports TensorFlow, too slow a download for CI).
python_parity() {
  local started=$SECONDS
  say "[python] python/tests/test_parity.py: cola_hear against cola embed"
  "$HEAR_VENV/bin/python" python/tests/test_parity.py --cola "$(swift build --scratch-path "$1" --show-bin-path)/cola"
  STAGE_TIMES+=("python parity: $((SECONDS - started)) s")
}

# One build-and-test combination: NAME, SCRATCH (a build directory of its own), UNIT (which swift
# tests: all; none; skip:REGEX, all but those; only:REGEX, just those), then integration test
# names (none given: all). The environment chooses the libraries (COLA_ONEDNN_PREFIX, COLA_MPI).
stage() {
  local name=$1 scratch=$2 unit=$3
  shift 3
  local started=$SECONDS
  say "[$name] swift build --scratch-path $scratch"
  swift build --scratch-path "$scratch"
  local cola
  cola="$(swift build --scratch-path "$scratch" --show-bin-path)/cola"
  say "[$name] $("$cola" doctor | grep -E '^(MPI|oneDNN):' | tr -s ' ' | paste -sd ';' -); $(ldd "$cola" | grep -oE 'lib(dnnl|mpi|mpich)\.so[^ ]* => [^ ]*' | paste -sd ';' -)"
  local test=(swift test --scratch-path "$scratch" --disable-swift-testing)
  case "$unit" in
    all) say "[$name] swift test"; "${test[@]}" ;;
    none) ;;
    skip:*) say "[$name] swift test --skip '${unit#skip:}'"; "${test[@]}" --skip "${unit#skip:}" ;;
    only:*) say "[$name] swift test --filter '${unit#only:}'"; "${test[@]}" --filter "${unit#only:}" ;;
    *) echo "stage $name: unit tests must be all, none, skip:REGEX or only:REGEX, not $unit" >&2; exit 2 ;;
  esac
  say "[$name] integration tests under ${COLA_MPI:-openmpi}"
  COLA_BIN="$cola" Tests/integration/run-all.sh "$@"
  STAGE_TIMES+=("$name: $((SECONDS - started)) s")
}

# Every test on this machine's libraries (oneDNN 2.6, Open MPI) in .build; on an AVX-512 CPU the
# model, tensor and training tests and the training integration tests again with oneDNN capped to
# AVX2. Then, to stay within CI's time, what each other combination changes, each in its own
# build directory: oneDNN 3.2 from PyPI with Open MPI (.build-onednn3) the model and tensor tests
# and the equivalence and resume integration tests; oneDNN 2.6 with MPICH (.build-mpich) the
# 20-step trajectory and every 2-rank integration test that launches ranks (collectives, hostfile,
# equivalence, resume, `cola sweep`); oneDNN 3.2 with MPICH (.build-onednn3-mpich) the trajectory
# and the resume test. So the trajectory and the bit-identical resume pass in all four. With
# --onednn PREFIX, all tests on the oneDNN under PREFIX (2.x or 3.x) with Open MPI, in .build-onednn.
command_test() {
  local prefix=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --onednn) prefix=$(realpath "${2:?--onednn needs a prefix (with include/ and lib/)}"); shift 2 ;;
      *) echo "unknown test option: $1" >&2; exit 2 ;;
    esac
  done
  require_swift
  STAGE_TIMES=()
  say "module layers: every import declared in Package.swift, no back edges"
  swift package dump-package | python3 Tests/check_module_layers.py
  if [ -n "$prefix" ]; then
    install_packages "${SYSTEM_PACKAGES[@]}" "${DATA_PACKAGES[@]}"
    COLA_ONEDNN_PREFIX=$prefix stage "oneDNN $prefix + Open MPI" .build-onednn all
  else
    install_packages "${SYSTEM_PACKAGES[@]}" "${DATA_PACKAGES[@]}" "${MATRIX_PACKAGES[@]}"
    install_onednn3
    install_hear_venv
    local trajectory=testTwentyAdamStepsOnSmallCNNFollowPyTorch onednn3="$PWD/$ONEDNN3_PREFIX"
    stage "oneDNN 2.6 + Open MPI, native ISA" .build all
    python_parity .build
    if grep -qw avx512f /proc/cpuinfo; then
      # oneDNN reads ONEDNN_MAX_CPU_ISA (DNNL_MAX_CPU_ISA before 2.5) at its first use in a process.
      ONEDNN_MAX_CPU_ISA=AVX2 DNNL_MAX_CPU_ISA=AVX2 stage "oneDNN 2.6 + Open MPI, capped to AVX2" .build \
        skip:'ColaCoreTests|ColaAudioTests|ColaDistributedTests|ColaEvaluationTests|ColaStandInsTests' \
        test_pretrain_equivalence.sh test_pretrain_resume.sh test_pretrain_errors.sh
    else
      say "no AVX-512 on this CPU: the native run above is the AVX2 level"
    fi
    COLA_ONEDNN_PREFIX=$onednn3 stage "oneDNN 3.2 + Open MPI" .build-onednn3 \
      skip:'ColaCoreTests|ColaAudioTests|ColaDistributedTests|ColaEvaluationTests|ColaStandInsTests|ColaTrainingTests|ColaPipelineTests' \
      test_pretrain_equivalence.sh test_pretrain_resume.sh
    COLA_MPI=mpich stage "oneDNN 2.6 + MPICH" .build-mpich only:$trajectory \
      test_mpi_collectives.sh test_hostfile.sh test_pretrain_equivalence.sh test_pretrain_resume.sh test_sweep_resume.sh
    COLA_ONEDNN_PREFIX=$onednn3 COLA_MPI=mpich stage "oneDNN 3.2 + MPICH" .build-onednn3-mpich only:$trajectory \
      test_pretrain_resume.sh
  fi
  say "stage times: $(IFS=';'; echo "${STAGE_TIMES[*]}")"
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
