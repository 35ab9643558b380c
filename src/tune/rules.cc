#include "tune/rules.h"

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "common/params.h"
#include "zccl/zccl.h"

namespace zccl::tune {
namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  std::string out = s.substr(b, e - b);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool wildcard(const std::string& f) { return f == "*" || f == "-1"; }

bool parseInt(const std::string& f, int64_t* out) {
  if (wildcard(f)) return *out = -1, true;
  return parseScaledInt(f, out) && *out >= 0;
}

bool parseDouble(const std::string& f, double* out) {
  if (wildcard(f)) return *out = -1, true;
  char* end = nullptr;
  *out = std::strtod(f.c_str(), &end);
  return end != f.c_str() && *end == '\0' && *out >= 0;
}

int dtypeByName(const std::string& f) {
  static const struct {
    const char* name;
    int dtype;
  } kNames[] = {{"bf16", zcclBfloat16},   {"bfloat16", zcclBfloat16}, {"fp16", zcclFloat16},  {"half", zcclFloat16},
                {"float16", zcclFloat16}, {"fp32", zcclFloat32},      {"float", zcclFloat32}, {"float32", zcclFloat32},
                {"fp64", zcclFloat64},    {"double", zcclFloat64},    {"int8", zcclInt8},     {"uint8", zcclUint8},
                {"int32", zcclInt32},     {"uint32", zcclUint32},     {"int64", zcclInt64},   {"uint64", zcclUint64}};
  for (const auto& n : kNames) {
    if (f == n.name) return n.dtype;
  }
  return -2;
}

bool parseLine(const std::vector<std::string>& f, Rule* r, std::string* why) {
  if (f.size() != 11) return *why = "expected 11 fields, found " + std::to_string(f.size()), false;
  if (!wildcard(f[0])) {
    r->coll = -2;
    for (int c = 0; c < algo::kCollectives; ++c) {
      if (f[0] == algo::collectiveName(static_cast<algo::Collective>(c))) r->coll = c;
    }
    if (r->coll < 0) return *why = "unknown collective \"" + f[0] + "\"", false;
  }
  int64_t nodes = -1, ranks = -1;
  if (!parseInt(f[1], &r->minBytes) || !parseInt(f[2], &r->maxBytes) || !parseInt(f[3], &nodes) ||
      !parseInt(f[4], &ranks)) {
    return *why = "sizes, nodes and ranks are counts (K/M/G suffixes) or -1", false;
  }
  r->nodes = static_cast<int>(nodes);
  r->ranks = static_cast<int>(ranks);
  if (!wildcard(f[5]) && (r->dtype = dtypeByName(f[5])) < 0) return *why = "unknown dtype \"" + f[5] + "\"", false;
  if (!parseDouble(f[6], &r->minGbit) || !parseDouble(f[7], &r->maxGbit)) {
    return *why = "link speeds are Gbit/s or -1", false;
  }
  if (f[8] == "0" || f[8] == "off") r->compress = ZCCL_COMPRESSION_OFF;
  if (f[8] == "1" || f[8] == "on") r->compress = ZCCL_COMPRESSION_ON;
  if (f[8] == "auto") r->compress = ZCCL_COMPRESSION_AUTO;
  if (r->compress < 0 && !wildcard(f[8])) return *why = "compress is 0, 1, auto or -1", false;
  if (!wildcard(f[9])) {
    if (f[9] == "auto") r->algorithm = -1;
    for (int a = 0; a < algo::kAlgorithms; ++a) {
      if (f[9] == algo::algorithmName(static_cast<algo::Algorithm>(a))) r->algorithm = a;
    }
    if (r->algorithm == -2) return *why = "unknown algorithm \"" + f[9] + "\"", false;
    if (r->algorithm >= 0 && r->coll >= 0 &&
        !algo::algorithmRuns(static_cast<algo::Collective>(r->coll), static_cast<algo::Algorithm>(r->algorithm))) {
      return *why = f[9] + " cannot run " + f[0], false;
    }
  }
  if (!parseInt(f[10], &r->chunk) || (r->chunk >= 0 && (r->chunk < 1024 || r->chunk > (int64_t{1} << 30)))) {
    return *why = "chunk is 1K to 1G bytes, or -1", false;
  }
  return true;
}

}  // namespace

std::vector<Rule> parseRules(const std::string& text, std::vector<std::string>* problems) {
  std::vector<Rule> rules;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    const size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    if (trim(line).empty()) continue;
    std::vector<std::string> fields;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) fields.push_back(trim(cell));
    Rule r;
    std::string why;
    if (parseLine(fields, &r, &why)) {
      rules.push_back(r);
    } else {
      problems->push_back("line " + std::to_string(n) + ": " + why);
    }
  }
  return rules;
}

const Rule* matchRule(const std::vector<Rule>& rules, algo::Collective coll, size_t bytes, int nodes, int ranks,
                      int dtype, double linkGbit) {
  const auto b = static_cast<int64_t>(bytes);
  for (const Rule& r : rules) {
    if (r.coll >= 0 && r.coll != static_cast<int>(coll)) continue;
    if ((r.minBytes >= 0 && b < r.minBytes) || (r.maxBytes >= 0 && b > r.maxBytes)) continue;
    if ((r.nodes >= 0 && r.nodes != nodes) || (r.ranks >= 0 && r.ranks != ranks)) continue;
    if (r.dtype >= 0 && r.dtype != dtype) continue;
    if ((r.minGbit >= 0 && linkGbit < r.minGbit) || (r.maxGbit >= 0 && linkGbit > r.maxGbit)) continue;
    return &r;
  }
  return nullptr;
}

}  // namespace zccl::tune
