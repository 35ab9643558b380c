// Reads the 8-bit golden frames of tests/golden (MANIFEST_Q8, written by zccl-make-golden): for
// each case its input, its frame and the frame's values decoded to the dtype.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace zccl::test {

struct Q8Golden {
  std::string name;
  int dtype = 0;
  size_t count = 0;
  int stochastic = 0;
  uint64_t seed = 0;
  std::vector<uint8_t> in, frame, out;
};

inline std::vector<uint8_t> readGoldenFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << "missing golden file " << path;
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

inline std::vector<Q8Golden> readQ8Goldens() {
  const std::string dir = std::string(ZCCL_SOURCE_DIR) + "/tests/golden";
  std::ifstream manifest(dir + "/MANIFEST_Q8");
  EXPECT_TRUE(manifest.good()) << "missing " << dir << "/MANIFEST_Q8";
  std::vector<Q8Golden> cases;
  std::string line;
  while (std::getline(manifest, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Q8Golden g;
    EXPECT_TRUE(static_cast<bool>(fields >> g.name >> g.dtype >> g.count >> g.stochastic >> g.seed)) << line;
    g.in = readGoldenFile(dir + "/" + g.name + ".in");
    g.frame = readGoldenFile(dir + "/" + g.name + ".zq8");
    g.out = readGoldenFile(dir + "/" + g.name + ".out");
    cases.push_back(std::move(g));
  }
  return cases;
}

}  // namespace zccl::test
