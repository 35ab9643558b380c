// The main() of each perf binary: perf/CMakeLists.txt builds this file once per collective with
// ZCCL_PERF_COLLECTIVE set to its CollKind enumerator.
#include "perf_runner.h"

int main(int argc, char** argv) { return zccl::perf::perfMain(argc, argv, zccl::perf::CollKind::ZCCL_PERF_COLLECTIVE); }
