// Golden frames freeze format v1: each input in tests/golden/ must compress, with both codecs, to
// exactly the stored frame, and the stored frame must decode to exactly the input. A change that
// alters one byte of a frame fails here; such a change needs a new format version (see
// docs/format.md, "Versioning") and regenerated goldens (zccl-make-golden).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/codec_test_util.h"

namespace zccl::test {
namespace {

std::vector<uint8_t> readFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << "missing golden file " << path;
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

TEST(Golden, FramesAreFrozen) {
  const std::string dir = std::string(ZCCL_SOURCE_DIR) + "/tests/golden";
  std::ifstream manifest(dir + "/MANIFEST");
  ASSERT_TRUE(manifest.good()) << "missing " << dir << "/MANIFEST";
  std::string line;
  int cases = 0;
  while (std::getline(manifest, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name;
    int dtype = 0, checksum = 0;
    size_t count = 0;
    ASSERT_TRUE(static_cast<bool>(fields >> name >> dtype >> count >> checksum)) << line;
    SCOPED_TRACE(name);
    const std::vector<uint8_t> in = readFile(dir + "/" + name + ".in");
    const std::vector<uint8_t> golden = readFile(dir + "/" + name + ".zcf");
    ASSERT_EQ(in.size(), count * dtypeBytes(static_cast<zcclDataType_t>(dtype)));
    for (zcclCodecImpl_t impl : {zcclCodecImplReference, zcclCodecImplFast}) {
      const zcclCodecConfig_t c = configFor(impl, checksum);
      EXPECT_EQ(compress(in.data(), count, static_cast<zcclDataType_t>(dtype), c), golden) << "impl " << impl;
      EXPECT_EQ(decompress(golden, count, static_cast<zcclDataType_t>(dtype), c), in) << "impl " << impl;
    }
    ++cases;
  }
  EXPECT_GE(cases, 10);
}

}  // namespace
}  // namespace zccl::test
