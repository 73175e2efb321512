// The tf_compatible remapper and TF.js's own ops: FusedDepthwiseConv2dNative and Prelu (and a
// Prelu step in _FusedConv2D) become the stock ops they stand for, so that --tf-compatible output
// validates against stock TensorFlow; without tf_compatible they are left alone (aamp runs them).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "aamp/ops/validate.h"
#include "passes/remapper_test_util.h"
#include "test_util.h"

namespace aamp {
namespace {

using namespace remap_test;  // NOLINT(build/namespaces): the test helpers
using remap_test::remap;     // not the namespace aamp::remap

const char* kDepthwise = R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "shape" value { shape { dim { size: -1 } dim { size: 4 } dim { size: 4 } dim { size: 2 } } } } }
node { name: "w" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 3 } dim { size: 3 } dim { size: 2 } dim { size: 1 } } float_val: 0.5 } } } }
node { name: "b" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } } float_val: 0.1 float_val: -0.2 } } } }
node { name: "dw" op: "FusedDepthwiseConv2dNative" input: "x" input: "w" input: "b" input: "^x"
       attr { key: "T" value { type: DT_FLOAT } } attr { key: "num_args" value { i: 1 } }
       attr { key: "strides" value { list { i: 1 i: 2 i: 2 i: 1 } } } attr { key: "padding" value { s: "SAME" } }
       attr { key: "dilations" value { list { i: 1 i: 1 i: 1 i: 1 } } } attr { key: "data_format" value { s: "NHWC" } }
       attr { key: "explicit_paddings" value { list { } } }
       attr { key: "fused_ops" value { list { s: "BiasAdd" s: "ACT" } } } }
node { name: "out" op: "Identity" input: "dw" attr { key: "T" value { type: DT_FLOAT } } }
)";

std::string depthwise(const std::string& act) {
  std::string s = kDepthwise;
  s.replace(s.find("ACT"), 3, act);
  return s;
}

TEST(RemapperTfjs, FusedDepthwiseBecomesDepthwiseBiasAddActivation) {
  Graph g = parse(depthwise("Relu6"));
  ASSERT_FALSE(validate(g, true).ok());
  RemapperResult r = remap(g, /*tf_compatible=*/true);
  EXPECT_EQ(r.fusions["UnfuseTfjsContraction"], 1);
  EXPECT_EQ(r.total(), 1);
  EXPECT_EQ(ops(g), "BiasAdd:1 Const:2 DepthwiseConv2dNative:1 Identity:1 Placeholder:1 Relu6:1");
  // The last step keeps the fused node's name, so consumers and fetches still work.
  const Node& act = g.at("dw");
  EXPECT_EQ(act.op, "Relu6");
  EXPECT_EQ(act.inputs, (std::vector<std::string>{"dw/BiasAdd", "^x"}));
  const Node& bias = g.at("dw/BiasAdd");
  EXPECT_EQ(bias.inputs, (std::vector<std::string>{"dw/DepthwiseConv2dNative", "b"}));
  EXPECT_EQ(bias.attr_string("data_format"), "NHWC");
  const Node& conv = g.at("dw/DepthwiseConv2dNative");
  EXPECT_EQ(conv.inputs, (std::vector<std::string>{"x", "w", "^x"}));
  EXPECT_EQ(conv.attr_list("strides").i, (std::vector<int64_t>{1, 2, 2, 1}));
  EXPECT_EQ(conv.attr_string("padding"), "SAME");
  // Only the stock signature's attrs.
  EXPECT_FALSE(conv.has_attr("fused_ops"));
  EXPECT_FALSE(conv.has_attr("num_args"));
  EXPECT_TRUE(validate(g, true).ok()) << validate(g, true).summary();
}

