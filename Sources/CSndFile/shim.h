// libsndfile's C API; SFC_* commands and SF_FORMAT_* masks are plain enums Swift imports directly.
#ifndef COLA_CSNDFILE_SHIM_H
#define COLA_CSNDFILE_SHIM_H
#include <sndfile.h>
#endif
