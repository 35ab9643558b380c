#include "tune/settings.h"

#include <cctype>
#include <fstream>
#include <sstream>

#include "common/check.h"
#include "common/log.h"
#include "common/params.h"

namespace zccl::tune {
namespace {

using algo::Algorithm;
using algo::Collective;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

int collectiveByName(const std::string& name) {
  for (int c = 0; c < algo::kCollectives; ++c) {
    if (name == algo::collectiveName(static_cast<Collective>(c))) return c;
  }
  return -1;
}

// Calls apply(collective or -1 for all, value) for each `;`-separated entry.
template <typename Apply>
void forEachEntry(const std::string& spec, std::vector<std::string>* problems, Apply apply) {
  size_t start = 0;
  while (start <= spec.size()) {
    size_t end = spec.find(';', start);
    if (end == std::string::npos) end = spec.size();
    const std::string entry = lower(trim(spec.substr(start, end - start)));
    start = end + 1;
    if (entry.empty()) continue;
    const size_t colon = entry.find(':');
    int coll = -1;
    std::string value = entry;
    if (colon != std::string::npos) {
      coll = collectiveByName(trim(entry.substr(0, colon)));
      value = trim(entry.substr(colon + 1));
      if (coll < 0) {
        problems->push_back("unknown collective in \"" + entry + "\"");
        continue;
      }
    }
    if (!apply(coll, value)) problems->push_back("\"" + entry + "\" is not valid");
  }
}

bool isReduction(int c) {
  return c == static_cast<int>(Collective::kAllReduce) || c == static_cast<int>(Collective::kReduceScatter) ||
         c == static_cast<int>(Collective::kReduce);
}

int algorithmByName(const std::string& name) {
  if (name == "auto") return kAutoAlgorithm;
  for (int a = 0; a < algo::kAlgorithms; ++a) {
    if (name == algo::algorithmName(static_cast<Algorithm>(a))) return a;
  }
  return -2;
}

// zcclConfig_t.algorithm: ZCCL_ALGO_DIRECT / _RING (reductions), _PLAIN, _AUTO (every collective).
bool applyConfigAlgorithm(int value, int out[algo::kCollectives]) {
  const char* name = value == ZCCL_ALGO_DIRECT     ? "direct"
                     : value == ZCCL_ALGO_RING     ? "ring"
                     : value == ZCCL_ALGO_PLAIN    ? "plain"
                     : value == ZCCL_ALGO_AUTO     ? "auto"
                     : value == ZCCL_ALGO_HIER     ? "allreduce:hier"
                     : value == ZCCL_ALGO_DOUBLING ? "allreduce:doubling"
                                                   : nullptr;
  if (name == nullptr) return false;
  std::vector<std::string> ignored;
  applyAlgorithmSpec(name, out, &ignored);
  return true;
}

void warnProblems(Param id, const std::vector<std::string>& problems) {
  for (const std::string& p : problems) paramWarnOnce(id, paramString(id), p + ": that entry is ignored");
}

// The 8-bit reduction fields; logs once at INFO when the communicator reduces in 8 bits.
zcclResult_t resolveReducePrecision(const zcclConfig_t& c, Settings* out) {
  out->reducePrecision = c.reducePrecision != ZCCL_CONFIG_UNDEF_INT
                             ? c.reducePrecision
                             : paramChoice(Param::kReducePrecision, {"lossless", "8bit"});
  ZCCL_REQUIRE(
      out->reducePrecision == ZCCL_REDUCE_PRECISION_LOSSLESS || out->reducePrecision == ZCCL_REDUCE_PRECISION_8BIT,
      zcclInvalidArgument,
      "config: reducePrecision must be ZCCL_REDUCE_PRECISION_LOSSLESS or ZCCL_REDUCE_PRECISION_8BIT, not %d",
      out->reducePrecision);
  const int64_t minBytes = paramInt(Param::kReducePrecisionMinBytes);
  ZCCL_REQUIRE(minBytes >= 0, zcclInvalidArgument, "ZCCL_REDUCE_PRECISION_MIN_BYTES must not be negative");
  out->reducePrecisionMinBytes = static_cast<size_t>(minBytes);
  out->reduceStochastic = paramChoice(Param::kReduceRounding, {"nearest", "stochastic"}) == 1;
  out->reduceSeed = static_cast<uint64_t>(paramInt(Param::kReduceSeed));
  if (out->reducePrecision == ZCCL_REDUCE_PRECISION_8BIT) {
    ZCCL_INFO(kLogInit,
              "communicator reduces in 8 bits (lossy): sum/avg all-reduce and reduce-scatter of bf16/fp16/fp32 "
              "of at least %zu bytes per rank, rounded %s; every other call stays lossless",
              out->reducePrecisionMinBytes, out->reduceStochastic ? "stochastically" : "to nearest");
  }
  return zcclSuccess;
}

}  // namespace

void applyAlgorithmSpec(const std::string& spec, int out[algo::kCollectives], std::vector<std::string>* problems) {
  forEachEntry(spec, problems, [&](int coll, const std::string& value) {
    const int a = algorithmByName(value);
    if (a == -2) return false;
    if (coll >= 0) {
      if (a >= 0 && !algo::algorithmRuns(static_cast<Collective>(coll), static_cast<Algorithm>(a))) return false;
      out[coll] = a;
      return true;
    }
    for (int c = 0; c < algo::kCollectives; ++c) {  // one value for all: direct and ring mean the reductions
      const bool applies = a < 0 || a == static_cast<int>(Algorithm::kPlain) || isReduction(c);
      if (applies && (a < 0 || algo::algorithmRuns(static_cast<Collective>(c), static_cast<Algorithm>(a)))) out[c] = a;
    }
    return true;
  });
}

void applyCompressionSpec(const std::string& spec, int out[algo::kCollectives], std::vector<std::string>* problems) {
  forEachEntry(spec, problems, [&](int coll, const std::string& value) {
    int mode = -1;
    if (value == "0" || value == "off") mode = ZCCL_COMPRESSION_OFF;
    if (value == "1" || value == "on") mode = ZCCL_COMPRESSION_ON;
    if (value == "auto") mode = ZCCL_COMPRESSION_AUTO;
    if (mode < 0) return false;
    for (int c = 0; c < algo::kCollectives; ++c) {
      if (coll < 0 || c == coll) out[c] = mode;
    }
    return true;
  });
}

zcclResult_t resolveSettings(const zcclConfig_t* config, Settings* out) {
  zcclConfig_t c = ZCCL_CONFIG_INITIALIZER;
  if (config != nullptr) {
    ZCCL_REQUIRE(config->size == sizeof(zcclConfig_t) && config->magic == ZCCL_CONFIG_MAGIC, zcclInvalidArgument,
                 "config was not initialised with ZCCL_CONFIG_INITIALIZER");
    c = *config;
  }
  std::vector<std::string> problems;
  for (int i = 0; i < algo::kCollectives; ++i) out->compressionFor[i] = ZCCL_COMPRESSION_AUTO;
  applyCompressionSpec(paramString(Param::kCompression), out->compressionFor, &problems);
  warnProblems(Param::kCompression, problems);
  if (c.compression != ZCCL_CONFIG_UNDEF_INT) {
    ZCCL_REQUIRE(c.compression >= ZCCL_COMPRESSION_OFF && c.compression <= ZCCL_COMPRESSION_AUTO, zcclInvalidArgument,
                 "config: compression must be ZCCL_COMPRESSION_OFF, _ON or _AUTO, not %d", c.compression);
    for (int& m : out->compressionFor) m = c.compression;
  }

  problems.clear();
  for (int i = 0; i < algo::kCollectives; ++i) out->algorithmFor[i] = kAutoAlgorithm;
  applyAlgorithmSpec(paramString(Param::kAlgo), out->algorithmFor, &problems);
  warnProblems(Param::kAlgo, problems);
  if (c.algorithm != ZCCL_CONFIG_UNDEF_INT) {
    ZCCL_REQUIRE(applyConfigAlgorithm(c.algorithm, out->algorithmFor), zcclInvalidArgument,
                 "config: unknown algorithm %d", c.algorithm);
  }

  out->codecMode =
      c.codecMode != ZCCL_CONFIG_UNDEF_INT ? c.codecMode : paramChoice(Param::kCodecMode, {"stored", "window"});
  ZCCL_REQUIRE(out->codecMode == zcclCodecModeStored || out->codecMode == zcclCodecModeWindow, zcclInvalidArgument,
               "config: unknown codec mode %d", out->codecMode);

  constexpr int64_t kMinChunk = 1024, kMaxChunk = int64_t{1} << 30;
  out->chunkBytes = 0;
  if (c.chunkBytes != ZCCL_CONFIG_UNDEF_INT) {
    ZCCL_REQUIRE(c.chunkBytes >= kMinChunk && c.chunkBytes <= kMaxChunk, zcclInvalidArgument,
                 "config: chunkBytes must be between 1 KiB and 1 GiB, not %d", c.chunkBytes);
    out->chunkBytes = static_cast<size_t>(c.chunkBytes);
  } else if (paramSet(Param::kChunkBytes)) {
    out->chunkBytes = static_cast<size_t>(paramIntInRange(Param::kChunkBytes, kMinChunk, kMaxChunk));
  }

  out->scratchBytes = static_cast<size_t>(paramIntInRange(Param::kScratchBytes, int64_t{1} << 20, INT64_MAX));

  if (c.minCompressBytes != ZCCL_CONFIG_UNDEF_INT) {
    ZCCL_REQUIRE(c.minCompressBytes >= 0, zcclInvalidArgument, "config: minCompressBytes must not be negative");
    out->minCompressBytes = static_cast<size_t>(c.minCompressBytes);
  } else {
    out->minCompressBytes = static_cast<size_t>(paramIntInRange(Param::kMinCompressBytes, 0, INT64_MAX));
  }

  if (c.checksum != ZCCL_CONFIG_UNDEF_INT) {
    ZCCL_REQUIRE(c.checksum == 0 || c.checksum == 1, zcclInvalidArgument, "config: checksum must be 0 or 1");
    out->checksum = c.checksum;
  } else {
    out->checksum = paramChoice(Param::kVerify, {"0", "1"});
  }

  out->probe = paramChoice(Param::kProbe, {"0", "1", "auto"});
  const auto link = [](Param bw, Param lat) {
    const double gbps = paramSet(bw) ? paramDouble(bw) : 0, us = paramSet(lat) ? paramDouble(lat) : 0;
    return Link{us > 0 ? us * 1e-6 : 0, gbps > 0 ? gbps * 1e9 : 0};
  };
  out->rules.clear();
  if (paramSet(Param::kTunerConfigFile)) {
    const std::string path = paramString(Param::kTunerConfigFile);
    std::ifstream file(path);
    if (!file) {
      paramWarnOnce(Param::kTunerConfigFile, path, "no rules: the file cannot be read");
    } else {
      std::stringstream text;
      text << file.rdbuf();
      problems.clear();
      out->rules = parseRules(text.str(), &problems);
      for (const std::string& p : problems) paramWarnOnce(Param::kTunerConfigFile, path, p + ": that rule is skipped");
    }
  }
  ZCCL_CHECK(resolveReducePrecision(c, out));
  out->interGiven = link(Param::kNetBw, Param::kNetLatUs);
  out->intraGiven = link(Param::kIntraBw, Param::kIntraLatUs);
  return zcclSuccess;
}

}  // namespace zccl::tune
