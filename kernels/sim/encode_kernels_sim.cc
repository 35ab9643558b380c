// Host-emulation build of kernels/encode_kernels.cu: the same source, compiled by g++ against
// kernels/sim (see kernels/simt.h).
#include "kernels/encode_kernels.cu"
