// The site rules file (ZCCL_TUNER_CONFIG_FILE), for sites that know better than the model: one
// rule a line, comma-separated, in the style of NCCL's example tuner CSV; `#` starts a comment;
// `-1` or `*` is a wildcard; the first rule that matches a call wins.
//
//   collective, min_bytes, max_bytes, nodes, ranks, dtype, min_gbit, max_gbit, compress, algorithm, chunk
//   allreduce,  1M,        -1,        -1,    -1,    bf16,  -1,       10,       1,        hier,      4M
//
// collective: allreduce, broadcast, reduce, allgather, reducescatter, alltoall; bytes: one rank's
// message (K/M/G suffixes), inclusive; nodes and ranks: the communicator's; dtype: bf16, fp16,
// fp32 (or any NCCL type name the perf binaries know); min_gbit / max_gbit: the agreed link speed
// between nodes (inside the node when there is one node), Gbit/s; then what to do: compress
// 0 / 1 / auto, an algorithm name or auto, a chunk in bytes or -1. A rule decides only what the
// zcclConfig_t and the ZCCL_* variables leave to the model (precedence: config > environment >
// rules > model). A malformed line is reported and skipped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "algo/plan.h"

namespace zccl::tune {

struct Rule {
  int coll = -1;  // algo::Collective, -1 any
  int64_t minBytes = -1, maxBytes = -1;
  int nodes = -1, ranks = -1;
  int dtype = -1;
  double minGbit = -1, maxGbit = -1;
  int compress = -1;   // ZCCL_COMPRESSION_*, -1: leave it
  int algorithm = -2;  // algo::Algorithm, -1 (kAutoAlgorithm): the model, -2: leave it
  int64_t chunk = -1;  // bytes, -1: leave it
};

// Parses the file's text; each malformed line adds "line N: why" to *problems and is skipped.
std::vector<Rule> parseRules(const std::string& text, std::vector<std::string>* problems);

// The first rule matching a call, or nullptr.
const Rule* matchRule(const std::vector<Rule>& rules, algo::Collective coll, size_t bytes, int nodes, int ranks,
                      int dtype, double linkGbit);

}  // namespace zccl::tune
