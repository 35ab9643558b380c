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
ZCCL_PARAM(kCompression, "ZCCL_COMPRESSION", "auto", "0|1|auto (also off|on)",
           "Compression policy of communicators whose config leaves it unset.")
ZCCL_PARAM(kChunkBytes, "ZCCL_CHUNK_BYTES", "1M", "bytes, K/M/G suffixes",
           "Pipeline chunk: bytes of uncompressed data per message (each an independent frame).")
ZCCL_PARAM(kMinCompressBytes, "ZCCL_MIN_COMPRESS_BYTES", "64K", "bytes, K/M/G suffixes",
           "Under auto, messages smaller than this go through the transport's own collective.")
ZCCL_PARAM(kAlgo, "ZCCL_ALGO", "direct", "direct|ring",
           "Algorithm of reduce-scatter, all-reduce and reduce.")
ZCCL_PARAM(kMpiSpinUs, "ZCCL_MPI_SPIN_US", "50", "microseconds; -1 = spin without pause (MPI_Wait)",
           "How long a wait on the Open MPI transport polls before it yields the core between polls.")
// Reliability (issue 11): docs/algorithms.md, "Error semantics".
ZCCL_PARAM(kTimeout, "ZCCL_TIMEOUT", "0", "seconds; 0 = wait forever",
           "A wait on a peer that makes no progress for this long fails with zcclRemoteError naming the peer.")
ZCCL_PARAM(kCheckCalls, "ZCCL_CHECK_CALLS", "0", "0|1",
           "1: every collective first exchanges its full signature with every rank (debugging).")
// clang-format on
