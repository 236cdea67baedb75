// libsoxr (libsoxr-dev), the band-limited resampler used by Resampler.swift.
#ifndef COLA_CSOXR_SHIM_H
#define COLA_CSOXR_SHIM_H
#include <soxr.h>
#endif
