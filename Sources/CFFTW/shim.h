// FFTW3 single precision (libfftw3-dev). Only the float API (fftwf_*) is used, through FFT.swift.
#ifndef COLA_CFFTW_SHIM_H
#define COLA_CFFTW_SHIM_H
#include <fftw3.h>
#endif
