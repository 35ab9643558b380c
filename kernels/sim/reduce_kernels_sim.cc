// Host-emulation build of kernels/reduce_kernels.cu: the same source, compiled by g++ against
// kernels/sim (see kernels/simt.h).
#include "kernels/reduce_kernels.cu"
