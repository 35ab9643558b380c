// Typed access to the ZCCL_* settings listed in param_list.h. Values are read from the
// environment at each call (the library never sets variables), falling back to the registered
// default; a malformed value is reported once per variable at WARN level and the default is used.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zccl {

enum class Param {
#define ZCCL_PARAM(id, name, def, values, help) id,
#include "common/param_list.h"
#undef ZCCL_PARAM
};

struct ParamSpec {
  Param id;
  const char* name;
  const char* defaultValue;
  const char* values;
  const char* description;
};

const std::vector<ParamSpec>& allParams();
const ParamSpec& paramSpec(Param id);

// The variable's value if set and non-empty, else the registered default.
std::string paramString(Param id);

// The value parsed as a decimal integer (suffixes K, M, G multiply by 2^10, 2^20, 2^30).
int64_t paramInt(Param id);

// Parses a whole string as a decimal integer with an optional K, M or G suffix (powers of 2);
// false on anything else or on overflow. Shared by the settings and the tools' flags.
bool parseScaledInt(const std::string& text, int64_t* out);

// True if the variable is set to a non-empty value (else the registered default applies).
bool paramSet(Param id);

// paramInt, but a value outside [lo, hi] is reported once at WARN level like a malformed one and
// the default is used.
int64_t paramIntInRange(Param id, int64_t lo, int64_t hi);

// The value parsed as a decimal floating-point number; malformed: WARN once, the default.
double paramDouble(Param id);

// Reports once per variable, at WARN level, that `value` (or a part of it) is not valid and what
// is used instead: for settings with a grammar of their own (per-collective lists).
void paramWarnOnce(Param id, const std::string& value, const std::string& instead);

// The value matched case-insensitively against `choices`; returns its index, or the index of
// the default if the value is not among them.
int paramChoice(Param id, const std::vector<std::string>& choices);

}  // namespace zccl
