// The fast codec dispatches at run time to the best SIMD target of the CPU. Each target that was
// compiled in and runs on this CPU must write the same frames as the reference codec and decode
// them bit-exactly; this test forces each one in turn.
#include <gtest/gtest.h>

#include "common/codec_test_util.h"
#include "hwy/targets.h"
#include "synthetic.h"

namespace zccl::test {
namespace {

TEST(SimdTargets, EveryTargetMatchesTheReference) {
  struct Case {
    const char* spec;
    zcclDataType_t dtype;
    size_t count;
  };
  const Case cases[] = {{"gaussian", zcclBfloat16, 3 * 4096 + 33}, {"gaussian", zcclFloat16, 2 * 4096 + 1},
                        {"gaussian", zcclFloat32, 3 * 4096 + 7},   {"zeros:0.6", zcclBfloat16, 2 * 4096},
                        {"zeros:0.6", zcclFloat32, 2 * 4096},      {"student-t:3", zcclFloat16, 4096},
                        {"random", zcclFloat32, 4096 + 100}};
  const std::vector<int64_t> targets = hwy::SupportedAndGeneratedTargets();
  ASSERT_FALSE(targets.empty());
  for (int64_t target : targets) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(std::string("target ") + hwy::TargetName(target) + ", dispatched to " + zcclCodecFastTarget());
    EXPECT_STREQ(zcclCodecFastTarget(), hwy::TargetName(target));
    for (const Case& c : cases) {
      data::SyntheticSpec spec;
      std::string error;
      ASSERT_TRUE(data::parseSyntheticSpec(c.spec, &spec, &error));
      std::vector<uint8_t> in = data::makeSynthetic(spec, c.dtype, c.count, 5);
      expectLosslessAndIdentical(in.data(), c.count, c.dtype, 1, c.spec);
    }
    // Constant blocks: one exponent fills every counter of the histogram (narrow SIMD targets
    // once wrapped their 8-bit counters here).
    const std::vector<uint16_t> ones16(3 * 4096, 0x3F80);
    expectLosslessAndIdentical(ones16.data(), ones16.size(), zcclBfloat16, 0, "constant bf16");
    const std::vector<uint32_t> ones32(2 * 4096, 0x3F800000u);
    expectLosslessAndIdentical(ones32.data(), ones32.size(), zcclFloat32, 0, "constant fp32");
  }
  hwy::SetSupportedTargetsForTest(0);  // back to the CPU's own best target
}

}  // namespace
}  // namespace zccl::test
