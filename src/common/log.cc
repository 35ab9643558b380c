#include "common/log.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>

#include "common/params.h"

namespace zccl {
namespace {

struct LogState {
  std::atomic<int> level{-1};  // -1: not read yet
  std::atomic<uint64_t> mask{kLogAll};
  FILE* file = stderr;
  std::mutex writeMu;
  std::once_flag once;
};

LogState& state() {
  static LogState* s = new LogState();  // never destroyed: logging works during static teardown
  return *s;
}

LogLevel parseLevel(const std::string& v) {
  static const char* kNames[] = {"NONE", "VERSION", "WARN", "INFO", "TRACE"};
  for (int i = 0; i < 5; ++i) {
    if (strcasecmp(v.c_str(), kNames[i]) == 0) return static_cast<LogLevel>(i);
  }
  return LogLevel::kNone;
}

uint64_t parseSubsys(const std::string& v) {
  struct Name {
    const char* name;
    uint64_t bit;
  };
  static const Name kNames[] = {{"INIT", kLogInit},   {"COLL", kLogColl}, {"P2P", kLogP2P}, {"NET", kLogNet},
                                {"CODEC", kLogCodec}, {"TUNE", kLogTune}, {"ENV", kLogEnv}, {"ALL", kLogAll}};
  bool negate = !v.empty() && v[0] == '^';
  uint64_t mask = 0;
  size_t pos = negate ? 1 : 0;
  while (pos <= v.size()) {
    size_t comma = v.find(',', pos);
    std::string tok = v.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    for (const Name& n : kNames) {
      if (strcasecmp(tok.c_str(), n.name) == 0) mask |= n.bit;
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return negate ? ~mask : mask;
}

std::string expandPath(const std::string& pattern) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '%' && i + 1 < pattern.size()) {
      char c = pattern[++i];
      if (c == 'h') {
        char host[256] = {};
        gethostname(host, sizeof(host) - 1);
        out += host;
        continue;
      }
      if (c == 'p') {
        out += std::to_string(getpid());
        continue;
      }
      out += '%';
    }
    out += pattern[i];
  }
  return out;
}

void readSettings(LogState& s) {
  s.mask.store(parseSubsys(paramString(Param::kDebugSubsys)));
  std::string path = paramString(Param::kDebugFile);
  if (!path.empty()) {
    // Appended to, never truncated: ranks that share one file (no %p) keep every line, each
    // written whole (one write per line).
    const std::string expanded = expandPath(path);
    FILE* f = std::fopen(expanded.c_str(), "a");
    if (f != nullptr) {
      if (s.file != stderr) std::fclose(s.file);
      s.file = f;
    } else {
      std::fprintf(stderr,
                   "ZCCL WARN ZCCL_DEBUG_FILE=\"%s\": cannot open %s for writing (%s); logging to standard error\n",
                   path.c_str(), expanded.c_str(), std::strerror(errno));
    }
  }
  s.level.store(static_cast<int>(parseLevel(paramString(Param::kDebug))));
}

}  // namespace

LogLevel logLevel() {
  LogState& s = state();
  int level = s.level.load(std::memory_order_relaxed);
  if (level < 0) {
    std::call_once(s.once, [&s] { readSettings(s); });
    level = s.level.load();
  }
  return static_cast<LogLevel>(level);
}

uint64_t logSubsysMask() {
  logLevel();
  return state().mask.load(std::memory_order_relaxed);
}

void reloadLogSettingsForTest() { readSettings(state()); }

void logMessage(LogLevel level, uint64_t subsys, const char* file, int line, const char* fmt, ...) {
  static const char* kLevelNames[] = {"", "VERSION", "WARN", "INFO", "TRACE"};
  static const char* kSubsysNames[] = {"INIT", "COLL", "P2P", "NET", "CODEC", "TUNE", "ENV"};
  char host[64] = {};
  gethostname(host, sizeof(host) - 1);
  char* dot = std::strchr(host, '.');
  if (dot != nullptr) *dot = '\0';
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  const char* subsysName = "";
  for (int i = 0; i < 7; ++i) {
    if (subsys == (uint64_t{1} << i)) subsysName = kSubsysNames[i];
  }
  const char* base = std::strrchr(file, '/');
  base = base != nullptr ? base + 1 : file;
  LogState& s = state();
  std::lock_guard<std::mutex> lock(s.writeMu);
  if (level == LogLevel::kWarn) {
    std::fprintf(s.file, "%s:%d:%ld %s:%d ZCCL WARN %s\n", host, getpid(), static_cast<long>(syscall(SYS_gettid)), base,
                 line, msg);
  } else {
    std::fprintf(s.file, "%s:%d:%ld ZCCL %s %s %s\n", host, getpid(), static_cast<long>(syscall(SYS_gettid)),
                 kLevelNames[static_cast<int>(level)], subsysName, msg);
  }
  std::fflush(s.file);
}

}  // namespace zccl
