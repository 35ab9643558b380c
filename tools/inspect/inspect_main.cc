// zccl-inspect: "how much would ZipCCL save on my tensors?"
//
// Reads .safetensors / .npy files or generates synthetic tensors, and prints per tensor (or per
// file) and in total: exponent entropy, the exponent-only size bound, the size ratio of each
// codec mode, single-thread codec speed, zstd -1 on the same bytes as a baseline, and whether
// the round trip was bit-exact. Exit status: 0 ok, 1 a round trip failed, 2 bad usage or input.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/params.h"
#include "synthetic.h"
#include "tensor_file.h"
#include "tensor_report.h"

namespace {

using namespace zccl;

void usage(FILE* f) {
  std::fprintf(f,
               "usage: zccl-inspect [options] [FILE.safetensors | FILE.npy ...]\n"
               "  --synthetic SPEC   generate a tensor: gaussian[:SIGMA] | laplace | student-t:NU |\n"
               "                     zeros:FRACTION | random (repeatable)\n"
               "  --dtype bf16|fp16|fp32   dtype of synthetic tensors (default bf16)\n"
               "  --count N          elements per synthetic tensor, K/M/G suffixes (default 16M)\n"
               "  --seed N           seed of synthetic tensors (default 1)\n"
               "  --repeat N         timing runs, best kept (default 3)\n"
               "  --group tensor|file   one table row per tensor or per file (default: tensor;\n"
               "                     file for the default job)\n"
               "  --json             one JSON object instead of the table\n"
               "With no FILE and no --synthetic, runs the default job: gaussian bf16 data plus every\n"
               ".safetensors file under $ZCCL_DATA_DIR or ../shared/data.\n");
}

bool parseCount(const char* s, uint64_t* out) {
  int64_t v = 0;
  if (!parseScaledInt(s, &v) || v < 0 || v > (int64_t{1} << 40)) return false;
  *out = static_cast<uint64_t>(v);
  return true;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "zccl-inspect: error: %s\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files, specs;
  zcclDataType_t dtype = zcclBfloat16;
  uint64_t count = 16ull << 20, seed = 1;
  inspect::MeasureOptions opts;
  std::string group;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* flag) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "zccl-inspect: error: %s needs a value\n", flag);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      usage(stdout);
      return 0;
    } else if (a == "--synthetic") {
      specs.push_back(value("--synthetic"));
    } else if (a == "--dtype") {
      if (!data::parseFloatDtype(value("--dtype"), &dtype)) return fail("--dtype must be bf16, fp16 or fp32");
    } else if (a == "--count") {
      if (!parseCount(value("--count"), &count)) return fail("--count needs a number of elements (K/M/G allowed)");
    } else if (a == "--seed") {
      if (!parseCount(value("--seed"), &seed)) return fail("--seed needs a number");
    } else if (a == "--repeat") {
      uint64_t r = 0;
      if (!parseCount(value("--repeat"), &r) || r == 0 || r > 1000) return fail("--repeat needs 1..1000");
      opts.repeats = static_cast<int>(r);
    } else if (a == "--group") {
      group = value("--group");
      if (group != "tensor" && group != "file") return fail("--group must be tensor or file");
    } else if (a == "--json") {
      json = true;
    } else if (!a.empty() && a[0] == '-') {
      usage(stderr);
      return fail("unknown option " + a);
    } else {
      files.push_back(a);
    }
  }
  const bool defaultJob = files.empty() && specs.empty();
  if (defaultJob) {
    specs.push_back("gaussian");
    files = data::findSharedTensorFiles();
    if (!json) std::printf("# default job: synthetic gaussian bf16 + %zu tensor files found\n", files.size());
  }
  if (group.empty()) group = defaultJob ? "file" : "tensor";

  std::vector<inspect::Row> tensorRows, fileRows;
  inspect::Row total;
  total.name = "TOTAL";
  auto addFileRows = [&](const std::string& label, const std::vector<inspect::Row>& rows) {
    inspect::Row file;
    file.name = label;
    for (const inspect::Row& r : rows) {
      file.add(r);
      total.add(r);
      tensorRows.push_back(r);
    }
    fileRows.push_back(file);
  };
  for (const std::string& specText : specs) {
    data::SyntheticSpec spec;
    std::string error;
    if (!data::parseSyntheticSpec(specText, &spec, &error)) return fail("--synthetic " + error);
    std::vector<uint8_t> bytes = data::makeSynthetic(spec, dtype, count, seed);
    std::string label = "synthetic:" + specText + ":" + data::dtypeName(dtype);
    addFileRows(label, {inspect::measureTensor(label, dtype, bytes.data(), count, opts)});
  }
  for (const std::string& path : files) {
    data::TensorFile tf;
    std::string error;
    if (!data::readTensorFile(path, &tf, &error)) return fail(error);
    std::vector<inspect::Row> rows;
    for (const data::Tensor& t : tf.tensors) {
      rows.push_back(inspect::measureTensor(t.name, t.dtype, t.bytes.data(), t.count(), opts));
    }
    for (const std::string& s : tf.skipped)
      std::fprintf(stderr, "zccl-inspect: %s: skipped %s\n", path.c_str(), s.c_str());
    std::string label = path.substr(path.find_last_of('/') + 1);
    addFileRows(label, rows);
  }
  if (json) {
    inspect::printJson(tensorRows, fileRows, total);
  } else {
    inspect::printTable(group == "file" ? fileRows : tensorRows, total, true);
  }
  return total.roundtripOk ? 0 : 1;
}
