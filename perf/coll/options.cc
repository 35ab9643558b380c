#include "options.h"

#include <getopt.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace zccl::perf {
namespace {

struct NamedType {
  const char* name;
  zcclDataType_t dtype;
};
// nccl-tests' spellings first (they are what typeName prints), then common aliases.
const NamedType kTypes[] = {
    {"int8", zcclInt8},      {"uint8", zcclUint8},        {"int32", zcclInt32},        {"uint32", zcclUint32},
    {"int64", zcclInt64},    {"uint64", zcclUint64},      {"half", zcclFloat16},       {"float", zcclFloat32},
    {"double", zcclFloat64}, {"bfloat16", zcclBfloat16},  {"f8e4m3", zcclFloat8e4m3},  {"f8e5m2", zcclFloat8e5m2},
    {"char", zcclInt8},      {"int", zcclInt32},          {"fp16", zcclFloat16},       {"float16", zcclFloat16},
    {"fp32", zcclFloat32},   {"float32", zcclFloat32},    {"fp64", zcclFloat64},       {"float64", zcclFloat64},
    {"bf16", zcclBfloat16},  {"fp8e4m3", zcclFloat8e4m3}, {"fp8e5m2", zcclFloat8e5m2},
};
const char* const kOps[] = {"sum", "prod", "max", "min", "avg"};

// nccl-tests' size syntax: a number with an optional K, M or G suffix (powers of 1024).
bool parseSize(const char* text, size_t* out) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end == text || v < 0) return false;
  double unit = 1;
  if (*end != '\0') {
    switch (*end) {
      case 'k':
      case 'K':
        unit = 1024.0;
        break;
      case 'm':
      case 'M':
        unit = 1024.0 * 1024;
        break;
      case 'g':
      case 'G':
        unit = 1024.0 * 1024 * 1024;
        break;
      default:
        return false;
    }
    if (end[1] != '\0' && !(end[1] == 'B' && end[2] == '\0')) return false;
  }
  *out = static_cast<size_t>(v * unit);
  return true;
}

bool parseInt(const char* text, long lo, long hi, long* out) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 0);
  if (end == text || *end != '\0' || v < lo || v > hi) return false;
  *out = v;
  return true;
}

bool parseTypes(const char* text, std::vector<zcclDataType_t>* out) {
  out->clear();
  if (std::strcmp(text, "all") == 0) {
    for (int d = 0; d < zcclNumTypes; ++d) out->push_back(static_cast<zcclDataType_t>(d));
    return true;
  }
  for (const NamedType& t : kTypes) {
    if (std::strcmp(text, t.name) == 0) {
      out->push_back(t.dtype);
      return true;
    }
  }
  return false;
}

bool parseOps(const char* text, std::vector<zcclRedOp_t>* out) {
  out->clear();
  for (int o = 0; o < zcclNumOps; ++o) {
    if (std::strcmp(text, "all") == 0 || std::strcmp(text, kOps[o]) == 0) out->push_back(static_cast<zcclRedOp_t>(o));
  }
  return !out->empty();
}

bool parseCompression(const char* text, Compression* out) {
  if (!std::strcmp(text, "0") || !std::strcmp(text, "off")) {
    *out = Compression::kOff;
  } else if (!std::strcmp(text, "1") || !std::strcmp(text, "on")) {
    *out = Compression::kOn;
  } else if (!std::strcmp(text, "auto")) {
    *out = Compression::kAuto;
  } else if (!std::strcmp(text, "both")) {
    *out = Compression::kBoth;
  } else if (!std::strcmp(text, "all")) {
    *out = Compression::kAll;
  } else {
    return false;
  }
  return true;
}

}  // namespace

const char* typeName(zcclDataType_t dtype) {
  for (const NamedType& t : kTypes) {
    if (t.dtype == dtype) return t.name;
  }
  return "?";
}

const char* opName(zcclRedOp_t op) {
  return static_cast<int>(op) >= 0 && op < zcclNumOps ? kOps[static_cast<int>(op)] : "?";
}

const char* compressionName(Compression c) {
  switch (c) {
    case Compression::kOff:
      return "off";
    case Compression::kOn:
      return "on";
    case Compression::kAuto:
      return "auto";
    case Compression::kBoth:
      return "both";
    case Compression::kAll:
      return "all";
  }
  return "?";
}

void printUsage(const char* program) {
  std::printf(
      "USAGE: %s (under mpirun, one rank per process)\n"
      "\t[-b,--minbytes <min size in bytes, K/M/G suffixes>] (default 32M)\n"
      "\t[-e,--maxbytes <max size in bytes>] (default 32M)\n"
      "\t[-i,--stepbytes <increment size>] (default 1M)\n"
      "\t[-f,--stepfactor <increment factor>] (default: add -i)\n"
      "\t[-n,--iters <iteration count>] (default 20)\n"
      "\t[-w,--warmup_iters <warmup iteration count>] (default 5)\n"
      "\t[-c,--check <0/1>] compare every result bit for bit with the uncompressed run (default 1)\n"
      "\t[-o,--op <sum/prod/min/max/avg/all>] (default sum)\n"
      "\t[-d,--datatype <int8/uint8/int32/uint32/int64/uint64/half/float/double/bfloat16/f8e4m3/f8e5m2/all>]"
      " (default float, or the tensor file's)\n"
      "\t[-r,--root <root>] (default 0)\n"
      "\t[-a,--average <0/1/2/3> report the iteration time of <0=rank 0/1=mean/2=min/3=max> over ranks]"
      " (default 1)\n"
      "\t[-J,--output_file <file>] write the results as JSON\n"
      "\t[-Z,--compression <0/1/auto/both/all>] off, on, the selector, off and on alternating, or all three\n"
      "\t\t(all: time is auto's, with offtime, ontime, auto's speedup over the better of them, and its plan;\n"
      "\t\tdefault auto)\n"
      "\t[-D,--data <gaussian[:SIGMA]/laplace/student-t:NU/zeros:FRACTION/random/FILE.safetensors[:TENSOR]>]"
      " (default gaussian)\n"
      "\t[--backend <mpi/nccl>] host buffers over Open MPI, or GPU buffers over NCCL (default mpi)\n"
      "\t[-B,--mpi_baseline <0/1>] also time Open MPI's own collective on the same data (default 0)\n"
      "\t[-h,--help]\n"
      "ZCCL_* variables (docs/env.md) set the rest: ZCCL_ALGO, ZCCL_CHUNK_BYTES, ZCCL_MIN_COMPRESS_BYTES, ...\n",
      program);
}

