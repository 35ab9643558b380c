// What a communicator learns about its machine at creation, for the selector: which
// ranks share a node, and, for host-memory communicators, the links and the codec measured:
//
//   nodes    every rank's node key (ZCCL_HOSTID, else Transport::nodeKey) gathered by all;
//   links    among the nodes' first ranks a ring of timed exchanges (a 2 MiB warm-up, 10 of 8
//            bytes for latency (median), 4 of 2 MiB for bandwidth (the fastest: noise only slows
//            an exchange; smaller ones ride the shaper's burst and TCP's window and overstate
//            it)), and inside each node its first two ranks exchanging the same;
//   codec    every rank compresses and decompresses 1 MiB of Gaussian data of each coded dtype
//            at the same time (ranks of a node share its memory system), best of four (a
//            repetition the scheduler interrupts measures the wait); plus the host reduction's
//            speed (best of two). Where more of the communicator's ranks run on one machine (one
//            kernel boot id: namespaces and containers included) than the process has cores, each
//            rank gets its share of them (coreShare) and the speeds are scaled by it;
//   agreed   the figures are exchanged and every rank takes the worst of each (the slowest link,
//            the slowest codec), so every rank builds the same plans.
// At 1 Gbit/s between nodes it takes about 150 ms. The agreed figures are cached per process
// and shape (ranks and node layout): later communicators of the same shape reuse them when all
// their ranks have them.
//
// Measurement over the transport, not the cost model: the model (cost_model.h) stays a pure
// function of the figures this agrees on.
#pragma once

#include <cstdint>
#include <vector>

#include "transport/transport.h"
#include "tune/fabric.h"

namespace zccl::tune {

// The node of every rank, numbered in order of first appearance, and the fabric's shape.
struct NodeMap {
  std::vector<int> nodeOf;  // by rank
  int nodes = 1, localRanks = 1;
  bool uniform = true;  // every node holds localRanks ranks
};

// Collective: gathers the node keys (hostIdOverride: ZCCL_HOSTID's value, or empty).
zcclResult_t discoverNodes(transport::Transport& t, const char* hostIdOverride, NodeMap* out);

// Collective over host-memory transports: measures links and codec and agrees on the figures
// (or reuses the process's cached figures for this shape). *fabric receives shape and figures.
zcclResult_t probeFabric(transport::Transport& t, const NodeMap& nodes, Fabric* fabric);

// The fraction of a core's codec speed each rank can count on when `ranksOnMachine` ranks code
// on `cores` cores at once: 1 while each has a core, cores / ranks beyond.
double coreShare(int ranksOnMachine, int cores);

// Agrees on per-rank figures that may differ (each rank's own measurement) so that all ranks end
// with the worst of each: what probeFabric does after measuring; public for tests.
zcclResult_t agreeFigures(transport::Transport& t, Fabric* fabric);

}  // namespace zccl::tune
