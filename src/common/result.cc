// zcclGetErrorString / zcclGetLastError / zcclGetVersion and the thread-local last error.
#include <cstdarg>
#include <cstdio>
#include <string>

#include "common/check.h"

namespace zccl {
namespace {
thread_local std::string tlsLastError;
}

void setLastError(const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  tlsLastError = buf;
  ZCCL_WARN("%s", buf);
}

const char* lastError() { return tlsLastError.c_str(); }

}  // namespace zccl

extern "C" const char* zcclGetErrorString(zcclResult_t result) {
  switch (result) {
    case zcclSuccess:
      return "no error";
    case zcclUnhandledCudaError:
      return "unhandled cuda error (run with ZCCL_DEBUG=INFO for details)";
    case zcclSystemError:
      return "unhandled system error (run with ZCCL_DEBUG=INFO for details)";
    case zcclInternalError:
      return "internal error - please report this issue to the ZipCCL developers";
    case zcclInvalidArgument:
      return "invalid argument (run with ZCCL_DEBUG=WARN for details)";
    case zcclInvalidUsage:
      return "invalid usage (run with ZCCL_DEBUG=WARN for details)";
    case zcclRemoteError:
      return "remote process exited or there was a network error";
    case zcclInProgress:
      return "ZipCCL operation in progress";
    case zcclCorruptFrame:
      return "corrupt compressed frame (failed validation or checksum)";
  }
  return "unknown result code";
}

extern "C" const char* zcclGetLastError(zcclComm_t /*comm*/) { return zccl::lastError(); }

extern "C" zcclResult_t zcclGetVersion(int* version) {
  ZCCL_REQUIRE(version != nullptr, zcclInvalidArgument, "zcclGetVersion: version is NULL");
  *version = ZCCL_VERSION_CODE;
  return zcclSuccess;
}
