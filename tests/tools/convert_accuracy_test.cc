// `aamp convert --accuracy-target / --calibration-input / --deny-nodes` run as a user would.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "aamp/io/npy.h"
#include "aamp/ir/tensor.h"
#include "tools/cli_fixture.h"

namespace {

namespace fs = std::filesystem;

using aamp_cli_test::Result;
using aamp_cli_test::slurp;
class ConvertAccuracy : public aamp_cli_test::CliFixture {};

// out1 = (x @ w1 + 1000) @ w2 with w2 taking differences of columns: the 1000 cancels, so
// bfloat16 rounding of ba1's output (or of mm2's input) destroys out1. out2 = x @ w3 is benign.
const char* kCancel = R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "shape" value { shape { dim { size: 1 } dim { size: 4 } } } } }
node { name: "w1" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 4 } dim { size: 4 } }
  float_val: 0.5 float_val: -0.25 float_val: 0.75 float_val: 0.1 float_val: -0.3 float_val: 0.6
  float_val: 0.2 float_val: -0.7 float_val: 0.4 float_val: 0.3 float_val: -0.5 float_val: 0.9
  float_val: 0.8 float_val: -0.6 float_val: 0.35 float_val: 0.15 } } } }
node { name: "b1" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 4 } }
  float_val: 1000 float_val: 1000 float_val: 1000 float_val: 1000 } } } }
node { name: "w2" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 4 } dim { size: 2 } }
  float_val: 1 float_val: 0 float_val: -1 float_val: 0 float_val: 0 float_val: 1 float_val: 0
  float_val: -1 } } } }
node { name: "w3" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 4 } dim { size: 2 } }
  float_val: 0.5 float_val: -0.4 float_val: 0.3 float_val: 0.7 float_val: -0.6 float_val: 0.2
  float_val: 0.9 float_val: -0.1 } } } }
node { name: "mm1" op: "MatMul" input: "x" input: "w1" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "ba1" op: "BiasAdd" input: "mm1" input: "b1" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "mm2" op: "MatMul" input: "ba1" input: "w2" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "out1" op: "Identity" input: "mm2" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "mm3" op: "MatMul" input: "x" input: "w3" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "out2" op: "Identity" input: "mm3" attr { key: "T" value { type: DT_FLOAT } } }
)";

std::string decisions_tsv(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind("decisions_", 0) == 0) return slurp(e.path());
  return "";
}

TEST_F(ConvertAccuracy, GuardKeepsTheSensitiveNodesAndSaysSo) {
  std::string in = write("cancel.pbtxt", kCancel);
  aamp::write_npy(path("x.npy"),
                  aamp::Tensor::from_vector<float>(aamp::Shape{1, 4}, {0.1f, 0.7f, 0.4f, 0.9f}));
  Result r = aamp({"convert", in, "-o", path("out.pbtxt"), "--no-remapper", "--accuracy-target",
                   "1e-2", "--calibration-input", "x=" + path("x.npy"), "--threads", "1",
                   "--log-dir", path("logs")});
  ASSERT_EQ(r.code, 0) << r.err;
  // mm1 and mm3 convert; ba1 and mm2 are kept float32.
  EXPECT_NE(r.out.find("Converted 2/7 nodes to bfloat16 using "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("; 2 nodes kept float32 for accuracy 0.01: error "), std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("accuracy guard: converted graph: error "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("on 1 calibration sample (target 0.01"), std::string::npos) << r.err;
  std::string tsv = decisions_tsv(path("logs"));
  EXPECT_NE(tsv.find("ba1\tBiasAdd\tfloat32\taccuracy-guard\n"), std::string::npos) << tsv;
  EXPECT_NE(tsv.find("mm2\tMatMul\tfloat32\taccuracy-guard\n"), std::string::npos) << tsv;
  EXPECT_NE(tsv.find("mm3\tMatMul\tbfloat16\tallowlist\n"), std::string::npos) << tsv;
}

TEST_F(ConvertAccuracy, QuietPrintsOnlyTheSummary) {
  std::string in = write("cancel.pbtxt", kCancel);
  Result r = aamp({"convert", in, "-o", path("out.pb"), "--no-remapper", "--accuracy-target",
                   "0.01", "--calibration-samples", "2", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("nodes kept float32 for accuracy 0.01: error "), std::string::npos) << r.out;
}

TEST_F(ConvertAccuracy, DenyNodesKeepsThatNodeFloat32) {
  std::string in = write("cancel.pbtxt", kCancel);
  Result r = aamp({"convert", in, "-o", path("out.pbtxt"), "--no-remapper", "--deny-nodes", "mm3",
                   "--log-dir", path("logs")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Converted 3/7 nodes to bfloat16"), std::string::npos) << r.out;
  EXPECT_NE(decisions_tsv(path("logs")).find("mm3\tMatMul\tfloat32\tdeny-node\n"),
            std::string::npos);
  Result unknown = aamp({"convert", in, "-o", path("out2.pb"), "--deny-nodes", "nope", "-q"});
  ASSERT_EQ(unknown.code, 0) << unknown.err;
  EXPECT_NE(unknown.err.find("warning: AMP deny_nodes name node(s) not in the graph"),
            std::string::npos)
      << unknown.err;
  EXPECT_NE(unknown.err.find(" nope"), std::string::npos) << unknown.err;
}

TEST_F(ConvertAccuracy, BadOptionsAreUserErrors) {
  std::string in = write("cancel.pbtxt", kCancel);
  expect_user_error(aamp({"convert", in, "-o", path("o.pb"), "--calibration-samples", "3"}),
                    {"--accuracy-target"});
  expect_user_error(aamp({"convert", in, "-o", path("o.pb"), "--accuracy-target", "0.01",
                          "--calibration-input", "y=" + path("missing.npy")}),
                    {"y"});
  Result neg = aamp({"convert", in, "-o", path("o.pb"), "--accuracy-target", "-1"});
  EXPECT_EQ(neg.code, 2) << neg.err;
  EXPECT_NE(neg.err.find("--accuracy-target"), std::string::npos) << neg.err;
}

}  // namespace