// TensorFlow with its oneDNN ops has a fused depthwise convolution of its own: TF.js's stays fused
// under TensorFlow's name where its steps are BiasAdd [+ Relu | Relu6 | Elu] and its padding SAME
// or VALID; a LeakyRelu (which TensorFlow's kernel refused) is unfused after the BiasAdd.
TEST(RemapperTfjs, FusedDepthwiseBecomesTensorFlowsForItsOneDnn) {
  Graph g = parse(depthwise("Relu6"));
  RemapperResult r = remap(g, /*tf_compatible=*/true, {}, false, /*tf_onednn=*/true);
  EXPECT_EQ(r.fusions["UnfuseTfjsContraction"], 1);
  EXPECT_EQ(ops(g), "Const:2 Identity:1 Placeholder:1 _FusedDepthwiseConv2dNative:1");
  const Node& dw = g.at("dw");
  EXPECT_EQ(dw.op, "_FusedDepthwiseConv2dNative");
  EXPECT_EQ(dw.inputs, (std::vector<std::string>{"x", "w", "b", "^x"}));
  EXPECT_EQ(fused_ops(dw), (std::vector<std::string>{"BiasAdd", "Relu6"}));
  EXPECT_FALSE(dw.has_attr("explicit_paddings"));  // not in TensorFlow's signature
  EXPECT_TRUE(validate(g, true).ok()) << validate(g, true).summary();

  Graph leaky = parse(depthwise("LeakyRelu"));
  remap(leaky, true, {}, false, true);
  EXPECT_EQ(ops(leaky),
            "Const:2 Identity:1 LeakyRelu:1 Placeholder:1 _FusedDepthwiseConv2dNative:1");
  EXPECT_EQ(fused_ops(leaky.at(leaky.at("dw").input(0).node)),
            (std::vector<std::string>{"BiasAdd"}));

  std::string text = depthwise("Relu6");
  text.replace(text.find("s: \"SAME\""), 10, "s: \"EXPLICIT\"");
  text.replace(text.find("explicit_paddings\" value { list { }"), 36,
               "explicit_paddings\" value { list { i: 0 i: 0 i: 1 i: 1 i: 1 i: 1 i: 0 i: 0 }");
  Graph expl = parse(text);
  remap(expl, true, {}, false, true);
  EXPECT_EQ(ops(expl),
            "BiasAdd:1 Const:2 DepthwiseConv2dNative:1 Identity:1 Placeholder:1 Relu6:1");
}

TEST(RemapperTfjs, FusedDepthwiseLeakyReluKeepsAlpha) {
  std::string text = depthwise("LeakyRelu");
  text.replace(text.find("attr { key: \"num_args\""), 0,
               "attr { key: \"leakyrelu_alpha\" value { f: 0.25 } } ");
  Graph g = parse(text);
  remap(g, true);
  EXPECT_EQ(g.at("dw").op, "LeakyRelu");
  EXPECT_FLOAT_EQ(g.at("dw").attr_float("alpha"), 0.25f);
  EXPECT_TRUE(validate(g, true).ok()) << validate(g, true).summary();
}

TEST(RemapperTfjs, FusedDepthwiseBiasOnly) {
  std::string text = depthwise("X");
  text.replace(text.find(" s: \"X\""), 7, "");
  Graph g = parse(text);
  remap(g, true);
  EXPECT_EQ(ops(g), "BiasAdd:1 Const:2 DepthwiseConv2dNative:1 Identity:1 Placeholder:1");
  EXPECT_EQ(g.at("dw").op, "BiasAdd");
  EXPECT_EQ(g.at("dw").inputs, (std::vector<std::string>{"dw/DepthwiseConv2dNative", "b", "^x"}));
}

TEST(RemapperTfjs, FusedDepthwiseLeftAloneWithoutTfCompatible) {
  expect_unchanged(depthwise("Relu6"), /*tf_compatible=*/false);
}

TEST(RemapperTfjs, StepWithoutStockFormIsLeftForValidation) {
  // No stock op is GeluExact: the node stays and validation names it.
  const std::string text = depthwise("GeluExact");
  expect_unchanged(text, /*tf_compatible=*/true);
  Graph g = parse(text);
  EXPECT_EQ(validate(g, true).summary(),
            "node 'dw' (FusedDepthwiseConv2dNative): op 'FusedDepthwiseConv2dNative' is "
            "TensorFlow.js-only: stock TensorFlow cannot run it");
}

const char* kPrelu = R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "shape" value { shape { dim { size: -1 } dim { size: 3 } } } } }
node { name: "alpha" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 3 } } float_val: 0.1 float_val: 0.2 float_val: 0.3 } } } }
node { name: "p" op: "Prelu" input: "x" input: "alpha" }
node { name: "out" op: "Identity" input: "p" attr { key: "T" value { type: DT_FLOAT } } }
)";

TEST(RemapperTfjs, PreluBecomesReluPlusScaledMinimum) {
  Graph g = parse(kPrelu);
  RemapperResult r = remap(g, true);
  EXPECT_EQ(r.fusions["Prelu->StockOps"], 1);
  EXPECT_EQ(ops(g), "AddV2:1 Const:2 Identity:1 Minimum:1 Mul:1 Placeholder:1 Relu:1");
  const Node& sum = g.at("p");
  EXPECT_EQ(sum.op, "AddV2");
  EXPECT_EQ(sum.inputs, (std::vector<std::string>{"p/pos", "p/scaled"}));
  EXPECT_EQ(g.at("p/pos").op, "Relu");
  EXPECT_EQ(g.at("p/pos").inputs, std::vector<std::string>{"x"});
  EXPECT_EQ(g.at("p/scaled").op, "Mul");
  EXPECT_EQ(g.at("p/scaled").inputs, (std::vector<std::string>{"alpha", "p/neg"}));
  EXPECT_EQ(g.at("p/neg").op, "Minimum");
  EXPECT_EQ(g.at("p/neg").inputs, (std::vector<std::string>{"x", "p/zero"}));
  const Tensor& zero = *const_value(g.at("p/zero"));
  EXPECT_EQ(zero.num_elements(), 1);
  EXPECT_EQ(zero.data<float>()[0], 0.0f);
  EXPECT_TRUE(validate(g, true).ok()) << validate(g, true).summary();
}

