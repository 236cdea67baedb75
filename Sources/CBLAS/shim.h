// OpenBLAS's CBLAS interface plus its thread and core queries.
#ifndef COLA_CBLAS_SHIM_H
#define COLA_CBLAS_SHIM_H
#include <cblas.h>
#endif
