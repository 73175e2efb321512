// `aamp convert` run as a user would: summary line, output by extension, list options, log dir,
// --tf-compatible, errors; one real model.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "aamp/api/optimize.h"
#include "aamp/io/graph_io.h"
#include "test_util.h"
#include "tools/cli_fixture.h"

namespace {

namespace fs = std::filesystem;

using aamp_cli_test::Result;
using aamp_cli_test::slurp;
class Convert : public aamp_cli_test::CliFixture {};

const char* kMlpText = R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "shape" value { shape { dim { size: -1 } dim { size: 2 } } } } }
node { name: "w" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } dim { size: 2 } }
  float_val: 1 float_val: 2 float_val: 3 float_val: 4 } } } }
node { name: "m" op: "MatMul" input: "x" input: "w" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "e" op: "Exp" input: "m" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "out" op: "Identity" input: "e" attr { key: "T" value { type: DT_FLOAT } } }
)";

TEST_F(Convert, SmallGraphSummaryAndTextOutput) {
  std::string in = write("mlp.pbtxt", kMlpText);
  Result r = aamp({"convert", in, "-o", path("out.pbtxt")});
  ASSERT_EQ(r.code, 0) << r.err;
  // x, m, e, out are float nodes; m converts; casts: x in, m out.
  EXPECT_NE(r.out.find("Converted 1/4 nodes to bfloat16 using 2 casts; weights 0.00 MB -> 0.00 MB"),
            std::string::npos)
      << r.out;
  std::string text = slurp(path("out.pbtxt"));
  EXPECT_NE(text.find("x-0-CastToBf16-AutoMixedPrecision"), std::string::npos);
  EXPECT_NE(text.find("m-0-CastToFp32-AutoMixedPrecision"), std::string::npos);
  EXPECT_NE(text.find("DT_BFLOAT16"), std::string::npos);
}

// The warning about a CPU without native bfloat16 appears exactly where the CPU lacks it (other
// CLI tests take it out of stderr: CliFixture::without_cpu_warning).
TEST_F(Convert, Bf16WarningFollowsTheCpu) {
  std::string in = write("mlp.pbtxt", kMlpText);
  Result r = aamp_raw({"convert", in, "-o", path("out.pb")});
  ASSERT_EQ(r.code, 0) << r.err;
  const bool warned = r.err.find(
                          "this CPU has no native bfloat16 instructions (AVX512_BF16 or "
                          "AMX)") != std::string::npos;
  EXPECT_EQ(warned, !aamp::cpu_has_native_bf16()) << r.err;
  EXPECT_EQ(without_cpu_warning(r.err), "");
  // Float16 for the GPU says nothing about this CPU.
  Result g = aamp_raw({"convert", in, "-o", path("gpu.pb"), "--device", "gpu"});
  ASSERT_EQ(g.code, 0) << g.err;
  EXPECT_EQ(g.err.find("native bfloat16"), std::string::npos) << g.err;
}