TEST(RemapperTfjs, PreluLeftAloneWithoutTfCompatible) { expect_unchanged(kPrelu, false); }

const char* kConvPrelu = R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "shape" value { shape { dim { size: -1 } dim { size: 4 } dim { size: 4 } dim { size: 1 } } } } }
node { name: "w" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 1 } dim { size: 1 } dim { size: 1 } dim { size: 2 } } float_val: 1 float_val: -1 } } } }
node { name: "b" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } } float_val: 0.5 } } } }
node { name: "a" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } } float_val: 0.25 } } } }
node { name: "c" op: "_FusedConv2D" input: "x" input: "w" input: "b" input: "a"
       attr { key: "T" value { type: DT_FLOAT } } attr { key: "num_args" value { i: 2 } }
       attr { key: "strides" value { list { i: 1 i: 1 i: 1 i: 1 } } } attr { key: "padding" value { s: "SAME" } }
       attr { key: "fused_ops" value { list { s: "BiasAdd" s: "Prelu" } } } attr { key: "epsilon" value { f: 0 } } }
node { name: "out" op: "Identity" input: "c" attr { key: "T" value { type: DT_FLOAT } } }
)";

TEST(RemapperTfjs, FusedConvPreluKeepsBiasAddFusedAndUnfusesPrelu) {
  Graph g = parse(kConvPrelu);
  RemapperResult r = remap(g, true);
  EXPECT_EQ(r.fusions["UnfuseTfjsContraction"], 1);
  EXPECT_EQ(r.fusions["Prelu->StockOps"], 1);
  EXPECT_EQ(ops(g),
            "AddV2:1 Const:4 Identity:1 Minimum:1 Mul:1 Placeholder:1 Relu:1 _FusedConv2D:1");
  const Node& conv = g.at("c/_FusedConv2D");
  EXPECT_EQ(conv.inputs, (std::vector<std::string>{"x", "w", "b"}));
  EXPECT_EQ(fused_ops(conv), std::vector<std::string>{"BiasAdd"});
  EXPECT_EQ(conv.attr_int("num_args"), 1);
  EXPECT_EQ(g.at("c").op, "AddV2");
  EXPECT_EQ(g.at("c/scaled").inputs, (std::vector<std::string>{"a", "c/neg"}));
  EXPECT_EQ(g.at("c/pos").inputs, std::vector<std::string>{"c/_FusedConv2D"});
  EXPECT_TRUE(validate(g, true).ok()) << validate(g, true).summary();
}

TEST(RemapperTfjs, StockFusedConvLeftAlone) {
  std::string text = kConvPrelu;
  text.replace(text.find("s: \"Prelu\""), 10, "s: \"Relu\"");
  text.replace(text.find("input: \"b\" input: \"a\""), 22, "input: \"b\"");
  text.replace(text.find("i: 2"), 4, "i: 1");
  expect_unchanged(text, true);
}

// TF.js models of the test set that hold TF.js's own ops validate as stock TensorFlow after the
// tf_compatible remapper: FusedDepthwiseConv2dNative [BiasAdd] / [BiasAdd, Relu] (mobilefacenet),
// [BiasAdd, Relu6] (movenet), Prelu and _FusedConv2D [BiasAdd, Prelu] (iris, facemesh). (All
// 40 models pass; these keep the test fast.)
TEST(RemapperTfjs, RealTfjsModelsBecomeTfCompatible) {
  namespace fs = std::filesystem;
  fs::path dir = AAMP_MODELS_DIR;
  AAMP_REQUIRE_MODELS(fs::is_directory(dir), dir);
  int rewritten = 0;
  for (const char* name : {"mobilefacenet", "movenet-lightning", "iris", "facemesh"}) {
    SCOPED_TRACE(name);
    const fs::path model = dir / (std::string(name) + ".json");
    ASSERT_TRUE(fs::exists(model));
    Graph g = load_tfjs(model.string());
    ASSERT_FALSE(validate(g, true).ok());
    RemapperResult r = remap(g, true);
    rewritten += r.fusions["UnfuseTfjsContraction"] + r.fusions["Prelu->StockOps"];
    EXPECT_TRUE(validate(g, true).ok()) << validate(g, true).summary();
  }
  EXPECT_GT(rewritten, 100);
}

}  // namespace
}  // namespace aamp
