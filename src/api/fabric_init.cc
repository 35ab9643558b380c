// A communicator's figures for the selector, learnt at creation (api/comm.h: initFabric).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "api/comm.h"
#include "common/check.h"
#include "common/params.h"
#include "transport/sub_transport.h"
#include "tune/probe.h"
#include "tune/selector.h"

namespace zccl::api {
namespace {

void logTable(const zcclComm* comm) {
  using tune::milliseconds;
  const tune::Fabric& f = comm->fabric;
  ZCCL_INFO(kLogTune,
            "fabric (%s): %d ranks on %d nodes (<= %d a node); inter-node %.3g GB/s %.1f us, intra-node %.3g GB/s "
            "%.1f us; codec bf16 %.2f/%.2f GB/s ratio %.3f, fp16 %.2f/%.2f %.3f, fp32 %.2f/%.2f %.3f; reduce %.2f "
            "GB/s; probe %.0f ms",
            f.source, f.ranks, f.nodes, f.localRanks, f.inter.bandwidth / 1e9, f.inter.latency * 1e6,
            f.intra.bandwidth / 1e9, f.intra.latency * 1e6, f.codec[0].compress / 1e9, f.codec[0].decompress / 1e9,
            f.codec[0].ratio, f.codec[1].compress / 1e9, f.codec[1].decompress / 1e9, f.codec[1].ratio,
            f.codec[2].compress / 1e9, f.codec[2].decompress / 1e9, f.codec[2].ratio, f.reduceBandwidth / 1e9,
            f.probeSeconds * 1e3);
  for (int c = 0; c < algo::kCollectives; ++c) {
    std::string line;
    for (size_t bytes = size_t{4} << 10; bytes <= (size_t{256} << 20); bytes <<= 4) {
      const tune::Query q{static_cast<algo::Collective>(c), zcclBfloat16, bytes, true};
      const tune::Choice ch = tune::select(q, comm->settings, f);
      char cell[160];
      std::snprintf(cell, sizeof(cell), " | %zuK %s %s ms (raw %s, coded %s)", bytes >> 10,
                    tune::describe(ch.plan).c_str(), milliseconds(ch.seconds).c_str(), milliseconds(ch.bestRaw).c_str(),
                    milliseconds(ch.bestCoded).c_str());
      line += cell;
    }
    ZCCL_INFO(kLogTune, "plan bf16 %s%s", algo::collectiveName(static_cast<algo::Collective>(c)), line.c_str());
  }
}

}  // namespace

zcclResult_t initFabric(zcclComm* comm, bool hostMemory, bool probeByDefault) {
  transport::Transport& t = *comm->transport;
  comm->engine->setScratchBudget(comm->settings.scratchBytes);
  tune::NodeMap nodes;
  const std::string hostId = paramString(Param::kHostId);
  ZCCL_CHECK(tune::discoverNodes(t, hostId.c_str(), &nodes));
  if (nodes.uniform && nodes.nodes > 1 && nodes.localRanks > 1) {
    std::vector<int> mates, peers;  // my node's ranks; the ranks of my local index on every node
    const int myNode = nodes.nodeOf[t.rank()];
    std::vector<int> seen(nodes.nodes, 0);
    int myIndex = 0;
    for (int p = 0; p < t.size(); ++p) {
      const int index = seen[nodes.nodeOf[p]]++;
      if (nodes.nodeOf[p] == myNode) mates.push_back(p);
      if (p == t.rank()) myIndex = index;
    }
    std::fill(seen.begin(), seen.end(), 0);
    for (int p = 0; p < t.size(); ++p) {
      if (seen[nodes.nodeOf[p]]++ == myIndex) peers.push_back(p);
    }
    std::sort(peers.begin(), peers.end(), [&](int a, int b) { return nodes.nodeOf[a] < nodes.nodeOf[b]; });
    comm->intraLevel = std::make_unique<transport::SubTransport>(t, mates);
    comm->interLevel = std::make_unique<transport::SubTransport>(t, peers);
  }
  const tune::Settings& s = comm->settings;
  const bool probe = s.probe == 1 || (s.probe == 2 && probeByDefault && t.size() > 1);
  // The defaults first: the probe replaces what it measures and keeps the rest (the fitted
  // efficiency of the transport's own collectives).
  comm->fabric = hostMemory ? tune::hostDefaults(t.size(), nodes.nodes, nodes.localRanks)
                            : tune::deviceDefaults(t.size(), nodes.nodes, nodes.localRanks);
  comm->fabric.uniformNodes = nodes.uniform;
  if (probe) ZCCL_CHECK(tune::probeFabric(t, nodes, &comm->fabric));
  const auto given = [&](const tune::Link& g, tune::Link* l) {
    if (g.bandwidth <= 0 && g.latency <= 0) return;
    if (g.bandwidth > 0) l->bandwidth = g.bandwidth;
    if (g.latency > 0) l->latency = g.latency;
    comm->fabric.source = probe ? "probe+environment" : "defaults+environment";
  };
  given(s.interGiven, &comm->fabric.inter);
  given(s.intraGiven, &comm->fabric.intra);
  // The table costs 30 selector calls: only when it is printed.
  if (t.rank() == 0 && logEnabled(LogLevel::kInfo, kLogTune)) logTable(comm);
  return zcclSuccess;
}

}  // namespace zccl::api