int parseOptions(int argc, char** argv, PerfOptions* o, std::string* error) {
  static const option kLong[] = {{"minbytes", required_argument, nullptr, 'b'},
                                 {"maxbytes", required_argument, nullptr, 'e'},
                                 {"stepbytes", required_argument, nullptr, 'i'},
                                 {"stepfactor", required_argument, nullptr, 'f'},
                                 {"iters", required_argument, nullptr, 'n'},
                                 {"warmup_iters", required_argument, nullptr, 'w'},
                                 {"check", required_argument, nullptr, 'c'},
                                 {"op", required_argument, nullptr, 'o'},
                                 {"datatype", required_argument, nullptr, 'd'},
                                 {"root", required_argument, nullptr, 'r'},
                                 {"average", required_argument, nullptr, 'a'},
                                 {"output_file", required_argument, nullptr, 'J'},
                                 {"compression", required_argument, nullptr, 'Z'},
                                 {"data", required_argument, nullptr, 'D'},
                                 {"backend", required_argument, nullptr, 'K'},
                                 {"mpi_baseline", required_argument, nullptr, 'B'},
                                 {"help", no_argument, nullptr, 'h'},
                                 {nullptr, 0, nullptr, 0}};
  optind = 1;
  long v = 0;
  for (;;) {
    const int c = getopt_long(argc, argv, "b:e:i:f:n:w:c:o:d:r:a:J:Z:D:B:h", kLong, nullptr);
    if (c == -1) break;
    const char* arg = optarg;
    bool ok = true;
    switch (c) {
      case 'b':
        ok = parseSize(arg, &o->minBytes);
        break;
      case 'e':
        ok = parseSize(arg, &o->maxBytes);
        break;
      case 'i':
        ok = parseSize(arg, &o->stepBytes) && o->stepBytes > 0;
        break;
      case 'f':
        ok = parseInt(arg, 1, 1 << 20, &v);
        o->stepFactor = static_cast<size_t>(v);
        break;
      case 'n':
        ok = parseInt(arg, 1, 1 << 30, &v);
        o->iters = static_cast<int>(v);
        break;
      case 'w':
        ok = parseInt(arg, 0, 1 << 30, &v);
        o->warmupIters = static_cast<int>(v);
        break;
      case 'c':
        ok = parseInt(arg, 0, 1 << 30, &v);
        o->check = v != 0;
        break;
      case 'o':
        ok = parseOps(arg, &o->ops);
        break;
      case 'd':
        ok = parseTypes(arg, &o->dtypes);
        o->dtypeGiven = true;
        break;
      case 'r':
        ok = parseInt(arg, 0, 1 << 30, &v);
        o->root = static_cast<int>(v);
        break;
      case 'a':
        ok = parseInt(arg, 0, 3, &v);
        o->average = static_cast<int>(v);
        break;
      case 'J':
        o->jsonPath = arg;
        break;
      case 'Z':
        ok = parseCompression(arg, &o->compression);
        break;
      case 'D':
        o->payload = arg;
        ok = !o->payload.empty();
        break;
      case 'K':
        if (!std::strcmp(arg, "mpi")) {
          o->backend = Backend::kMpi;
        } else if (!std::strcmp(arg, "nccl")) {
          o->backend = Backend::kNccl;
        } else {
          ok = false;
        }
        break;
      case 'B':
        ok = parseInt(arg, 0, 1, &v);
        o->mpiBaseline = v != 0;
        break;
      case 'h':
        return 1;
      default:
        *error = "unknown option (see -h)";
        return -1;
    }
    if (!ok) {
      const std::string flag = c == 'K' ? std::string("--backend") : std::string("-") + static_cast<char>(c);
      *error = std::string("invalid value '") + (arg ? arg : "") + "' for " + flag;
      return -1;
    }
  }
  if (optind < argc) {
    *error = std::string("unexpected argument '") + argv[optind] + "'";
    return -1;
  }
  if (o->minBytes > o->maxBytes) {
    *error = "invalid sizes for 'minbytes' and 'maxbytes': " + std::to_string(o->minBytes) + " > " +
             std::to_string(o->maxBytes);
    return -1;
  }
  if (o->mpiBaseline && o->backend != Backend::kMpi) {
    *error = "-B (Open MPI baseline) times host buffers: it needs --backend mpi";
    return -1;
  }
  return 0;
}

}  // namespace zccl::perf
