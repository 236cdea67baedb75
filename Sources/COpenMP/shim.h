// libgomp's parallel-region entry (the call GCC emits for `#pragma omp parallel`) and the team
// queries, so Swift kernels can run on the same OpenMP thread team oneDNN uses.
#ifndef COLA_COPENMP_SHIM_H
#define COLA_COPENMP_SHIM_H

void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
int omp_get_thread_num(void);
int omp_get_num_threads(void);

#endif