TEST_F(Convert, ListOptionsChangeTheOutcome) {
  std::string in = write("mlp.pbtxt", kMlpText);
  Result r = aamp({"convert", in, "-o", path("out.pb"), "--denylist-remove", "Exp",
                   "--inferlist-add", "Exp", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Converted 2/4 nodes to bfloat16 using 2 casts"), std::string::npos)
      << r.out;
  EXPECT_TRUE(fs::exists(path("out.pb")));
  Result conflict = aamp({"convert", in, "-o", path("bad.pb"), "--inferlist-add", "Exp"});
  EXPECT_EQ(conflict.code, 2) << conflict.err;
  EXPECT_NE(conflict.err.find("Exp"), std::string::npos) << conflict.err;
  EXPECT_NE(conflict.err.find("inferlist"), std::string::npos) << conflict.err;
  EXPECT_NE(conflict.err.find("denylist"), std::string::npos) << conflict.err;
  EXPECT_FALSE(fs::exists(path("bad.pb")));
}

TEST_F(Convert, ForceAllAndLogDir) {
  std::string in = write("mlp.pbtxt", kMlpText);
  Result r = aamp({"convert", in, "-o", path("out.pb"), "--force-all", "--log-dir", path("logs")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Converted 2/4 nodes"), std::string::npos) << r.out;
  int pre = 0, post = 0, buckets = 0, decisions = 0;
  for (const auto& e : fs::directory_iterator(path("logs"))) {
    std::string n = e.path().filename().string();
    pre += std::regex_match(n, std::regex("graphdef_preop_[0-9]+\\.pb(\\.txt)?"));
    post += std::regex_match(n, std::regex("graphdef_AutoMixedPrecision_[0-9]+\\.pb(\\.txt)?"));
    buckets += std::regex_match(n, std::regex("paintbuckets_AutoMixedPrecision_[0-9]+\\.txt"));
    decisions += std::regex_match(n, std::regex("decisions_[0-9]+\\.tsv"));
  }
  EXPECT_EQ(pre, 2);
  EXPECT_EQ(post, 2);
  EXPECT_EQ(buckets, 1);
  EXPECT_EQ(decisions, 1);
}

// MatMul -> Sum: Sum is infer on the CPU (follows the MatMul into bf16) and deny on the GPU
// (spec section 2). w holds 2 x 5000 floats (40,000 bytes) so the weight sizes show.
const char* kMatMulSum = R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "shape" value { shape { dim { size: -1 } dim { size: 2 } } } } }
node { name: "w" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT
  tensor_shape { dim { size: 2 } dim { size: 5000 } } float_val: 0.5 } } } }
node { name: "m" op: "MatMul" input: "x" input: "w" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "axis" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
  attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { } int_val: 1 } } } }
node { name: "s" op: "Sum" input: "m" input: "axis" attr { key: "T" value { type: DT_FLOAT } }
  attr { key: "Tidx" value { type: DT_INT32 } } attr { key: "keep_dims" value { b: false } } }
node { name: "out" op: "Identity" input: "s" attr { key: "T" value { type: DT_FLOAT } } }
)";

// The output graph's Cast named <src>-0-<tag>-AutoMixedPrecision reads src, from -> to.
void expect_cast(const aamp::Graph& g, const std::string& src, const std::string& tag,
                 aamp::DType from, aamp::DType to) {
  const std::string name = src + "-0-" + tag + "-AutoMixedPrecision";
  const aamp::Node* c = g.find(name);
  ASSERT_NE(c, nullptr) << name;
  EXPECT_EQ(c->op, "Cast");
  EXPECT_EQ(c->inputs, std::vector<std::string>{src});
  EXPECT_EQ(c->attr_type("SrcT"), from);
  EXPECT_EQ(c->attr_type("DstT"), to);
}

int count_casts(const aamp::Graph& g) {
  int n = 0;
  for (const auto& node : g.nodes()) n += node->op == "Cast";
  return n;
}

