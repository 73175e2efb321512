// Helpers shared by the GoogleTest files of every area.
#pragma once

#include <gtest/gtest.h>

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

}  // namespace aamp::testing
