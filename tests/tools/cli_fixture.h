// Test fixture for tests that run the built aamp binary as a user would (tests/tools/*_test.cc):
// a scratch folder per test, aamp(args) capturing exit code/stdout/stderr, write(name, text), and
// expect_user_error (exit code 2 with one "aamp: error: ..." line naming what went wrong).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>  // environ, getpid

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace aamp_cli_test {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string out, err;
};

inline std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

class CliFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) / ("aamp_cli_test_" + std::to_string(::getpid())) /
           info->name();
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    fs::remove(dir_.parent_path(), ec);  // the process's folder, once its last test is gone
  }

  // Runs `aamp ARGS` (args are shell-quoted), capturing stdout and stderr.
  Result aamp(const std::vector<std::string>& args) {
    // The caller's ITEX_/AAMP_ AMP settings must not leak into the expectations: unset them
    // (AAMP_TEST_BREAK_PASS, the injected fault, is for a test itself to set).
    std::string cmd = "env";
    for (char** e = environ; *e; ++e) {
      const std::string kv = *e;
      const std::string k = kv.substr(0, kv.find('='));
      for (const char* prefix :
           {"ITEX_AUTO_MIXED_PRECISION", "AAMP_AUTO_MIXED_PRECISION", "ITEX_REMAPPER",
            "AAMP_REMAPPER", "ITEX_TF_COMPATIBLE", "AAMP_TF_COMPATIBLE", "AAMP_VERIFY_EACH_PASS",
            "AAMP_STRICT", "AAMP_DUMP_AFTER_EACH_PASS"})
        if (k.rfind(prefix, 0) == 0) cmd += " -u " + k;
    }
    cmd += " " + quote(std::string(AAMP_BINARY_DIR) + "/aamp");
    for (const auto& a : args) cmd += " " + quote(a);
    fs::path out = dir_ / "stdout.txt", err = dir_ / "stderr.txt";
    cmd += " >" + quote(out.string()) + " 2>" + quote(err.string()) + " </dev/null";
    int status = std::system(cmd.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = slurp(out);
    r.err = without_cpu_warning(slurp(err));
    return r;
  }

  // The one warning that depends on the machine (a CPU without native bfloat16 converting to
  // it), taken out of stderr so that expectations hold on any CPU;
  // CliMachine.Bf16WarningFollowsTheCpu checks the warning itself.
  static std::string without_cpu_warning(std::string err) {
    const std::string needle = "this CPU has no native bfloat16 instructions";
    for (size_t p = err.find(needle); p != std::string::npos; p = err.find(needle)) {
      const size_t b = err.rfind('\n', p), e = err.find('\n', p);
      const size_t from = b == std::string::npos ? 0 : b + 1;
      err.erase(from, e == std::string::npos ? std::string::npos : e - from + 1);
    }
    return err;
  }

  // Like aamp(), with stderr as the program wrote it.
  Result aamp_raw(const std::vector<std::string>& args) {
    Result r = aamp(args);
    r.err = slurp(dir_ / "stderr.txt");
    return r;
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string write(const std::string& name, const std::string& content) {
    fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

  // Exit code 2 and exactly one stderr line "aamp: error: ..." containing every needle.
  void expect_user_error(const Result& r, const std::vector<std::string>& needles) {
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_EQ(r.err.rfind("aamp: error: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    for (const auto& n : needles)
      EXPECT_NE(r.err.find(n), std::string::npos)
          << "stderr '" << r.err << "' does not mention '" << n << "'";
  }

  fs::path dir_;
};

}  // namespace aamp_cli_test
