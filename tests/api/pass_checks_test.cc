// optimize()'s pipeline checks: dump_dir (the graph before and after each pass, numbered),
// verify_each_pass and strict (from the config or the environment), and what a rolled-back pass
// leaves in the result. Faults are injected with AAMP_TEST_BREAK_PASS (optimize.cc).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "aamp/api/config.h"
#include "aamp/api/optimize.h"
#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"
#include "aamp/ops/validate.h"
#include "passes/pass_check_util.h"
#include "test_util.h"

namespace aamp {
namespace {

namespace fs = std::filesystem;

using testing::files_in;
using testing::ScopedEnv;

// tests/testdata/matmul_bias.pbtxt: MatMul + BiasAdd, fused into _FusedMatMul "a".
Graph matmul_bias() { return load_graph(testing::testdata_path("matmul_bias.pbtxt")); }

class PassChecksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("aamp_pass_checks_" + std::to_string(getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(PassChecksTest, DumpDirHoldsTheGraphBeforeAndAfterEachPass) {
  Graph g = matmul_bias();
  AmpConfig c;
  c.dump_dir = (dir_ / "sub" / "dumps").string();  // parents are created too
  OptimizeResult r = optimize(g, testing::checked(c), DeviceKind::kCPU);
  fs::path d = dir_ / "sub" / "dumps";
  EXPECT_EQ(files_in(d), (std::vector<std::string>{"00-input.pbtxt", "01-remapper.pbtxt",
                                                   "02-auto_mixed_precision.pbtxt",
                                                   "03-remapper_post_amp.pbtxt"}));
  EXPECT_EQ(r.log_files.size(), 4u);
  // Each file parses back and shows what its pass did.
  Graph in = load_graph((d / "00-input.pbtxt").string());
  EXPECT_EQ(in.at("m").op, "MatMul");
  Graph fused = load_graph((d / "01-remapper.pbtxt").string());
  EXPECT_EQ(fused.find("m"), nullptr);  // MatMul+BiasAdd fused into a (named after the root)
  EXPECT_EQ(fused.at("a").op, "_FusedMatMul");
  EXPECT_EQ(fused.at("a").attr_type("T"), DType::kFloat);
  Graph amp = load_graph((d / "02-auto_mixed_precision.pbtxt").string());
  EXPECT_EQ(amp.at("a").attr_type("T"), DType::kBFloat16);
  Graph last = load_graph((d / "03-remapper_post_amp.pbtxt").string());
  EXPECT_EQ(serialize_graphdef_binary(last), serialize_graphdef_binary(g));
}

TEST_F(PassChecksTest, DumpNamesFollowThePassesThatRun) {
  Graph g = matmul_bias();
  AmpConfig c;
  c.remapper = false;
  c.dump_dir = dir_.string();
  optimize(g, testing::checked(c), DeviceKind::kCPU, {}, PassHooks{}, "graph1_");
  EXPECT_EQ(files_in(dir_), (std::vector<std::string>{"graph1_00-input.pbtxt",
                                                      "graph1_01-auto_mixed_precision.pbtxt"}));
}

TEST_F(PassChecksTest, DumpDirThatCannotBeCreatedIsAnErrorBeforeAnyPass) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "file") << "x";
  Graph g = matmul_bias();
  std::string before = serialize_graphdef_binary(g);
  for (fs::path bad : {dir_ / "file", dir_ / "file" / "below"}) {
    AmpConfig c;
    c.dump_dir = bad.string();
    testing::expect_error([&] { optimize(g, c, DeviceKind::kCPU); }, ErrorCode::kIO,
                          {"cannot create the pass dump folder '" + bad.string() + "'"});
  }
  EXPECT_EQ(serialize_graphdef_binary(g), before);
}

TEST_F(PassChecksTest, VerifyRollsBackABrokenPassAndItsResult) {
  ScopedEnv fault("AAMP_TEST_BREAK_PASS", "AutoMixedPrecision");
  Graph g = matmul_bias();
  AmpConfig c;
  c.verify_each_pass = true;
  OptimizeResult r = optimize(g, c, DeviceKind::kCPU);
  EXPECT_FALSE(r.amp_ran);
  EXPECT_EQ(r.amp.converted_nodes, 0);  // not the undone conversion's count
  EXPECT_TRUE(r.amp.decisions.empty());
  EXPECT_EQ(g.at("a").attr_type("T"), DType::kFloat);
  ASSERT_EQ(r.passes.size(), 3u);
  EXPECT_TRUE(r.passes[0].ok && r.passes[2].ok);
  EXPECT_FALSE(r.passes[1].ok);
  bool warned = false;
  for (const auto& w : r.warnings)
    warned |= w.find("pass AutoMixedPrecision failed and was skipped") != std::string::npos &&
              w.find("float64") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST_F(PassChecksTest, WithoutVerificationTheFaultGoesThrough) {
  ScopedEnv fault("AAMP_TEST_BREAK_PASS", "AutoMixedPrecision");
  Graph g = matmul_bias();
  OptimizeResult r = optimize(g, AmpConfig{}, DeviceKind::kCPU);
  EXPECT_TRUE(r.amp_ran);
  EXPECT_FALSE(validate(g).ok());
}

TEST_F(PassChecksTest, StrictFromTheEnvironmentThrowsNamingThePass) {
  ScopedEnv fault("AAMP_TEST_BREAK_PASS", "Remapper");
  ScopedEnv verify("AAMP_VERIFY_EACH_PASS", "1");
  ScopedEnv strict("AAMP_STRICT", "true");
  ScopedEnv dump("AAMP_DUMP_AFTER_EACH_PASS", dir_.string());
  AmpConfig env = AmpConfig::from_env();
  EXPECT_EQ(env.verify_each_pass, true);
  EXPECT_EQ(env.strict, true);
  EXPECT_EQ(env.dump_dir, dir_.string());
  AmpConfig api;
  api.strict = false;  // the API wins over the environment
  EXPECT_EQ(AmpConfig::merge(api, env).strict, false);
  Graph g = matmul_bias();
  std::string before = serialize_graphdef_binary(g);
  testing::expect_error([&] { optimize(g, AmpConfig::merge({}, env), DeviceKind::kCPU); },
                        ErrorCode::kInternal,
                        {"pass Remapper failed (strict mode)", "node 'a' (_FusedMatMul)",
                         "float64"});
  EXPECT_EQ(serialize_graphdef_binary(g), before);
  // The failing pass's output was dumped; nothing after it ran.
  EXPECT_EQ(files_in(dir_), (std::vector<std::string>{"00-input.pbtxt", "01-remapper.pbtxt"}));
  EXPECT_EQ(load_graph((dir_ / "01-remapper.pbtxt").string()).at("a").attr_type("T"),
            DType::kDouble);
}

TEST_F(PassChecksTest, BadBooleanInTheEnvironmentNamesTheVariable) {
  ScopedEnv strict("AAMP_STRICT", "maybe");
  testing::expect_error([] { AmpConfig::from_env(); }, ErrorCode::kInvalidArgument,
                        {"AAMP_STRICT", "maybe"});
}

}  // namespace
}  // namespace aamp
