// MPI's handles are macros: over global structs in Open MPI, over integer constants and casts in
// MPICH (and the MPICH-ABI libraries: Cray MPICH, Intel MPI). Swift imports neither, so each one is
// exposed here through a static inline getter. The library itself is linked from its pkg-config file
// (`ompi-c`, `mpich`, ...; Package.swift, COLA_MPI), so no `link` line names it in the module map.
#ifndef COLA_CMPI_SHIM_H
#define COLA_CMPI_SHIM_H
#include <mpi.h>

static inline MPI_Comm cola_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype cola_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype cola_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype cola_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype cola_mpi_uint8(void) { return MPI_UINT8_T; }
static inline MPI_Op cola_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op cola_mpi_max(void) { return MPI_MAX; }
static inline MPI_Op cola_mpi_min(void) { return MPI_MIN; }
static inline void *cola_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Status *cola_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline MPI_Status *cola_mpi_statuses_ignore(void) { return MPI_STATUSES_IGNORE; }
static inline MPI_Request cola_mpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Errhandler cola_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline int cola_mpi_max_processor_name(void) { return MPI_MAX_PROCESSOR_NAME; }
static inline int cola_mpi_success(void) { return MPI_SUCCESS; }
static inline int cola_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
static inline int cola_mpi_max_library_version_string(void) { return MPI_MAX_LIBRARY_VERSION_STRING; }
static inline int cola_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }

#endif
