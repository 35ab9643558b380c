// The single registry of ZCCL_* settings. Each entry: identifier, variable name, default value,
// accepted values, description. docs/env.md documents every entry (a test checks both agree).
// Include this file with ZCCL_PARAM defined; it is an X-macro list, not a normal header.
// clang-format off
ZCCL_PARAM(kDebug, "ZCCL_DEBUG", "NONE", "NONE|VERSION|WARN|INFO|TRACE",
           "Log level. WARN prints errors, INFO adds decisions (algorithm, compression), TRACE adds per-call detail.")
ZCCL_PARAM(kDebugSubsys, "ZCCL_DEBUG_SUBSYS", "ALL", "comma list of INIT,COLL,P2P,NET,CODEC,TUNE,ENV,ALL; ^ negates",
           "Subsystems whose INFO/TRACE lines are printed.")
ZCCL_PARAM(kDebugFile, "ZCCL_DEBUG_FILE", "", "path; %h = host name, %p = pid",
           "Write log lines to this file instead of standard error.")
ZCCL_PARAM(kVerify, "ZCCL_VERIFY", "0", "0|1",
           "1: compressed frames carry per-block checksums of the decoded data, verified on decode.")
ZCCL_PARAM(kCodecImpl, "ZCCL_CODEC_IMPL", "auto", "auto|fast|reference",
           "CPU codec implementation. Both write byte-identical frames; reference is the readable scalar oracle.")
ZCCL_PARAM(kCodecMode, "ZCCL_CODEC_MODE", "window", "window|stored",
           "Default codec mode for float types when a config leaves it unset.")
ZCCL_PARAM(kCompression, "ZCCL_COMPRESSION", "auto", "0|1|auto (also off|on); or COLL:VALUE entries separated by ;",
           "Compression policy of communicators whose config leaves it unset, for all or per collective.")
ZCCL_PARAM(kChunkBytes, "ZCCL_CHUNK_BYTES", "1M", "bytes, K/M/G suffixes, 1K to 1G",
           "Pipeline chunk: bytes of uncompressed data per message. Unset: the selector's choice under auto.")
ZCCL_PARAM(kScratchBytes, "ZCCL_SCRATCH_BYTES", "256M", "bytes, K/M/G suffixes, 1M or more",
           "Scratch memory a communicator may hold; larger calls run as windows that fit (the same on every rank).")
ZCCL_PARAM(kMinCompressBytes, "ZCCL_MIN_COMPRESS_BYTES", "64K", "bytes, K/M/G suffixes",
           "Under auto, messages smaller than this are never compressed.")
ZCCL_PARAM(kAlgo, "ZCCL_ALGO", "auto", "auto|plain|direct|ring|chain|pairwise; or COLL:ALGO entries separated by ;",
           "Algorithm, for all collectives or per collective; auto: the selector's cost model.")
ZCCL_PARAM(kProbe, "ZCCL_PROBE", "auto", "0|1|auto",
           "Measure links and codec at communicator creation (auto: host-memory communicators over MPI or a custom transport).")
ZCCL_PARAM(kNetBw, "ZCCL_NET_BW", "0", "GB/s (1e9 bytes per second); 0 = measure",
           "Bandwidth of the links between nodes, per node, one direction.")
ZCCL_PARAM(kNetLatUs, "ZCCL_NET_LAT_US", "0", "microseconds; 0 = measure",
           "Latency of a message between nodes.")
ZCCL_PARAM(kIntraBw, "ZCCL_INTRA_BW", "0", "GB/s; 0 = measure",
           "Bandwidth between two ranks of a node, one direction.")
ZCCL_PARAM(kIntraLatUs, "ZCCL_INTRA_LAT_US", "0", "microseconds; 0 = measure",
           "Latency of a message between two ranks of a node.")
ZCCL_PARAM(kTunerConfigFile, "ZCCL_TUNER_CONFIG_FILE", "", "path of a rules file (docs/algorithms.md)",
           "Site rules: collective, size, nodes, ranks, dtype and link ranges -> compression, algorithm, chunk.")
ZCCL_PARAM(kHostId, "ZCCL_HOSTID", "", "any string",
           "Node identity of this rank: ranks with the same value share a node (as NCCL_HOSTID).")
ZCCL_PARAM(kMpiSpinUs, "ZCCL_MPI_SPIN_US", "50", "microseconds; -1 = spin without pause (MPI_Wait)",
           "How long a wait on the Open MPI transport polls before it yields the core between polls.")
ZCCL_PARAM(kMpiPrepost, "ZCCL_MPI_PREPOST", "1", "0|1",
           "1: receives with room for their size class go to MPI before their message arrives; 0: after.")
ZCCL_PARAM(kTorchTransport, "ZCCL_TORCH_TRANSPORT", "auto", "auto|mpi|gloo",
           "PyTorch backend (plugins/torch): what carries the bytes; auto = Open MPI under mpirun, else gloo.")
ZCCL_PARAM(kReducePrecision, "ZCCL_REDUCE_PRECISION", "lossless", "lossless|8bit",
           "Precision of sum/avg bf16/fp16/fp32 all-reduce and reduce-scatter; 8bit is lossy and opt-in.")
ZCCL_PARAM(kReducePrecisionMinBytes, "ZCCL_REDUCE_PRECISION_MIN_BYTES", "0", "bytes, K/M/G suffixes",
           "Under 8bit, smaller contributions (one rank's bytes) stay lossless.")
ZCCL_PARAM(kReduceRounding, "ZCCL_REDUCE_ROUNDING", "nearest", "nearest|stochastic",
           "Rounding of the 8-bit codes of 8-bit reductions; stochastic is seeded by ZCCL_REDUCE_SEED.")
ZCCL_PARAM(kReduceSeed, "ZCCL_REDUCE_SEED", "0", "integer",
           "Seed of stochastic 8-bit rounding; all ranks must use the same.")
// Reliability (issue 11): docs/algorithms.md, "Error semantics".
ZCCL_PARAM(kTimeout, "ZCCL_TIMEOUT", "0", "seconds; 0 = wait forever",
           "A wait on a peer that makes no progress for this long fails with zcclRemoteError naming the peer.")
ZCCL_PARAM(kCheckCalls, "ZCCL_CHECK_CALLS", "0", "0|1",
           "1: every collective first exchanges its full signature with every rank (debugging).")
// clang-format on
