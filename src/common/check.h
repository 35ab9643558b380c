// Error plumbing used by every module. Functions return zcclResult_t; a failure records a
// message for zcclGetLastError() (and logs it at WARN), and each caller on the way up adds a
// "file:line -> code" INFO line, as NCCL's NCCLCHECK does, so ZCCL_DEBUG=INFO shows the trail.
#pragma once

#include "common/log.h"
#include "zccl/zccl_types.h"

namespace zccl {

// Records the message of the current error on the calling thread and logs it at WARN.
void setLastError(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
const char* lastError();

}  // namespace zccl

#define ZCCL_CHECK(call)                                                                              \
  do {                                                                                                \
    zcclResult_t zcclCheckRes_ = (call);                                                              \
    if (zcclCheckRes_ != zcclSuccess) {                                                               \
      ZCCL_INFO(::zccl::kLogAll, "%s:%d -> %d", __FILE__, __LINE__, static_cast<int>(zcclCheckRes_)); \
      return zcclCheckRes_;                                                                           \
    }                                                                                                 \
  } while (0)

// Records a message and returns `code` from the enclosing function.
#define ZCCL_FAIL(code, ...)           \
  do {                                 \
    ::zccl::setLastError(__VA_ARGS__); \
    return (code);                     \
  } while (0)

#define ZCCL_REQUIRE(cond, code, ...)          \
  do {                                         \
    if (!(cond)) ZCCL_FAIL(code, __VA_ARGS__); \
  } while (0)