TEST_F(Convert, CpuListsSumFollowsMatMulIntoBf16) {
  std::string in = write("sum.pbtxt", kMatMulSum);
  Result r = aamp({"convert", in, "-o", path("cpu.pb"), "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Converted 2/4 nodes to bfloat16 using 2 casts; weights 0.04 MB -> 0.02 MB\n");
  aamp::Graph g = aamp::load_graph(path("cpu.pb"));
  EXPECT_EQ(g.at("m").attr_type("T"), aamp::DType::kBFloat16);
  EXPECT_EQ(g.at("s").attr_type("T"), aamp::DType::kBFloat16);
  EXPECT_EQ(g.at("s").attr_type("Tidx"), aamp::DType::kInt32);
  EXPECT_EQ(g.at("out").attr_type("T"), aamp::DType::kFloat);
  EXPECT_EQ(g.at("w").attr_tensor("value").dtype(), aamp::DType::kBFloat16);
  EXPECT_EQ(g.at("axis").attr_tensor("value").dtype(), aamp::DType::kInt32);
  EXPECT_EQ(count_casts(g), 2);
  expect_cast(g, "x", "CastToBf16", aamp::DType::kFloat, aamp::DType::kBFloat16);
  expect_cast(g, "s", "CastToFp32", aamp::DType::kBFloat16, aamp::DType::kFloat);
}

// --device gpu: float16 by default and the GPU lists (Sum deny); works on a machine without a GPU
// (converting only rewrites the graph).
TEST_F(Convert, DeviceGpuDefaultsToFp16AndKeepsSumFloat) {
  std::string in = write("sum.pbtxt", kMatMulSum);
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{}, std::vector<std::string>{"--dtype", "fp16"}}) {
    SCOPED_TRACE(extra.empty() ? "default dtype" : "--dtype fp16");
    std::vector<std::string> args = {"convert", in, "-o", path("gpu.pbtxt"), "--device", "gpu"};
    args.insert(args.end(), extra.begin(), extra.end());
    Result r = aamp(args);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("Converted 1/4 nodes to float16 using 2 casts; weights 0.04 MB -> "
                         "0.02 MB\n"),
              std::string::npos)
        << r.out;
    aamp::Graph g = aamp::load_graph(path("gpu.pbtxt"));
    EXPECT_EQ(g.at("m").attr_type("T"), aamp::DType::kHalf);
    EXPECT_EQ(g.at("s").attr_type("T"), aamp::DType::kFloat);
    EXPECT_EQ(g.at("out").attr_type("T"), aamp::DType::kFloat);
    EXPECT_EQ(g.at("w").attr_type("dtype"), aamp::DType::kHalf);
    EXPECT_EQ(g.at("w").attr_tensor("value").dtype(), aamp::DType::kHalf);
    EXPECT_EQ(count_casts(g), 2);
    expect_cast(g, "x", "CastToFp16", aamp::DType::kFloat, aamp::DType::kHalf);
    expect_cast(g, "m", "CastToFp32", aamp::DType::kHalf, aamp::DType::kFloat);
    EXPECT_EQ(g.at("s").inputs,
              (std::vector<std::string>{"m-0-CastToFp32-AutoMixedPrecision", "axis"}));
  }
}

TEST_F(Convert, DeviceGpuWithBf16UsesGpuLists) {
  std::string in = write("sum.pbtxt", kMatMulSum);
  Result r =
      aamp({"convert", in, "-o", path("gpu.pb"), "--device", "gpu", "--dtype", "bf16", "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Converted 1/4 nodes to bfloat16 using 2 casts; weights 0.04 MB -> 0.02 MB\n");
  aamp::Graph g = aamp::load_graph(path("gpu.pb"));
  EXPECT_EQ(g.at("m").attr_type("T"), aamp::DType::kBFloat16);
  EXPECT_EQ(g.at("s").attr_type("T"), aamp::DType::kFloat);
  expect_cast(g, "m", "CastToFp32", aamp::DType::kBFloat16, aamp::DType::kFloat);
}

// fp16 for the CPU needs native FP16 arithmetic: without it a user error, and no output.
TEST_F(Convert, Fp16OnCpuWithoutNativeFp16IsAnError) {
  std::string in = write("sum.pbtxt", kMatMulSum);
  Result r = aamp({"convert", in, "-o", path("cpu16.pb"), "--dtype", "fp16", "-q"});
  if (aamp::cpu_has_native_fp16()) {
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "Converted 2/4 nodes to float16 using 2 casts; weights 0.04 MB -> 0.02 MB\n");
    return;
  }
  expect_user_error(r, {"FLOAT16", "native FP16"});
  EXPECT_FALSE(fs::exists(path("cpu16.pb")));
}

