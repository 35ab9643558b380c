// Settings behave as docs/env.md says (issue 11): a malformed or out-of-range ZCCL_* value warns
// once and takes the default (the communicator is still created); an unwritable ZCCL_DEBUG_FILE
// warns on standard error; a debug file shared by ranks keeps every rank's lines.
#include "tune/settings.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/log.h"

namespace zccl {
namespace {

TEST(Settings, OutOfRangeChunkBytesWarnsAndTakesTheDefault) {
  for (const char* bad : {"0", "-5", "2G"}) {
    setenv("ZCCL_CHUNK_BYTES", bad, 1);
    tune::Settings c{};
    EXPECT_EQ(tune::resolveSettings(nullptr, &c), zcclSuccess) << "ZCCL_CHUNK_BYTES=" << bad;
    EXPECT_EQ(c.chunkBytes, size_t{1} << 20) << "ZCCL_CHUNK_BYTES=" << bad;
  }
  unsetenv("ZCCL_CHUNK_BYTES");
  zcclConfig_t config = ZCCL_CONFIG_INITIALIZER;
  config.chunkBytes = 0;  // an explicit config field out of range stays an error
  tune::Settings c{};
  EXPECT_EQ(tune::resolveSettings(&config, &c), zcclInvalidArgument);
}

TEST(Settings, VerifyTwoIsNotTakenAsOne) {
  setenv("ZCCL_VERIFY", "2", 1);
  tune::Settings c{};
  EXPECT_EQ(tune::resolveSettings(nullptr, &c), zcclSuccess);
  EXPECT_EQ(c.checksum, 0) << "2 is not a documented value: the default (0) applies";
  unsetenv("ZCCL_VERIFY");
}

TEST(Settings, UnwritableDebugFileWarns) {
  setenv("ZCCL_DEBUG_FILE", "/nonexistent-dir/zccl.log", 1);
  ::testing::internal::CaptureStderr();
  reloadLogSettingsForTest();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("ZCCL_DEBUG_FILE"), std::string::npos) << err;
  unsetenv("ZCCL_DEBUG_FILE");
  reloadLogSettingsForTest();
}

TEST(Settings, SharedDebugFileKeepsEveryRanksLines) {
  const std::string path = ::testing::TempDir() + "zccl_shared_debug.log";
  std::remove(path.c_str());
  setenv("ZCCL_DEBUG_FILE", path.c_str(), 1);
  setenv("ZCCL_DEBUG", "WARN", 1);
  reloadLogSettingsForTest();  // "rank 0" opens the file
  ZCCL_WARN("line of the first opener");
  reloadLogSettingsForTest();  // "rank 1" opens the same file
  ZCCL_WARN("line of the second opener");
  std::ifstream f(path);
  std::stringstream all;
  all << f.rdbuf();
  EXPECT_NE(all.str().find("line of the first opener"), std::string::npos) << all.str();
  EXPECT_NE(all.str().find("line of the second opener"), std::string::npos) << all.str();
  unsetenv("ZCCL_DEBUG_FILE");
  unsetenv("ZCCL_DEBUG");
  reloadLogSettingsForTest();
  std::remove(path.c_str());
}

}  // namespace
}  // namespace zccl
