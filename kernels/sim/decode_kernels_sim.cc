// Host-emulation build of kernels/decode_kernels.cu: the same source, compiled by g++ against
// kernels/sim (see kernels/simt.h).
#include "kernels/decode_kernels.cu"
