// What the selector knows about the machine a communicator runs on: its shape (ranks, nodes) and
// the figures of its links and codec, agreed by all ranks at creation (src/tune/probe.h), so that
// every rank computes the same plan for the same call. Plain values: no MPI, no GPU.
#pragma once

#include <cstddef>

#include "algo/plan.h"

namespace zccl::tune {

// A link as the Hockney model sees it: time(bytes) = latency + bytes / bandwidth.
struct Link {
  double latency = 0;    // seconds per message
  double bandwidth = 0;  // bytes per second, one direction, with every rank of the level sending
};

// The codec on one coded dtype, measured with all ranks of a node coding at once.
struct CodecSpeed {
  double compress = 0;    // bytes of raw data per second
  double decompress = 0;  // bytes of raw data per second
  double ratio = 1;       // frame bytes / raw bytes on Gaussian data of that dtype
};

// Index of a coded dtype in Fabric::codec (bf16, fp16, fp32), or -1.
int codecIndex(int dtype);

struct Fabric {
  int ranks = 1;
  int nodes = 1;
  int localRanks = 1;        // ranks of the largest node
  bool uniformNodes = true;  // every node holds localRanks ranks (hierarchical plans can run)
  Link intra;                // between ranks of a node (shared memory, NVLink)
  Link inter;                // between nodes (per node: its ranks share it)
  CodecSpeed codec[3];
  double reduceBandwidth = 0;  // bytes of one input per second reduced into an fp32 accumulator
  // Transfers inside a node are copies made by the same cores that run the codec (shared memory
  // between host processes), so the two add up instead of overlapping; false where a DMA engine or
  // the interconnect moves the bytes (NVLink, a NIC).
  bool intraUsesCores = false;
  // Messages up to this many bytes leave the sender without waiting for the receiver to take them
  // (the transport's eager protocol; 0: none known), per level. Where a chain's pieces are that
  // small, calls made back to back overlap (cost_model.cc, broadcast).
  double intraEagerBytes = 0, interEagerBytes = 0;
  // Seconds of the ranks' cores each byte crossing the network costs (the kernel's TCP copies at
  // both ends), on the cores that also run the codec; 0 where a NIC's DMA moves it (RDMA, NCCL).
  // Where the network is faster than the cores can copy (unshaped TCP), compression's codec time
  // comes on top of copies that already take the whole step.
  double interCopySecondsPerByte = 0;
  // The fraction of the textbook bandwidth the transport's own collective reaches, per collective
  // (algo::Collective order), fitted against measured runs: Open MPI 4.1's own collectives over
  // shared memory and TCP fall far short of the textbook forms (docs/perf.md section 10); NCCL's
  // are the reference (1).
  double plainEfficiency[algo::kCollectives] = {1, 1, 1, 1, 1, 1};
  // Where the figures came from, for the log: "probe", "cache", "defaults", "environment", ...
  const char* source = "defaults";
  double probeSeconds = 0;  // time the probe took at creation (0 if it did not run)
};

// Bytes a core moves through the kernel's TCP stack per second, sending and receiving (measured
// on this project's machine; hostDefaults, scaled by the probe).
constexpr double kTcpCopyBytesPerCoreSecond = 1.6e9;

// Figures for a communicator that was not probed: this project's measured CPU codec (docs/perf.md)
// and links of the given kind.
Fabric hostDefaults(int ranks, int nodes, int localRanks);
Fabric deviceDefaults(int ranks, int nodes, int localRanks);

}  // namespace zccl::tune
