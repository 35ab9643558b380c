// The codec launchers of the emulated-device build (ZCCL_DEVICE_EMULATION): the host-emulated
// kernels of kernels/sim, made stream-ordered. Each launch is enqueued on `stream` as a host
// function of the CUDA runtime (the host stand-in runtime of tests/standins in that build), so it
// runs after the copies and sets enqueued before it and before those enqueued after it, while the
// calling thread goes on: the asynchrony of a real launch, which is what the device engine's
// synchronisation must be right for. Same arguments and contract as kernels/launch.h; a call with
// workspace == nullptr (the size query) answers at once. A kernel that fails while the stream runs
// it (it cannot on valid arguments) is reported by the next launch of this thread's process as
// zcclInternalError, like CUDA's sticky launch errors.
#pragma once

#include "kernels/launch.h"

namespace zccl::kernels::emulated {

zcclResult_t launchEncode(const EncodeBatch& batch, const void* input, void* output, uint64_t* frameBytes,
                          void* workspace, size_t* workspaceBytes, cudaStream_t stream);
zcclResult_t launchDecode(const DecodeBatch& batch, const void* input, void* output, int32_t* status, void* workspace,
                          size_t* workspaceBytes, cudaStream_t stream);
zcclResult_t launchDecodeReduce(const ReduceBatch& batch, const void* frames, const void* raw, void* output,
                                int32_t* status, void* workspace, size_t* workspaceBytes, cudaStream_t stream);

}  // namespace zccl::kernels::emulated
