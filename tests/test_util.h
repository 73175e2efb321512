// Helpers shared by the GoogleTest files of every area.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "aamp/core/error.h"

namespace aamp::testing {

// Runs f and expects an aamp::Error of `code` whose message contains every needle.
template <typename F>
void expect_error(F&& f, ErrorCode code, const std::vector<std::string>& needles) {
  try {
    f();
    ADD_FAILURE() << "no aamp::Error thrown";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    for (const auto& n : needles)
      EXPECT_NE(std::string(e.what()).find(n), std::string::npos)
          << "'" << e.what() << "' does not mention '" << n << "'";
  }
}

// Tests over the real models (node_modules, installed by scripts/setup.sh) fail when a model is
// missing, so that CI cannot pass with nothing run; AAMP_ALLOW_MISSING_MODELS=1 makes them skip.
inline bool missing_models_allowed() {
  const char* v = std::getenv("AAMP_ALLOW_MISSING_MODELS");
  return v && std::string(v) == "1";
}

// Sets (or, for nullopt, unsets) an environment variable for one scope and restores its previous
// state (value or unset) on leaving it.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, std::optional<std::string> value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    if (value)
      setenv(name_.c_str(), value->c_str(), 1);
    else
      unsetenv(name_.c_str());
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_.c_str(), old_->c_str(), 1);
    else
      unsetenv(name_.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// The names of the files in a folder, sorted.
inline std::vector<std::string> files_in(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// A file of tests/testdata (`name` relative to it, e.g. "matmul_bias.pbtxt").
inline std::string testdata_path(const std::string& name) {
  return std::string(AAMP_SOURCE_DIR) + "/tests/testdata/" + name;
}

// The text of a file of tests/testdata; throws naming the path when it cannot be read.
inline std::string read_testdata(const std::string& name) {
  const std::string path = testdata_path(name);
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read test data file " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace aamp::testing

// Unless `present`: fails the test ("models missing: run scripts/setup.sh", naming `what`), or
// skips it under AAMP_ALLOW_MISSING_MODELS=1. Returns from the calling (void) function.
#define AAMP_REQUIRE_MODELS(present, what)                                                    \
  if (present) {                                                                              \
  } else if (::aamp::testing::missing_models_allowed())                                       \
    GTEST_SKIP() << "models missing: " << what << " (AAMP_ALLOW_MISSING_MODELS=1)";           \
  else                                                                                        \
    FAIL() << "models missing: run scripts/setup.sh (" << what                                \
           << "; AAMP_ALLOW_MISSING_MODELS=1 skips instead)"
