// Finding and opening the real NCCL (real_nccl.h).
#include "real_nccl.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <vector>

#include "shim_state.h"

namespace zccl_shim {
namespace {

struct RealLibrary {
  void* handle = nullptr;
  std::string path;
  std::string problem;  // why handle is null
};

// The file this code was loaded from (the shim: libzccl_nccl.so or the drop-in libnccl.so.2).
void* ownBase() {
  Dl_info info{};
  return dladdr(reinterpret_cast<void*>(&ownBase), &info) != 0 ? info.dli_fbase : nullptr;
}

// A handle whose ncclGetVersion is not the shim's own.
bool isOtherLibrary(void* handle) {
  void* fn = dlsym(handle, "ncclGetVersion");
  if (fn == nullptr) return false;
  Dl_info info{};
  return dladdr(fn, &info) != 0 && info.dli_fbase != ownBase();
}

std::string pathOf(void* handle) {
  void* fn = dlsym(handle, "ncclGetVersion");
  Dl_info info{};
  if (fn == nullptr || dladdr(fn, &info) == 0 || info.dli_fname == nullptr) return "?";
  char resolved[PATH_MAX];
  return realpath(info.dli_fname, resolved) != nullptr ? resolved : info.dli_fname;
}

// Opens `name`; keeps it if it is not the shim.
bool tryOpen(const std::string& name, int flags, RealLibrary* lib) {
  void* h = dlopen(name.c_str(), flags);
  if (h == nullptr) return false;
  if (!isOtherLibrary(h)) {
    dlclose(h);
    return false;
  }
  lib->handle = h;
  lib->path = pathOf(h);
  return true;
}

std::vector<std::string> searchDirectories() {
  std::vector<std::string> dirs;
  if (const char* p = std::getenv("LD_LIBRARY_PATH")) {
    std::string all = p;
    size_t start = 0;
    while (start <= all.size()) {
      const size_t end = all.find(':', start);
      const std::string d = all.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (!d.empty()) dirs.push_back(d);
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  for (const char* d : {"/usr/local/cuda/lib64", "/usr/local/cuda/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib64",
                        "/usr/lib", "/usr/local/lib"}) {
    dirs.push_back(d);
  }
  return dirs;
}

RealLibrary find() {
  RealLibrary lib;
  const int byPath = RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND;
  if (const char* forced = std::getenv("ZCCL_NCCL_LIBRARY"); forced != nullptr && *forced != '\0') {
    const bool isPath = std::strchr(forced, '/') != nullptr;
    if (!tryOpen(forced, isPath ? byPath : RTLD_NOW | RTLD_LOCAL, &lib)) {
      const char* err = dlerror();
      lib.problem = std::string("ZCCL_NCCL_LIBRARY=") + forced + " could not be opened as a NCCL other than the shim" +
                    (err != nullptr ? std::string(" (") + err + ")" : std::string());
    }
    return lib;
  }
  // The NCCL this process already has (the application's, when the shim is preloaded).
  if (tryOpen("libnccl.so.2", RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD, &lib)) return lib;
  Dl_info self{};
  char selfPath[PATH_MAX] = "";
  if (dladdr(reinterpret_cast<void*>(&ownBase), &self) != 0 && self.dli_fname != nullptr) {
    if (realpath(self.dli_fname, selfPath) == nullptr) selfPath[0] = '\0';
  }
  for (const std::string& dir : searchDirectories()) {
    const std::string candidate = dir + "/libnccl.so.2";
    char resolved[PATH_MAX];
    if (access(candidate.c_str(), R_OK) != 0 || realpath(candidate.c_str(), resolved) == nullptr) continue;
    if (std::strcmp(resolved, selfPath) == 0) continue;
    if (tryOpen(resolved, byPath, &lib)) return lib;
  }
  // Last, whatever the loader finds by name (its cache), if that is not the shim.
  if (tryOpen("libnccl.so.2", RTLD_NOW | RTLD_LOCAL, &lib)) return lib;
  lib.problem =
      "no NCCL other than the shim was found (set ZCCL_NCCL_LIBRARY to the real libnccl.so.2, docs/shim.md)";
  return lib;
}

RealLibrary& library() {
  static RealLibrary lib = [] {
    RealLibrary found = find();
    if (found.handle != nullptr) {
      log(kInfo, "the real NCCL is %s (ZCCL_NCCL_SHIM %s)", found.path.c_str(), settings().enabled ? "on" : "off");
    } else {
      log(kWarn, "%s", found.problem.c_str());
    }
    return found;
  }();
  return lib;
}

}  // namespace

void* realSymbol(const char* name) {
  RealLibrary& lib = library();
  if (lib.handle == nullptr) return nullptr;
  void* fn = dlsym(lib.handle, name);
  if (fn == nullptr && std::strncmp(name, "nccl", 4) == 0) {
    fn = dlsym(lib.handle, (std::string("p") + name).c_str());  // the profiling twin
  }
  return fn;
}

const std::string& realLibraryPath() { return library().path; }

std::string realLibraryProblem(const char* name) {
  const RealLibrary& lib = library();
  if (lib.handle == nullptr) return lib.problem;
  return std::string("the real NCCL (") + lib.path + ") has no " + name;
}

}  // namespace zccl_shim
