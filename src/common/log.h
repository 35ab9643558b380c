// Logging the way NCCL users expect: ZCCL_DEBUG selects the level, ZCCL_DEBUG_SUBSYS the
// subsystems whose INFO/TRACE lines appear, ZCCL_DEBUG_FILE the destination (%h host, %p pid).
// The macros test the level before any argument is formatted, so disabled lines cost one load
// and a branch. Lines look like "host:pid:tid ZCCL INFO CODEC message".
#pragma once

#include <cstdint>

namespace zccl {

enum class LogLevel : int { kNone = 0, kVersion = 1, kWarn = 2, kInfo = 3, kTrace = 4 };

enum LogSubsys : uint64_t {
  kLogInit = 1u << 0,
  kLogColl = 1u << 1,
  kLogP2P = 1u << 2,
  kLogNet = 1u << 3,
  kLogCodec = 1u << 4,
  kLogTune = 1u << 5,
  kLogEnv = 1u << 6,
  kLogAll = ~uint64_t{0},
};

// Current level and subsystem mask, read from the environment on first use.
LogLevel logLevel();
uint64_t logSubsysMask();
inline bool logEnabled(LogLevel level, uint64_t subsys) {
  return static_cast<int>(logLevel()) >= static_cast<int>(level) && (logSubsysMask() & subsys) != 0;
}

void logMessage(LogLevel level, uint64_t subsys, const char* file, int line, const char* fmt, ...)
    __attribute__((format(printf, 5, 6)));

// Re-reads ZCCL_DEBUG* (tests only; not thread-safe against concurrent logging).
void reloadLogSettingsForTest();

}  // namespace zccl

#define ZCCL_WARN(...)                                                                               \
  do {                                                                                               \
    if (::zccl::logEnabled(::zccl::LogLevel::kWarn, ::zccl::kLogAll))                                \
      ::zccl::logMessage(::zccl::LogLevel::kWarn, ::zccl::kLogAll, __FILE__, __LINE__, __VA_ARGS__); \
  } while (0)

#define ZCCL_INFO(subsys, ...)                                                                \
  do {                                                                                        \
    if (::zccl::logEnabled(::zccl::LogLevel::kInfo, (subsys)))                                \
      ::zccl::logMessage(::zccl::LogLevel::kInfo, (subsys), __FILE__, __LINE__, __VA_ARGS__); \
  } while (0)

#define ZCCL_TRACE(subsys, ...)                                                                \
  do {                                                                                         \
    if (::zccl::logEnabled(::zccl::LogLevel::kTrace, (subsys)))                                \
      ::zccl::logMessage(::zccl::LogLevel::kTrace, (subsys), __FILE__, __LINE__, __VA_ARGS__); \
  } while (0)
