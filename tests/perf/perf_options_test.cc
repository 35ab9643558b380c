// The perf binaries' pieces that need no MPI job: the command line (nccl-tests' flags, defaults
// and size syntax, ZipCCL's additions, errors), the collective descriptions (counts, in-place
// offsets, bus bandwidth factors of nccl-tests), the payloads (deterministic, different per
// rank, from synthetic specs and from tensor files) and the table format.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "coll_desc.h"
#include "options.h"
#include "payload.h"
#include "report.h"
#include "tensor_file.h"

namespace zccl::perf {
namespace {

int parse(std::vector<std::string> args, PerfOptions* o, std::string* error) {
  args.insert(args.begin(), "all_reduce_perf");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return parseOptions(static_cast<int>(args.size()), argv.data(), o, error);
}

TEST(PerfOptions, DefaultsAreNcclTests) {
  PerfOptions o;
  std::string error;
  ASSERT_EQ(parse({}, &o, &error), 0) << error;
  EXPECT_EQ(o.minBytes, 32u << 20);
  EXPECT_EQ(o.maxBytes, 32u << 20);
  EXPECT_EQ(o.stepBytes, 1u << 20);
  EXPECT_EQ(o.iters, 20);
  EXPECT_EQ(o.warmupIters, 5);
  EXPECT_EQ(o.check, 1);
  EXPECT_EQ(o.average, 1);
  ASSERT_EQ(o.dtypes.size(), 1u);
  EXPECT_EQ(o.dtypes[0], zcclFloat32);
  ASSERT_EQ(o.ops.size(), 1u);
  EXPECT_EQ(o.ops[0], zcclSum);
  EXPECT_EQ(o.compression, Compression::kAuto);
  EXPECT_EQ(o.payload, "gaussian");
  EXPECT_EQ(o.backend, Backend::kMpi);
}

TEST(PerfOptions, FlagsAndSizeSuffixes) {
  PerfOptions o;
  std::string error;
  ASSERT_EQ(parse({"-b", "8",        "-e", "128M", "-f", "2",           "-n",        "7",   "-w", "0",
                   "-c", "0",        "-o", "avg",  "-d", "bfloat16",    "-r",        "3",   "-a", "2",
                   "-J", "out.json", "-Z", "both", "-D", "student-t:4", "--backend", "nccl"},
                  &o, &error),
            0)
      << error;
  EXPECT_EQ(o.minBytes, 8u);
  EXPECT_EQ(o.maxBytes, 128u << 20);
  EXPECT_EQ(o.stepFactor, 2u);
  EXPECT_EQ(o.iters, 7);
  EXPECT_EQ(o.warmupIters, 0);
  EXPECT_EQ(o.check, 0);
  EXPECT_EQ(o.ops[0], zcclAvg);
  EXPECT_EQ(o.dtypes[0], zcclBfloat16);
  EXPECT_TRUE(o.dtypeGiven);
  EXPECT_EQ(o.root, 3);
  EXPECT_EQ(o.average, 2);
  EXPECT_EQ(o.jsonPath, "out.json");
  EXPECT_EQ(o.compression, Compression::kBoth);
  PerfOptions a;
  ASSERT_EQ(parse({"-Z", "all"}, &a, &error), 0) << error;
  EXPECT_EQ(a.compression, Compression::kAll);
  EXPECT_EQ(o.payload, "student-t:4");
  EXPECT_EQ(o.backend, Backend::kNccl);
  ASSERT_EQ(parse({"-b", "4K", "-e", "1G", "-d", "all", "-o", "all", "-Z", "0"}, &o, &error), 0) << error;
  EXPECT_EQ(o.minBytes, 4096u);
  EXPECT_EQ(o.maxBytes, size_t{1} << 30);
  EXPECT_EQ(o.dtypes.size(), static_cast<size_t>(zcclNumTypes));
  EXPECT_EQ(o.ops.size(), static_cast<size_t>(zcclNumOps));
  EXPECT_EQ(o.compression, Compression::kOff);
  ASSERT_EQ(parse({"-h"}, &o, &error), 1);
}

TEST(PerfOptions, BadValuesAreErrorsNamingTheFlag) {
  const std::vector<std::vector<std::string>> bad = {
      {"-b", "12X"},
      {"-b", "2M", "-e", "1M"},
      {"-d", "float128"},
      {"-o", "xor"},
      {"-Z", "maybe"},
      {"-n", "0"},
      {"-a", "4"},
      {"--backend", "gloo"},
      {"-B", "1", "--backend", "nccl"},
      {"stray"},
      {"-f", "-2"},
  };
  for (const auto& args : bad) {
    PerfOptions o;
    std::string error;
    EXPECT_EQ(parse(args, &o, &error), -1) << args[0] << " " << (args.size() > 1 ? args[1] : "");
    EXPECT_FALSE(error.empty());
  }
}

TEST(CollDesc, CountsFollowNcclTests) {
  const int n = 4;
  const size_t bytes = 1 << 20, eb = 2, count = bytes / eb;
  const CollCounts ar = collDesc(CollKind::kAllReduce).counts(bytes, eb, n);
  EXPECT_EQ(ar.param, count);
  EXPECT_EQ(ar.send, count);
  EXPECT_EQ(ar.recv, count);
  const CollCounts ag = collDesc(CollKind::kAllGather).counts(bytes, eb, n);
  EXPECT_EQ(ag.param, count / n);
  EXPECT_EQ(ag.send, count / n);
  EXPECT_EQ(ag.recv, count);
  EXPECT_EQ(ag.sendInplaceOffset, count / n) << "in place, rank r sends from recv + r * count";
  const CollCounts rs = collDesc(CollKind::kReduceScatter).counts(bytes, eb, n);
  EXPECT_EQ(rs.param, count / n);
  EXPECT_EQ(rs.send, count);
  EXPECT_EQ(rs.recv, count / n);
  EXPECT_EQ(rs.recvInplaceOffset, count / n);
  const CollCounts a2a = collDesc(CollKind::kAlltoAll).counts(bytes + 6, eb, n);  // not a multiple of n
  EXPECT_EQ(a2a.param, (count + 3) / n);
  EXPECT_EQ(a2a.send, a2a.param * n);
  EXPECT_FALSE(collDesc(CollKind::kAlltoAll).inPlace);
  EXPECT_FALSE(collDesc(CollKind::kSendRecv).inPlace);
  EXPECT_TRUE(collDesc(CollKind::kReduce).rooted);
  EXPECT_FALSE(collDesc(CollKind::kReduce).hasResult(1, 0));
  EXPECT_TRUE(collDesc(CollKind::kReduce).hasResult(0, 0));
}

TEST(CollDesc, BusBandwidthFactors) {
  EXPECT_DOUBLE_EQ(collDesc(CollKind::kAllReduce).busFactor(4), 1.5);
  EXPECT_DOUBLE_EQ(collDesc(CollKind::kAllGather).busFactor(4), 0.75);
  EXPECT_DOUBLE_EQ(collDesc(CollKind::kReduceScatter).busFactor(8), 0.875);
  EXPECT_DOUBLE_EQ(collDesc(CollKind::kAlltoAll).busFactor(2), 0.5);
  EXPECT_DOUBLE_EQ(collDesc(CollKind::kBroadcast).busFactor(4), 1.0);
  EXPECT_DOUBLE_EQ(collDesc(CollKind::kReduce).busFactor(4), 1.0);
  EXPECT_DOUBLE_EQ(collDesc(CollKind::kSendRecv).busFactor(4), 1.0);
}

TEST(Payload, SyntheticIsDeterministicAndDiffersPerRank) {
  Payload p;
  std::string error;
  ASSERT_TRUE(p.load("gaussian:0.02", &error)) << error;
  EXPECT_FALSE(p.fromFile());
  const std::vector<uint8_t> a = p.make(zcclBfloat16, 0, 4096), b = p.make(zcclBfloat16, 1, 4096);
  EXPECT_EQ(a.size(), 4096u);
  EXPECT_EQ(a, p.make(zcclBfloat16, 0, 4096));
  EXPECT_NE(a, b);
  EXPECT_EQ(p.make(zcclFloat64, 2, 800).size(), 800u);
  EXPECT_EQ(p.make(zcclInt32, 2, 100).size(), 100u);
  EXPECT_FALSE(p.load("gaussian:-1", &error));
  EXPECT_FALSE(p.load("poisson", &error));
}

TEST(Payload, TensorFilesAreRotatedPerRankAndRepeated) {
  const std::vector<std::string> files = data::findSharedTensorFiles();
  std::string file;
  for (const std::string& f : files) {
    if (f.find("step0400-grads-bf16") != std::string::npos) file = f;
  }
  if (file.empty()) GTEST_SKIP() << "../shared/data/gpt-kjv not found (set ZCCL_DATA_DIR)";
  Payload p;
  std::string error;
  ASSERT_TRUE(p.load(file, &error)) << error;
  EXPECT_TRUE(p.fromFile());
  EXPECT_EQ(p.fileDtype(), zcclBfloat16);
  data::TensorFile tf;
  ASSERT_TRUE(data::readTensorFile(file, &tf, &error)) << error;
  std::vector<uint8_t> all;
  for (const data::Tensor& t : tf.tensors) {
    if (t.dtype == zcclBfloat16) all.insert(all.end(), t.bytes.begin(), t.bytes.end());
  }
  const size_t big = all.size() * 2 + 10;  // more than the file: it repeats
  const std::vector<uint8_t> r0 = p.make(zcclBfloat16, 0, big), r1 = p.make(zcclBfloat16, 1, big);
  EXPECT_TRUE(std::equal(all.begin(), all.end(), r0.begin())) << "rank 0 starts at the file's first element";
  EXPECT_TRUE(std::equal(all.begin(), all.end(), r0.begin() + all.size())) << "then repeats it";
  EXPECT_NE(r0, r1);
  const std::vector<uint8_t> f32 = p.make(zcclFloat32, 0, 64);  // widened exactly
  for (size_t i = 0; i < 16; ++i) {
    EXPECT_EQ(f32[4 * i + 2], all[2 * i]);
    EXPECT_EQ(f32[4 * i + 3], all[2 * i + 1]);
    EXPECT_EQ(f32[4 * i], 0);
  }
  const std::string named = file + ":" + tf.tensors[0].name;
  ASSERT_TRUE(p.load(named, &error)) << error;
  EXPECT_NE(p.describe().find("1 tensor(s)"), std::string::npos);
  EXPECT_FALSE(p.load(file + ":no-such-tensor", &error));
  EXPECT_NE(error.find("no-such-tensor"), std::string::npos);
  EXPECT_FALSE(p.load("/nonexistent/x.safetensors", &error));
}

TEST(Report, AllModesShowAutoAgainstTheBetterFixedChoiceAndItsPlan) {
  char* text = nullptr;
  size_t len = 0;
  std::FILE* f = open_memstream(&text, &len);
  TableLayout layout;
  layout.allColumns = true;
  printTableHeader(f, layout);
  Measurement m;
  m.present = true;
  m.timeUs = 1000;
  m.wrong = 0;
  m.rawTimeUs = 1300;
  m.onTimeUs = 950;
  m.plan = "direct/on/1M";
  printMeasurement(f, layout, m);
  std::fclose(f);
  const std::string out(text, len);
  free(text);
  EXPECT_NE(out.find("offtime"), std::string::npos) << out;
  EXPECT_NE(out.find("vs_best"), std::string::npos) << out;
  EXPECT_NE(out.find("0.950x"), std::string::npos) << "vs_best = min(offtime, ontime) / time\n" << out;
  EXPECT_NE(out.find("direct/on/1M"), std::string::npos) << out;
}

TEST(Report, RowsLineUpWithTheHeader) {
  char* text = nullptr;
  size_t len = 0;
  std::FILE* f = open_memstream(&text, &len);
  TableLayout layout;
  layout.rawColumns = true;
  layout.mpiColumns = true;
  printTableHeader(f, layout);
  Row row;
  row.bytes = 67108864;
  row.count = 33554432;
  row.type = "bfloat16";
  row.redop = "sum";
  row.m[0].present = true;
  row.m[0].timeUs = 762008;
  row.m[0].algBw = 0.088;
  row.m[0].busBw = 0.132;
  row.m[0].wrong = 0;
  row.m[0].ratio = 0.691;
  row.m[0].rawTimeUs = 979660;
  row.m[0].mpiTimeUs = 1573530;
  printRowPrefix(f, row);
  printMeasurement(f, layout, row.m[0]);
  printMeasurement(f, layout, row.m[1]);
  std::fclose(f);
  const std::string out(text, len);
  free(text);
  EXPECT_NE(out.find("size         count"), std::string::npos) << out;
  EXPECT_NE(out.find("    67108864      33554432  bfloat16     sum      -1   762008"), std::string::npos) << out;
  EXPECT_NE(out.find("0.691"), std::string::npos);
  EXPECT_NE(out.find("1.286x"), std::string::npos) << "speedup = rawtime / time";
  EXPECT_NE(out.find("2.06x"), std::string::npos) << "vs_mpi = mpitime / time";
  EXPECT_NE(out.find("N/A"), std::string::npos) << "a missing in-place half prints N/A";
  // The data line has exactly as many fields as the column-name line.
  const size_t names = out.find("\n") + 1, namesEnd = out.find("\n", names);
  const size_t data = out.rfind("\n", out.size() - 2) + 1;
  auto fields = [](const std::string& s) {
    size_t n = 0;
    bool in = false;
    for (char c : s) {
      if (c != ' ' && c != '#' && !in) ++n;
      in = c != ' ' && c != '#';
    }
    return n;
  };
  EXPECT_EQ(fields(out.substr(names, namesEnd - names)), fields(out.substr(data)));
}

}  // namespace
}  // namespace zccl::perf
