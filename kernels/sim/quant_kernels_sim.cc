// Host-emulation build of kernels/quant_kernels.cu: the same source, compiled by g++ against
// kernels/sim (see kernels/simt.h).
#include "kernels/quant_kernels.cu"
