// `aamp convert --dump-after-each-pass DIR --verify-each-pass --strict`: the per-pass dumps
// (names in pipeline order, each parses back), a pass that breaks the graph (injected with
// AAMP_TEST_BREAK_PASS) rolled back with a warning or, with --strict, failing the command.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "aamp/io/graph_io.h"
#include "test_util.h"
#include "tools/cli_fixture.h"

namespace {

namespace fs = std::filesystem;

using aamp::testing::files_in;
using aamp::testing::ScopedEnv;
using aamp_cli_test::Result;
using ConvertPipeline = aamp_cli_test::CliFixture;

// MatMul + BiasAdd (tests/testdata/matmul_bias.pbtxt), fused into _FusedMatMul "a".
std::string matmul_bias() { return aamp::testing::read_testdata("matmul_bias.pbtxt"); }

TEST_F(ConvertPipeline, DumpAfterEachPassWritesNumberedGraphs) {
  std::string in = write("g.pbtxt", matmul_bias());
  fs::path d = fs::path(path("dumps")) / "nested";
  Result r = aamp({"convert", in, "-o", path("out.pb"), "--verify-each-pass", "--strict",
                   "--dump-after-each-pass", d.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  std::vector<std::string> want = {"00-input.pbtxt", "01-remapper.pbtxt",
                                   "02-auto_mixed_precision.pbtxt", "03-remapper_post_amp.pbtxt"};
  EXPECT_EQ(files_in(d), want);
  for (const auto& f : want)  // listed in pipeline order
    EXPECT_NE(r.out.find("Wrote " + (d / f).string()), std::string::npos) << r.out;
  EXPECT_LT(r.out.find(want[0]), r.out.find(want[3])) << r.out;
  aamp::Graph g0 = aamp::load_graph((d / want[0]).string());
  EXPECT_EQ(g0.at("m").op, "MatMul");
  aamp::Graph g1 = aamp::load_graph((d / want[1]).string());
  EXPECT_EQ(g1.at("a").op, "_FusedMatMul");
  aamp::Graph g2 = aamp::load_graph((d / want[2]).string());
  EXPECT_EQ(g2.at("a").attr_type("T"), aamp::DType::kBFloat16);
  aamp::Graph g3 = aamp::load_graph((d / want[3]).string());
  aamp::Graph saved = aamp::load_graph(path("out.pb"));
  EXPECT_EQ(aamp::serialize_graphdef_binary(g3), aamp::serialize_graphdef_binary(saved));
}

TEST_F(ConvertPipeline, DumpDirThatCannotBeCreatedIsAUserError) {
  std::string in = write("g.pbtxt", matmul_bias());
  std::string file = write("plain_file", "x");
  Result r = aamp({"convert", in, "-o", path("out.pb"), "--dump-after-each-pass", file + "/d"});
  expect_user_error(r, {"cannot create the pass dump folder", file + "/d"});
  EXPECT_FALSE(fs::exists(path("out.pb")));
}

TEST_F(ConvertPipeline, VerifyEachPassRollsBackABrokenPass) {
  std::string in = write("g.pbtxt", matmul_bias());
  ScopedEnv fault("AAMP_TEST_BREAK_PASS", "AutoMixedPrecision");
  Result plain = aamp({"convert", in, "-o", path("plain.pbtxt")});
  ASSERT_EQ(plain.code, 0) << plain.err;
  EXPECT_EQ(plain.err, "");  // unchecked, the fault goes through unnoticed
  EXPECT_NE(aamp_cli_test::slurp(path("plain.pbtxt")).find("DT_DOUBLE"), std::string::npos);

  Result r = aamp({"convert", in, "-o", path("out.pbtxt"), "--verify-each-pass"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: pass AutoMixedPrecision failed and was skipped"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("(_FusedMatMul)"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("Converted 0/0 nodes"), std::string::npos) << r.out;
  aamp::Graph g = aamp::load_graph(path("out.pbtxt"));
  EXPECT_EQ(g.at("a").attr_type("T"), aamp::DType::kFloat);  // AMP undone, the fusion kept
  EXPECT_EQ(g.at("a").op, "_FusedMatMul");
}

TEST_F(ConvertPipeline, StrictFailsNamingThePassAndDumpsItsOutput) {
  std::string in = write("g.pbtxt", matmul_bias());
  ScopedEnv fault("AAMP_TEST_BREAK_PASS", "AutoMixedPrecision");
  Result r = aamp({"convert", in, "-o", path("out.pb"), "--verify-each-pass", "--strict",
                   "--dump-after-each-pass", path("d")});
  EXPECT_EQ(r.code, 1) << r.err;  // a bug in a pass: internal error
  EXPECT_EQ(r.err.rfind("aamp: error: pass AutoMixedPrecision failed (strict mode): it left a "
                        "graph that does not validate: node 'a' (_FusedMatMul)",
                        0),
            0u)
      << r.err;
  EXPECT_EQ(r.err.find("warning:"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(path("out.pb")));
  EXPECT_EQ(files_in(path("d")), (std::vector<std::string>{"00-input.pbtxt", "01-remapper.pbtxt",
                                                          "02-auto_mixed_precision.pbtxt"}));
  aamp::Graph broken = aamp::load_graph(path("d") + "/02-auto_mixed_precision.pbtxt");
  EXPECT_EQ(broken.at("a").attr_type("T"), aamp::DType::kDouble);
}

TEST_F(ConvertPipeline, HelpTeachesTheFlags) {
  Result r = aamp({"convert", "--help"});
  ASSERT_EQ(r.code, 0);
  for (const char* s : {"--dump-after-each-pass DIR", "--verify-each-pass", "--strict",
                        "00-input.pbtxt", "AAMP_VERIFY_EACH_PASS"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
}

}  // namespace
