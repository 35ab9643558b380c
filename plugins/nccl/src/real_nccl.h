// The real NCCL under the shim: found once per process, its functions looked up by name.
//
// Where it comes from: ZCCL_NCCL_LIBRARY (a path, or a name for the loader) if set; else the
// libnccl.so.2 the loader gives this process (the one the application links, when the shim is
// preloaded); and where that is the shim itself (the drop-in libnccl.so.2 answers to the same
// SONAME), the first other libnccl.so.2 in LD_LIBRARY_PATH, then in the CUDA toolkit's and the
// system's library directories. The shim itself is never taken: a candidate whose ncclGetVersion
// lives in the shim's own file is skipped. A library opened by path is opened with RTLD_DEEPBIND,
// so that NCCL's calls of its own exported names (ncclBcast enters ncclBroadcast) stay inside it;
// one already loaded (the preloaded case) enters the shim again, which the re-entry guard
// (shim_state.h) sends straight back.
#pragma once

#include <string>

namespace zccl_shim {

// The real library's function `name` (nullptr if the library or the name is missing: why() says
// which). Thread-safe; the library is found at the first call.
void* realSymbol(const char* name);
// The path of the real library ("" if none was found).
const std::string& realLibraryPath();
// Why realSymbol returned nullptr for the last missing library or name.
std::string realLibraryProblem(const char* name);

}  // namespace zccl_shim
