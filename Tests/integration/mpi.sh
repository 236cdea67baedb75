# Sourced by integration tests: `mpi NP args...` runs the launcher of the MPI that cola was built
# with (COLA_MPI: openmpi, the default, or mpich) with this machine's flags: no core binding (ranks
# run several threads); for Open MPI also root permission and oversubscription past the cores.
# Debian's `mpirun` is whichever implementation the alternatives system picked, so the
# implementation's own launcher is named.
mpi() {
  local ranks=$1
  shift
  case "${COLA_MPI:-openmpi}" in
    mpich)
      timeout 600 mpirun.mpich -np "$ranks" -bind-to none "$@"
      ;;
    *)
      local flags=(-np "$ranks" --bind-to none)
      [ "$(id -u)" -ne 0 ] || flags+=(--allow-run-as-root)
      [ "$ranks" -le "$(nproc)" ] || flags+=(--oversubscribe)
      OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none \
        timeout 600 "$(command -v mpirun.openmpi || echo mpirun)" "${flags[@]}" "$@"
      ;;
  esac
}

# A hostfile line giving HOST SLOTS slots, in the launcher's syntax.
hostfile_line() {
  case "${COLA_MPI:-openmpi}" in
    mpich) echo "$1:$2" ;;
    *) echo "$1 slots=$2" ;;
  esac
}
