// The ZCCL_* registry: every registered variable is documented in docs/env.md with its default
// (and nothing undocumented is read), values parse as documented, and logging honours
// ZCCL_DEBUG, ZCCL_DEBUG_SUBSYS and ZCCL_DEBUG_FILE.
#include "common/params.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "common/check.h"
#include "common/log.h"

namespace zccl {
namespace {

std::string readDoc() {
  std::ifstream f(std::string(ZCCL_SOURCE_DIR) + "/docs/env.md");
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(Params, RegistryAndDocsAgree) {
  const std::string doc = readDoc();
  ASSERT_FALSE(doc.empty()) << "docs/env.md is missing";
  std::set<std::string> registered;
  for (const ParamSpec& p : allParams()) {
    registered.insert(p.name);
    // A table row: | `NAME` | `DEFAULT` | ...  (an empty default is documented in words)
    const std::string row = std::string("| `") + p.name + "` | ";
    const size_t at = doc.find(row);
    ASSERT_NE(at, std::string::npos) << p.name << " is not documented in docs/env.md";
    if (*p.defaultValue != '\0') {
      EXPECT_EQ(doc.compare(at + row.size(), std::strlen(p.defaultValue) + 2, std::string("`") + p.defaultValue + "`"),
                0)
          << p.name << ": docs/env.md does not give the default " << p.defaultValue;
    }
  }
  std::regex name("ZCCL_[A-Z_]+");
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), name); it != std::sregex_iterator(); ++it) {
    EXPECT_TRUE(registered.count(it->str())) << it->str() << " is documented but not registered";
  }
}

TEST(Params, ParsingAndDefaults) {
  setenv("ZCCL_VERIFY", "1", 1);
  EXPECT_EQ(paramInt(Param::kVerify), 1);
  setenv("ZCCL_VERIFY", "2K", 1);
  EXPECT_EQ(paramInt(Param::kVerify), 2048);
  setenv("ZCCL_VERIFY", "nonsense", 1);
  EXPECT_EQ(paramInt(Param::kVerify), 0) << "malformed values fall back to the default";
  setenv("ZCCL_VERIFY", "", 1);
  EXPECT_EQ(paramInt(Param::kVerify), 0);
  unsetenv("ZCCL_VERIFY");
  EXPECT_EQ(paramString(Param::kCodecImpl), "auto");
  setenv("ZCCL_CODEC_IMPL", "Reference", 1);
  EXPECT_EQ(paramChoice(Param::kCodecImpl, {"auto", "reference", "fast"}), 1);
  setenv("ZCCL_CODEC_IMPL", "turbo", 1);
  EXPECT_EQ(paramChoice(Param::kCodecImpl, {"auto", "reference", "fast"}), 0);
  unsetenv("ZCCL_CODEC_IMPL");
}

TEST(Log, LevelSubsystemAndFile) {
  const std::string pattern = ::testing::TempDir() + "/zccl_log_%p.txt";
  const std::string path = ::testing::TempDir() + "/zccl_log_" + std::to_string(getpid()) + ".txt";
  setenv("ZCCL_DEBUG", "INFO", 1);
  setenv("ZCCL_DEBUG_SUBSYS", "CODEC", 1);
  setenv("ZCCL_DEBUG_FILE", pattern.c_str(), 1);
  reloadLogSettingsForTest();
  EXPECT_EQ(logLevel(), LogLevel::kInfo);
  ZCCL_INFO(kLogCodec, "codec line %d", 1);
  ZCCL_INFO(kLogColl, "coll line %d", 2);
  ZCCL_TRACE(kLogCodec, "trace line %d", 3);
  setLastError("an error %s", "message");
  EXPECT_STREQ(zcclGetLastError(nullptr), "an error message");
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string log = ss.str();
  EXPECT_NE(log.find("ZCCL INFO CODEC codec line 1"), std::string::npos) << log;
  EXPECT_EQ(log.find("coll line"), std::string::npos) << "COLL is filtered out";
  EXPECT_EQ(log.find("trace line"), std::string::npos) << "TRACE is above INFO";
  EXPECT_NE(log.find("ZCCL WARN an error message"), std::string::npos) << log;
  setenv("ZCCL_DEBUG_SUBSYS", "^CODEC", 1);
  reloadLogSettingsForTest();
  EXPECT_FALSE(logEnabled(LogLevel::kInfo, kLogCodec));
  EXPECT_TRUE(logEnabled(LogLevel::kInfo, kLogColl));
  unsetenv("ZCCL_DEBUG");
  unsetenv("ZCCL_DEBUG_SUBSYS");
  unsetenv("ZCCL_DEBUG_FILE");
  reloadLogSettingsForTest();
  EXPECT_EQ(logLevel(), LogLevel::kNone);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace zccl
