// oneDNN's C API (Debian's libdnnl-dev ships no pkg-config file) and the OpenMP thread
// controls that oneDNN's threading runtime (libgomp) obeys.
#ifndef COLA_CDNNL_SHIM_H
#define COLA_CDNNL_SHIM_H
#include <dnnl.h>

int omp_get_max_threads(void);
void omp_set_num_threads(int num_threads);

#endif
