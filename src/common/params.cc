#include "common/params.h"

#include <cctype>
#include <cstdlib>
#include <mutex>
#include <set>

#include "common/log.h"

namespace zccl {
namespace {

void warnInstead(const ParamSpec& spec, const std::string& value, const std::string& instead) {
  static std::mutex mu;
  static std::set<std::string> warned;
  std::lock_guard<std::mutex> lock(mu);
  if (warned.insert(std::string(spec.name) + "=" + value).second) {
    ZCCL_WARN("%s=\"%s\" is not valid (expected %s); using %s", spec.name, value.c_str(), spec.values, instead.c_str());
  }
}

void warnOnce(const ParamSpec& spec, const std::string& value) {
  warnInstead(spec, value, std::string("the default \"") + spec.defaultValue + "\"");
}

bool equalsIgnoreCase(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

}  // namespace

bool parseScaledInt(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (end == s.c_str()) return false;
  int shift = 0;
  if (*end == 'K' || *end == 'k')
    shift = 10, ++end;
  else if (*end == 'M' || *end == 'm')
    shift = 20, ++end;
  else if (*end == 'G' || *end == 'g')
    shift = 30, ++end;
  if (*end != '\0') return false;
  if (shift != 0 && (v > (INT64_MAX >> shift) || v < (INT64_MIN >> shift))) return false;
  *out = static_cast<int64_t>(v) * (int64_t{1} << shift);
  return true;
}

const std::vector<ParamSpec>& allParams() {
  static const std::vector<ParamSpec> specs = {
#define ZCCL_PARAM(id, name, def, values, help) {Param::id, name, def, values, help},
#include "common/param_list.h"
#undef ZCCL_PARAM
  };
  return specs;
}

const ParamSpec& paramSpec(Param id) { return allParams()[static_cast<size_t>(id)]; }

std::string paramString(Param id) {
  const ParamSpec& spec = paramSpec(id);
  const char* v = std::getenv(spec.name);
  if (v == nullptr || *v == '\0') return spec.defaultValue;
  return v;
}

int64_t paramInt(Param id) {
  const ParamSpec& spec = paramSpec(id);
  std::string value = paramString(id);
  int64_t out = 0;
  if (parseScaledInt(value, &out)) return out;
  warnOnce(spec, value);
  parseScaledInt(spec.defaultValue, &out);
  return out;
}

bool paramSet(Param id) {
  const char* v = std::getenv(paramSpec(id).name);
  return v != nullptr && *v != '\0';
}

int64_t paramIntInRange(Param id, int64_t lo, int64_t hi) {
  const ParamSpec& spec = paramSpec(id);
  int64_t out = 0;
  if (parseScaledInt(paramString(id), &out) && out >= lo && out <= hi) return out;
  warnOnce(spec, paramString(id));
  parseScaledInt(spec.defaultValue, &out);
  return out;
}

double paramDouble(Param id) {
  const ParamSpec& spec = paramSpec(id);
  const std::string value = paramString(id);
  char* end = nullptr;
  const double v = std::strtod(value.c_str(), &end);
  if (end != value.c_str() && *end == '\0') return v;
  warnOnce(spec, value);
  return std::strtod(spec.defaultValue, nullptr);
}

void paramWarnOnce(Param id, const std::string& value, const std::string& instead) {
  warnInstead(paramSpec(id), value, instead);
}

int paramChoice(Param id, const std::vector<std::string>& choices) {
  const ParamSpec& spec = paramSpec(id);
  std::string value = paramString(id);
  int fallback = 0;
  for (size_t i = 0; i < choices.size(); ++i) {
    if (equalsIgnoreCase(value, choices[i])) return static_cast<int>(i);
    if (equalsIgnoreCase(spec.defaultValue, choices[i])) fallback = static_cast<int>(i);
  }
  warnOnce(spec, value);
  return fallback;
}

}  // namespace zccl
