# Sourced by integration tests: `mpi NP args...` runs mpirun with this machine's flags.
mpi() {
  local ranks=$1
  shift
  local flags=(-np "$ranks" --bind-to none)
  [ "$(id -u)" -ne 0 ] || flags+=(--allow-run-as-root)
  [ "$ranks" -le "$(nproc)" ] || flags+=(--oversubscribe)
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none \
    timeout 600 mpirun "${flags[@]}" "$@"
}
