// The collectives compared across paths by the emulated-device tests: each case runs one
// collective of `count` elements per block (Gaussian data) on any communicator, in either memory
// space, so the GPU path (device engine, emulated kernels, NCCL transport) can be compared byte
// for byte with itself (compression on and off, direct and ring) and with the host paths (local
// transport as threads, Open MPI as processes) on the same inputs.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "synthetic.h"
#include "zccl/zccl.h"

namespace zccl::test {

struct DeviceCase {
  const char* name;
  size_t sendBlocks, recvBlocks;  // buffer sizes in units of count
  std::function<zcclResult_t(const void*, void*, size_t, zcclDataType_t, zcclComm_t, cudaStream_t)> run;
};

// P: the rank count (block counts depend on it).
inline std::vector<DeviceCase> deviceCases(int P) {
  const size_t p = static_cast<size_t>(P);
  return {
      {"AllReduceSum", p, p,
       [p](const void* s, void* r, size_t n, zcclDataType_t d, zcclComm_t c, cudaStream_t st) {
         return zcclAllReduce(s, r, p * n, d, zcclSum, c, st);
       }},
      {"AllReduceAvg", p, p,
       [p](const void* s, void* r, size_t n, zcclDataType_t d, zcclComm_t c, cudaStream_t st) {
         return zcclAllReduce(s, r, p * n, d, zcclAvg, c, st);
       }},
      {"ReduceScatterMax", p, 1,
       [](const void* s, void* r, size_t n, zcclDataType_t d, zcclComm_t c, cudaStream_t st) {
         return zcclReduceScatter(s, r, n, d, zcclMax, c, st);
       }},
      {"ReduceToLastSum", p, p,
       [P, p](const void* s, void* r, size_t n, zcclDataType_t d, zcclComm_t c, cudaStream_t st) {
         return zcclReduce(s, r, p * n, d, zcclSum, P - 1, c, st);
       }},
      {"AllGather", 1, p,
       [](const void* s, void* r, size_t n, zcclDataType_t d, zcclComm_t c, cudaStream_t st) {
         return zcclAllGather(s, r, n, d, c, st);
       }},
      {"AlltoAll", p, p,
       [](const void* s, void* r, size_t n, zcclDataType_t d, zcclComm_t c, cudaStream_t st) {
         return zcclAlltoAll(s, r, n, d, c, st);
       }},
      {"BroadcastFrom1", 1, 1,
       [P](const void* s, void* r, size_t n, zcclDataType_t d, zcclComm_t c, cudaStream_t st) {
         return zcclBroadcast(s, r, n, d, 1 % P, c, st);
       }},
  };
}

// Rank r's input for a case: Gaussian elements, reproducible per (rank, block count).
inline std::vector<uint8_t> deviceCaseInput(zcclDataType_t d, int rank, size_t elems) {
  data::SyntheticSpec spec;
  return data::makeSynthetic(spec, d, elems, 500 + rank);
}

}  // namespace zccl::test
