#include "json_lite.h"

#include <cctype>
#include <cstdlib>

namespace zccl::data {
namespace {

constexpr int kMaxDepth = 64;

struct Parser {
  const std::string& s;
  size_t pos = 0;
  std::string error;

  void skipSpace() {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r')) ++pos;
  }
  bool fail(const std::string& what) {
    if (error.empty()) error = what + " at offset " + std::to_string(pos);
    return false;
  }
  bool literal(const char* word) {
    size_t n = std::char_traits<char>::length(word);
    if (s.compare(pos, n, word) != 0) return fail("invalid literal");
    pos += n;
    return true;
  }
  bool parseString(std::string* out) {
    if (pos >= s.size() || s[pos] != '"') return fail("expected string");
    ++pos;
    out->clear();
    while (pos < s.size()) {
      char c = s[pos++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character in string");
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos >= s.size()) break;
      char e = s[pos++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out->push_back(e);
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u': {
          if (pos + 4 > s.size()) return fail("truncated \\u escape");
          unsigned code = 0;
          for (int i = 0; i < 4; ++i) {
            char h = s[pos++];
            code <<= 4;
            if (h >= '0' && h <= '9')
              code |= h - '0';
            else if (h >= 'a' && h <= 'f')
              code |= h - 'a' + 10;
            else if (h >= 'A' && h <= 'F')
              code |= h - 'A' + 10;
            else
              return fail("bad \\u escape");
          }
          // Names are compared as bytes; encode as UTF-8 without surrogate pairing.
          if (code < 0x80) {
            out->push_back(static_cast<char>(code));
          } else if (code < 0x800) {
            out->push_back(static_cast<char>(0xC0 | (code >> 6)));
            out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
          } else {
            out->push_back(static_cast<char>(0xE0 | (code >> 12)));
            out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
            out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
          }
          break;
        }
        default:
          return fail("bad escape");
      }
    }
    return fail("unterminated string");
  }
  bool parseNumber(JsonValue* v) {
    size_t start = pos;
    if (pos < s.size() && s[pos] == '-') ++pos;
    while (pos < s.size() && (std::isdigit(static_cast<unsigned char>(s[pos])) || s[pos] == '.' || s[pos] == 'e' ||
                              s[pos] == 'E' || s[pos] == '+' || s[pos] == '-'))
      ++pos;
    v->type = JsonValue::kNumber;
    v->text = s.substr(start, pos - start);
    char* end = nullptr;
    v->number = std::strtod(v->text.c_str(), &end);
    if (v->text.empty() || end != v->text.c_str() + v->text.size()) return fail("bad number");
    return true;
  }
  bool parseValue(JsonValue* v, int depth) {
    if (depth > kMaxDepth) return fail("nesting too deep");
    skipSpace();
    if (pos >= s.size()) return fail("unexpected end");
    char c = s[pos];
    if (c == '{') {
      ++pos;
      v->type = JsonValue::kObject;
      skipSpace();
      if (pos < s.size() && s[pos] == '}') return ++pos, true;
      while (true) {
        skipSpace();
        std::string key;
        if (!parseString(&key)) return false;
        skipSpace();
        if (pos >= s.size() || s[pos] != ':') return fail("expected ':'");
        ++pos;
        JsonValue child;
        if (!parseValue(&child, depth + 1)) return false;
        v->object.emplace_back(std::move(key), std::move(child));
        skipSpace();
        if (pos < s.size() && s[pos] == ',') {
          ++pos;
          continue;
        }
        if (pos < s.size() && s[pos] == '}') return ++pos, true;
        return fail("expected ',' or '}'");
      }
    }
    if (c == '[') {
      ++pos;
      v->type = JsonValue::kArray;
      skipSpace();
      if (pos < s.size() && s[pos] == ']') return ++pos, true;
      while (true) {
        JsonValue child;
        if (!parseValue(&child, depth + 1)) return false;
        v->array.push_back(std::move(child));
        skipSpace();
        if (pos < s.size() && s[pos] == ',') {
          ++pos;
          continue;
        }
        if (pos < s.size() && s[pos] == ']') return ++pos, true;
        return fail("expected ',' or ']'");
      }
    }
    if (c == '"') {
      v->type = JsonValue::kString;
      return parseString(&v->text);
    }
    if (c == 't') return v->type = JsonValue::kBool, v->boolean = true, literal("true");
    if (c == 'f') return v->type = JsonValue::kBool, v->boolean = false, literal("false");
    if (c == 'n') return v->type = JsonValue::kNull, literal("null");
    return parseNumber(v);
  }
};

}  // namespace

const JsonValue* JsonValue::find(const std::string& key) const {
  for (const auto& kv : object) {
    if (kv.first == key) return &kv.second;
  }
  return nullptr;
}

bool parseJson(const std::string& text, JsonValue* out, std::string* error) {
  Parser p{text, 0, {}};
  JsonValue v;
  if (!p.parseValue(&v, 0)) {
    *error = p.error;
    return false;
  }
  p.skipSpace();
  if (p.pos != text.size()) {
    *error = "trailing characters at offset " + std::to_string(p.pos);
    return false;
  }
  *out = std::move(v);
  return true;
}

}  // namespace zccl::data
