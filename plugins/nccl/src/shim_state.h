// What the shim keeps besides the communicators: its settings, the per-thread state (re-entry
// depth, group depth, the last error it made itself) and its log.
//
// Re-entry: every call the shim forwards, and every ZipCCL call it makes, runs inside a
// ForwardScope. A call that enters the shim while one is open on its thread (NCCL calling its own
// exported names through the PLT, ZipCCL's NCCL transport calling ncclSend) goes straight to the
// real function: only the application's own calls are ever routed.
#pragma once

#include <nccl.h>

#include <cstddef>
#include <string>

namespace zccl_shim {

struct Settings {
  bool enabled = true;                 // ZCCL_NCCL_SHIM (on | off): off is a pure pass-through
  size_t minBytes = size_t{64} << 10;  // ZCCL_NCCL_MIN_BYTES: smaller calls go to NCCL directly
  int logLevel = 1;                    // ZCCL_DEBUG: 0 none, 1 WARN, 2 INFO, 3 TRACE
  bool groupReplay = true;             // ZCCL_NCCL_GROUPS (replay | forward): group_replay.h
};
const Settings& settings();

class ForwardScope {
 public:
  ForwardScope();
  ~ForwardScope();
  ForwardScope(const ForwardScope&) = delete;
  ForwardScope& operator=(const ForwardScope&) = delete;
};
// True inside a ForwardScope on this thread.
bool reentered();
// True if an exported function must forward at once: the shim is off, or this is a re-entry.
inline bool bypass() { return !settings().enabled || reentered(); }

// The application's ncclGroupStart depth on this thread (the shim's own groups do not count).
int& groupDepth();

// The shim's own error of the last call it handled on this thread ("" if it had none or the call
// went to NCCL): what ncclGetLastError returns then.
std::string& lastShimError();

// Logs like NCCL_DEBUG: "host:pid:tid ZCCL SHIM INFO ..." on standard error.
void log(int level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
constexpr int kWarn = 1, kInfo = 2, kTrace = 3;

// Forwards `name` to the real library's function of type F, or reports it missing.
template <typename F>
F realFunction(const char* name);
ncclResult_t reportMissing(const char* name);

}  // namespace zccl_shim

#include "real_nccl.h"

namespace zccl_shim {
template <typename F>
F realFunction(const char* name) {
  return reinterpret_cast<F>(realSymbol(name));
}

// What a forwarded function returns where the real library lacks it.
template <typename R>
struct Missing {
  static R value(const char* name) {
    reportMissing(name);
    return R{};
  }
};
template <>
struct Missing<ncclResult_t> {
  static ncclResult_t value(const char* name) { return reportMissing(name); }
};
template <>
struct Missing<const char*> {
  static const char* value(const char* name) {
    reportMissing(name);
    return "ZipCCL NCCL shim: the real NCCL is missing (docs/shim.md)";
  }
};
template <>
struct Missing<int> {
  static int value(const char* name) {
    reportMissing(name);
    return -1;
  }
};
template <>
struct Missing<void> {
  static void value(const char* name) { reportMissing(name); }
};

}  // namespace zccl_shim

// The body of a function the shim forwards unchanged: the real `name` with the same arguments,
// inside a ForwardScope.
#define ZCCL_SHIM_FORWARD(name, ...) ZCCL_SHIM_FORWARD_AS(decltype(&name), name, __VA_ARGS__)
// The same for a name C++ overloads (the device API's host and device forms): F is the C
// function's pointer type.
#define ZCCL_SHIM_FORWARD_AS(F, name, ...)                                                     \
  do {                                                                                         \
    static const auto real_ = ::zccl_shim::realFunction<F>(#name);                             \
    if (real_ == nullptr) return ::zccl_shim::Missing<decltype(real_(__VA_ARGS__))>::value(#name); \
    ::zccl_shim::ForwardScope scope_;                                                          \
    return real_(__VA_ARGS__);                                                                 \
  } while (0)

// The profiling twin pnccl<name> of an exported function, as the real library has.
#define ZCCL_SHIM_TWIN(name) \
  extern "C" __attribute__((visibility("default"))) __typeof__(name) p##name __attribute__((alias(#name)))
// The same for an overloaded name: its C return type and parameter list.
#define ZCCL_SHIM_TWIN_AS(ret, name, params) \
  extern "C" __attribute__((visibility("default"))) ret p##name params __attribute__((alias(#name)))
