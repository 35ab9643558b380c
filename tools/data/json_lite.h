// A small strict JSON parser, enough for safetensors headers: objects, arrays, strings (with
// escapes), numbers (kept as text and as double), true/false/null. Depth-limited.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace zccl::data {

struct JsonValue {
  enum Type { kNull, kBool, kNumber, kString, kArray, kObject } type = kNull;
  bool boolean = false;
  double number = 0;
  std::string text;  // string value, or a number's digits
  std::vector<JsonValue> array;
  std::vector<std::pair<std::string, JsonValue>> object;  // in file order

  const JsonValue* find(const std::string& key) const;
};

// Parses the whole string (trailing spaces allowed). false + *error on malformed input.
bool parseJson(const std::string& text, JsonValue* out, std::string* error);

}  // namespace zccl::data