// Nothing to convert: the output .pb is byte-identical to the input .pb.
TEST_F(Convert, NothingToDoIsByteIdentical) {
  aamp::Graph g = aamp::parse_graphdef_text(R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "e" op: "Exp" input: "x" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "r" op: "Relu" input: "e" attr { key: "T" value { type: DT_FLOAT } } }
)",
                                            "<noop>");
  std::string bytes = aamp::serialize_graphdef_binary(g);
  std::string in = write("noop.pb", bytes);
  Result r = aamp({"convert", in, "-o", path("out.pb"), "-q"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Converted 0/3 nodes to bfloat16 using 0 casts; weights 0.00 MB -> 0.00 MB\n");
  EXPECT_EQ(slurp(path("out.pb")), bytes);
}

TEST_F(Convert, BadOptionsAreUserErrors) {
  std::string in = write("mlp.pbtxt", kMlpText);
  Result r = aamp({"convert", in, "-o", path("o.pb"), "--dtype", "int8"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("BFLOAT16"), std::string::npos) << r.err;
  Result d = aamp({"convert", in, "-o", path("o.pb"), "--device", "tpu"});
  EXPECT_EQ(d.code, 2);
  EXPECT_NE(d.err.find("cpu, gpu"), std::string::npos) << d.err;
  Result m = aamp({"convert", path("missing.pb"), "-o", path("o.pb")});
  EXPECT_EQ(m.code, 2);
  EXPECT_NE(m.err.find("missing.pb"), std::string::npos) << m.err;
}

TEST_F(Convert, HelpHasExamples) {
  Result r = aamp({"convert", "--help"});
  EXPECT_EQ(r.code, 0);
  for (const char* s : {"--allowlist-add", "--denylist-remove", "--force-all", "--log-dir",
                        "--tf-compatible", "--no-remapper", "Examples:"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
}

TEST_F(Convert, RealModelTfCompatible) {
  std::string model = std::string(AAMP_MODELS_DIR) + "/gear.json";
  AAMP_REQUIRE_MODELS(fs::exists(model), model);
  Result r = aamp({"convert", model, "-o", path("gear_bf16.pb"), "--tf-compatible"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      r.out, m,
      std::regex("Converted ([0-9]+)/([0-9]+) nodes to bfloat16 using ([0-9]+) casts; weights "
                 "([0-9.]+) MB -> ([0-9.]+) MB")))
      << r.out;
  EXPECT_GT(std::stoi(m[1]), 0);
  EXPECT_LT(std::stod(m[5]), std::stod(m[4]));  // weights shrank
  Result inspect = aamp({"inspect", path("gear_bf16.pb"), "--tf-compatible"});
  EXPECT_EQ(inspect.code, 0) << inspect.err;
}

// TF.js models hold ops stock TensorFlow lacks (iris: Prelu and _FusedConv2D[BiasAdd, Prelu];
// mobilefacenet: FusedDepthwiseConv2dNative): --tf-compatible rewrites them into stock ops, and
// without the remapper it fails naming the node and the op.
TEST_F(Convert, RealModelWithTfjsOpsTfCompatible) {
  for (const char* name : {"iris", "mobilefacenet"}) {
    SCOPED_TRACE(name);
    std::string model = std::string(AAMP_MODELS_DIR) + "/" + name + ".json";
    AAMP_REQUIRE_MODELS(fs::exists(model), model);
    std::string out = path(std::string(name) + "_bf16.pb");
    Result r = aamp({"convert", model, "-o", out, "--tf-compatible"});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    Result inspect = aamp({"inspect", out, "--tf-compatible"});
    EXPECT_EQ(inspect.code, 0) << inspect.out << inspect.err;
    Result raw = aamp({"convert", model, "-o", path("raw.pb"), "--tf-compatible", "--no-remapper"});
    EXPECT_EQ(raw.code, 2) << raw.out << raw.err;
    EXPECT_NE(raw.err.find("TensorFlow.js-only: stock TensorFlow cannot run it"), std::string::npos)
        << raw.err;
    EXPECT_NE(
        raw.err.find(std::string(name) == "iris" ? "(Prelu)" : "(FusedDepthwiseConv2dNative)"),
        std::string::npos)
        << raw.err;
  }
}

}  // namespace
