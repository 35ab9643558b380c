#include "tune/fabric.h"

#include "zccl/zccl_types.h"

namespace zccl::tune {

int codecIndex(int dtype) {
  switch (dtype) {
    case zcclBfloat16:
      return 0;
    case zcclFloat16:
      return 1;
    case zcclFloat32:
      return 2;
    default:
      return -1;
  }
}

namespace {

Fabric shaped(int ranks, int nodes, int localRanks) {
  Fabric f;
  f.ranks = ranks;
  f.nodes = nodes;
  f.localRanks = localRanks;
  return f;
}

}  // namespace

// One thread of this project's 2-core machine, 64 MiB Gaussian (README, docs/perf.md section 1);
// shared memory and a 10 Gbit/s network as the links.
Fabric hostDefaults(int ranks, int nodes, int localRanks) {
  Fabric f = shaped(ranks, nodes, localRanks);
  f.intra = Link{5e-6, 4e9};
  f.inter = Link{30e-6, 1.25e9};
  f.codec[0] = CodecSpeed{3.6e9, 5.4e9, 0.688};
  f.codec[1] = CodecSpeed{3.7e9, 4.5e9, 0.875};
  f.codec[2] = CodecSpeed{4.6e9, 6.7e9, 0.844};
  f.reduceBandwidth = 4e9;
  f.intraUsesCores = true;
  // Open MPI 4.1's eager limits: btl_vader_eager_limit 4 KiB, btl_tcp_eager_limit 64 KiB (its
  // match header included).
  f.intraEagerBytes = 4096;
  f.interEagerBytes = 65536;
  // TCP through the kernel: one core sends and receives about 1.6 GB/s (this machine, unshaped
  // veth between namespaces: 4 ranks on 2 cores exchanged 0.66-0.9 GB/s each, docs/perf.md
  // section 10); the probe divides it by the ranks' share of the cores.
  f.interCopySecondsPerByte = 1.0 / kTcpCopyBytesPerCoreSecond;
  // Open MPI 4.1.4's own collectives against ZipCCL's uncompressed ones at 64-256 MiB, 4 ranks
  // (docs/perf.md section 10): MPI_Allreduce 0.35 of the speed, MPI_Reduce_scatter_block 0.15,
  // MPI_Allgather 0.7, MPI_Alltoall 1.0, MPI_Bcast 0.5 (1 Gbit/s, 64 KiB-1 MiB); MPI_Reduce is
  // taken as MPI_Allreduce (not measured).
  const double openMpi[algo::kCollectives] = {0.35, 0.5, 0.35, 0.7, 0.15, 1.0};  // Collective order
  for (int c = 0; c < algo::kCollectives; ++c) f.plainEfficiency[c] = openMpi[c];
  return f;
}

// NVLink inside a node, 200 Gbit/s InfiniBand between nodes, and the GPU kernels at DietGPU's
// published A100 speeds (no GPU figures of ZipCCL's own kernels exist yet: docs/kernels.md).
Fabric deviceDefaults(int ranks, int nodes, int localRanks) {
  Fabric f = shaped(ranks, nodes, localRanks);
  f.intra = Link{3e-6, 150e9};
  f.inter = Link{8e-6, 25e9};
  f.codec[0] = CodecSpeed{300e9, 490e9, 0.69};
  f.codec[1] = CodecSpeed{300e9, 490e9, 0.875};
  f.codec[2] = CodecSpeed{300e9, 490e9, 0.845};
  f.reduceBandwidth = 1000e9;
  return f;
}

}  // namespace zccl::tune
