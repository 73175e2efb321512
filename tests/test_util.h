// Helpers shared by the GoogleTest files of every area.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
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
