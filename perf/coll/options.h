// Command line of the nccl-tests-style perf binaries (all_reduce_perf, ...): nccl-tests' flags with
// their meanings and defaults, plus what a compressed collective needs: -Z (compression off, on,
// the selector, off and on alternating, or all three), -D (the payload: nccl-tests' random data is
// incompressible), --backend (host buffers over Open MPI, or GPU buffers over NCCL) and -B (time
// Open MPI's own collective on the same data as an outside baseline).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "zccl/zccl_types.h"

namespace zccl::perf {

enum class Compression { kOff, kOn, kAuto, kBoth, kAll };  // kAll: off, on and auto in one run
enum class Backend { kMpi, kNccl };

struct PerfOptions {
  size_t minBytes = 32u << 20;                      // -b
  size_t maxBytes = 32u << 20;                      // -e
  size_t stepBytes = 1u << 20;                      // -i
  size_t stepFactor = 1;                            // -f (> 1: multiply instead of add)
  int iters = 20;                                   // -n
  int warmupIters = 5;                              // -w
  int check = 1;                                    // -c: compare every result bit for bit with the uncompressed run
  int average = 1;                                  // -a: 0 rank 0, 1 mean, 2 min, 3 max of the ranks' times
  int root = 0;                                     // -r
  std::vector<zcclRedOp_t> ops{zcclSum};            // -o
  std::vector<zcclDataType_t> dtypes{zcclFloat32};  // -d
  bool dtypeGiven = false;
  std::string jsonPath;                          // -J
  Compression compression = Compression::kAuto;  // -Z
  std::string payload = "gaussian";              // -D
  Backend backend = Backend::kMpi;               // --backend
  bool mpiBaseline = false;                      // -B
};

// Parses argv. Returns 0 to run, 1 for -h (print the usage), -1 on an error (message in *error).
int parseOptions(int argc, char** argv, PerfOptions* out, std::string* error);
void printUsage(const char* program);

// nccl-tests' names ("float", "bfloat16", "half", "int32", ...).
const char* typeName(zcclDataType_t dtype);
const char* opName(zcclRedOp_t op);
const char* compressionName(Compression c);

}  // namespace zccl::perf
