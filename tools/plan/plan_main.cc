// zccl-plan: the selector's decisions and the cost model's predicted times for a machine described
// on the command line, without running anything: how this project plans past the machines it has.
//
//   zccl-plan [--ranks P] [--nodes N] [--net-gbit G] [--net-lat-us U] [--intra-gbit G] [--intra-lat-us U]
//             [--codec cpu|gpu] [--codec-gbs COMPRESS,DECOMPRESS] [--dtype bf16|fp16|fp32]
//             [-b MIN] [-e MAX] [-f FACTOR] [--coll LIST] [--compression 0|1|auto]
//
// For each collective and message size (bytes per rank, as the perf binaries' sizes): the plan auto
// takes, its predicted time, the best uncompressed plan's, and their ratio (the predicted speedup
// of auto over off). Defaults: 8 ranks on 1 node, this project's CPU codec, shared memory at
// 4 GB/s; --codec gpu takes the GPU defaults (NVLink 150 GB/s, DietGPU's published kernel speeds).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/params.h"
#include "tune/selector.h"

namespace {

using zccl::algo::Collective;

struct Options {
  int ranks = 8, nodes = 1;
  double netGbit = -1, netLatUs = -1, intraGbit = -1, intraLatUs = -1, compressGBs = -1, decompressGBs = -1;
  bool gpu = false;
  int dtype = zcclBfloat16;
  int64_t minBytes = 4 << 10, maxBytes = int64_t{256} << 20, factor = 4;
  std::string colls = "allreduce,allgather,reducescatter,alltoall,broadcast";
  int compression = ZCCL_COMPRESSION_AUTO;
};

void usage() {
  std::printf(
      "usage: zccl-plan [--ranks P] [--nodes N] [--net-gbit G] [--net-lat-us U] [--intra-gbit G]\n"
      "                 [--intra-lat-us U] [--codec cpu|gpu] [--codec-gbs C,D] [--dtype bf16|fp16|fp32]\n"
      "                 [-b MIN] [-e MAX] [-f FACTOR] [--coll LIST] [--compression 0|1|auto]\n");
}

bool parse(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") return usage(), std::exit(0), true;
    if (i + 1 >= argc) return false;
    const char* v = argv[++i];
    if (a == "--ranks")
      o->ranks = std::atoi(v);
    else if (a == "--nodes")
      o->nodes = std::atoi(v);
    else if (a == "--net-gbit")
      o->netGbit = std::atof(v);
    else if (a == "--net-lat-us")
      o->netLatUs = std::atof(v);
    else if (a == "--intra-gbit")
      o->intraGbit = std::atof(v);
    else if (a == "--intra-lat-us")
      o->intraLatUs = std::atof(v);
    else if (a == "--codec")
      o->gpu = std::strcmp(v, "gpu") == 0;
    else if (a == "--codec-gbs") {
      if (std::sscanf(v, "%lf,%lf", &o->compressGBs, &o->decompressGBs) != 2) return false;
    } else if (a == "--dtype") {
      o->dtype = !std::strcmp(v, "fp32") ? zcclFloat32 : !std::strcmp(v, "fp16") ? zcclFloat16 : zcclBfloat16;
    } else if (a == "-b") {
      if (!zccl::parseScaledInt(v, &o->minBytes)) return false;
    } else if (a == "-e") {
      if (!zccl::parseScaledInt(v, &o->maxBytes)) return false;
    } else if (a == "-f") {
      if (!zccl::parseScaledInt(v, &o->factor)) return false;
    } else if (a == "--coll")
      o->colls = v;
    else if (a == "--compression")
      o->compression = !std::strcmp(v, "0") ? 0 : !std::strcmp(v, "1") ? 1 : 2;
    else
      return false;
  }
  return o->ranks >= 1 && o->nodes >= 1 && o->ranks % o->nodes == 0 && o->factor >= 2 && o->minBytes >= 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, &o)) {
    usage();
    return 1;
  }
  const int local = o.ranks / o.nodes;
  zccl::tune::Fabric f =
      o.gpu ? zccl::tune::deviceDefaults(o.ranks, o.nodes, local) : zccl::tune::hostDefaults(o.ranks, o.nodes, local);
  if (o.netGbit > 0) f.inter.bandwidth = o.netGbit * 1e9 / 8;
  if (o.netLatUs > 0) f.inter.latency = o.netLatUs * 1e-6;
  if (o.intraGbit > 0) f.intra.bandwidth = o.intraGbit * 1e9 / 8;
  if (o.intraLatUs > 0) f.intra.latency = o.intraLatUs * 1e-6;
  if (o.compressGBs > 0) {
    for (zccl::tune::CodecSpeed& c : f.codec) c.compress = o.compressGBs * 1e9, c.decompress = o.decompressGBs * 1e9;
  }
  zccl::tune::Settings s{};
  for (int c = 0; c < zccl::algo::kCollectives; ++c) {
    s.compressionFor[c] = o.compression;
    s.algorithmFor[c] = zccl::tune::kAutoAlgorithm;
  }
  s.codecMode = zcclCodecModeWindow;
  s.minCompressBytes = 64 << 10;
  std::printf(
      "# zccl-plan: %d ranks on %d nodes (%d a node); between nodes %.3g Gbit/s %.3g us; inside %.3g Gbit/s "
      "%.3g us;\n# codec %s: bf16 %.3g/%.3g GB/s ratio %.3f; model predictions, not measurements\n",
      o.ranks, o.nodes, local, f.inter.bandwidth * 8 / 1e9, f.inter.latency * 1e6, f.intra.bandwidth * 8 / 1e9,
      f.intra.latency * 1e6, o.gpu ? "gpu" : "cpu", f.codec[0].compress / 1e9, f.codec[0].decompress / 1e9,
      f.codec[0].ratio);
  std::printf("# %-14s %12s  %-18s %12s %12s %8s\n", "collective", "bytes", "plan", "time_ms", "raw_ms", "speedup");
  for (int c = 0; c < zccl::algo::kCollectives; ++c) {
    const auto coll = static_cast<Collective>(c);
    const std::string name = zccl::algo::collectiveName(coll);
    if (("," + o.colls + ",").find("," + name + ",") == std::string::npos) continue;
    for (int64_t bytes = o.minBytes; bytes <= o.maxBytes; bytes *= o.factor) {
      // The transport's own collective: NCCL has every type; MPI no 16-bit float reductions.
      const bool reduction = coll == Collective::kAllReduce || coll == Collective::kReduceScatter ||
                             coll == Collective::kReduce;
      const bool plain = o.gpu || o.dtype == zcclFloat32 || !reduction;
      const zccl::tune::Query q{coll, o.dtype, static_cast<size_t>(bytes), plain};
      const zccl::tune::Choice ch = zccl::tune::select(q, s, f);
      std::printf("  %-14s %12lld  %-18s %12s %12s %7.3fx\n", name.c_str(), static_cast<long long>(bytes),
                  zccl::tune::describe(ch.plan).c_str(), zccl::tune::milliseconds(ch.seconds).c_str(),
                  zccl::tune::milliseconds(ch.bestRaw).c_str(), ch.bestRaw / ch.seconds);
    }
  }
  return 0;
}
