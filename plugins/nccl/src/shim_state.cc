// Settings, per-thread state and the log of the shim (shim_state.h).
#include "shim_state.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <strings.h>

namespace zccl_shim {
namespace {

thread_local int tForwardDepth = 0;
thread_local int tGroupDepth = 0;

// "64K", "1M", "65536"; fallback (with a warning) on anything else.
size_t parseBytes(const char* name, size_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(v, &end, 10);
  size_t scale = 1;
  if (end != nullptr && (*end == 'K' || *end == 'k')) scale = size_t{1} << 10, ++end;
  else if (end != nullptr && (*end == 'M' || *end == 'm')) scale = size_t{1} << 20, ++end;
  else if (end != nullptr && (*end == 'G' || *end == 'g')) scale = size_t{1} << 30, ++end;
  if (end == v || (end != nullptr && *end != '\0') || v[0] == '-') {
    std::fprintf(stderr, "ZCCL SHIM WARN %s=%s is not a byte count; using %zu\n", name, v, fallback);
    return fallback;
  }
  return static_cast<size_t>(n) * scale;
}

Settings readSettings() {
  Settings s;
  if (const char* d = std::getenv("ZCCL_DEBUG")) {
    if (strcasecmp(d, "NONE") == 0) s.logLevel = 0;
    else if (strcasecmp(d, "INFO") == 0) s.logLevel = kInfo;
    else if (strcasecmp(d, "TRACE") == 0) s.logLevel = kTrace;
  }
  if (const char* m = std::getenv("ZCCL_NCCL_SHIM")) {
    if (strcasecmp(m, "off") == 0 || std::strcmp(m, "0") == 0) {
      s.enabled = false;
    } else if (strcasecmp(m, "on") != 0 && std::strcmp(m, "1") != 0) {
      std::fprintf(stderr, "ZCCL SHIM WARN ZCCL_NCCL_SHIM=%s is neither on nor off; using on\n", m);
    }
  }
  s.minBytes = parseBytes("ZCCL_NCCL_MIN_BYTES", s.minBytes);
  if (const char* g = std::getenv("ZCCL_NCCL_GROUPS")) {
    if (strcasecmp(g, "forward") == 0) {
      s.groupReplay = false;
    } else if (strcasecmp(g, "replay") != 0) {
      std::fprintf(stderr, "ZCCL SHIM WARN ZCCL_NCCL_GROUPS=%s is neither replay nor forward; using replay\n", g);
    }
  }
  return s;
}

}  // namespace

const Settings& settings() {
  static const Settings s = readSettings();
  return s;
}

ForwardScope::ForwardScope() { ++tForwardDepth; }
ForwardScope::~ForwardScope() { --tForwardDepth; }
bool reentered() { return tForwardDepth > 0; }
int& groupDepth() { return tGroupDepth; }

std::string& lastShimError() {
  thread_local std::string e;
  return e;
}

void log(int level, const char* fmt, ...) {
  if (level > settings().logLevel) return;
  static const char* kNames[] = {"", "WARN", "INFO", "TRACE"};
  char host[64] = "";
  gethostname(host, sizeof(host) - 1);
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  std::fprintf(stderr, "%s:%d:%ld ZCCL SHIM %s %s\n", host, static_cast<int>(getpid()),
               static_cast<long>(syscall(SYS_gettid)), kNames[level], msg);
}

ncclResult_t reportMissing(const char* name) {
  lastShimError() = "ZipCCL NCCL shim: " + realLibraryProblem(name);
  log(kWarn, "%s", lastShimError().c_str());
  return ncclSystemError;
}

}  // namespace zccl_shim
