// Golden-graph tests of the remapper: each fusion fuses exactly as expected, and the
// "does not fuse" cases leave the graph byte-identical.
#include "aamp/passes/remapper.h"

#include <gtest/gtest.h>

#include "passes/remapper_test_util.h"

namespace aamp {
namespace {

using namespace remap_test;  // NOLINT(build/namespaces): the test helpers
using remap_test::remap;     // not the namespace aamp::remap

const char* kSwish = R"(
node { name: "sig" op: "Sigmoid" input: "x" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "mul" op: "Mul" input: "sig" input: "x" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "out" op: "Identity" input: "mul" attr { key: "T" value { type: DT_FLOAT } } }
)";

TEST(RemapperTest, SwishFuses) {
  Graph g = parse(with_x(kSwish));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["Swish"], 1);
  EXPECT_EQ(ops(g), "Identity:1 Placeholder:1 Swish:1");
  const Node& s = g.at("mul");  // the fused node keeps the root's name
  EXPECT_EQ(s.op, "Swish");
  EXPECT_EQ(s.inputs, std::vector<std::string>{"x"});
  EXPECT_EQ(s.attr_type("T"), DType::kFloat);
}

// A fused graph output keeps its place in node order, so a Session's default outputs (graph
// outputs in node order) come in the same order before and after the remapper.
TEST(RemapperTest, FusedOutputKeepsItsPlaceInNodeOrder) {
  Graph g = parse(with_x(R"(
node { name: "sig" op: "Sigmoid" input: "x" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "first" op: "Mul" input: "sig" input: "x" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "second" op: "Relu" input: "x" attr { key: "T" value { type: DT_FLOAT } } }
)"));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["Swish"], 1);
  std::vector<std::string> names;
  for (const auto& n : g.nodes()) names.push_back(n->name + ":" + n->op);
  EXPECT_EQ(names, (std::vector<std::string>{"x:Placeholder", "first:Swish", "second:Relu"}));
}

TEST(RemapperTest, SwishNotFusedWhenSigmoidHasAnotherConsumer) {
  expect_unchanged(with_x(std::string(kSwish) + R"(
node { name: "out2" op: "Identity" input: "sig" attr { key: "T" value { type: DT_FLOAT } } })"));
}

TEST(RemapperTest, SwishNotFusedWhenSigmoidIsFetched) {
  expect_unchanged(with_x(kSwish), false, {"sig"});
}

TEST(RemapperTest, SwishNotFusedOnDifferentTensors) {
  expect_unchanged(with_x(R"(
node { name: "y" op: "Relu" input: "x" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "sig" op: "Sigmoid" input: "y" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "mul" op: "Mul" input: "x" input: "sig" attr { key: "T" value { type: DT_FLOAT } } }
)"));
}

TEST(RemapperTest, SwishNotCreatedInTfCompatibleMode) { expect_unchanged(with_x(kSwish), true); }

TEST(RemapperTest, GeluExactErfForm) {
  // 0.5 * x * (1 + Erf(x * 0.7071068))
  Graph g = parse(with_x(scalar("half", 0.5f) + scalar("one", 1.0f) + scalar("rs2", 0.7071068f) +
                         binop("a", "Mul", "x", "rs2") + unop("e", "Erf", "a") +
                         binop("b", "AddV2", "one", "e") + binop("hx", "Mul", "half", "x") +
                         binop("gelu", "Mul", "hx", "b") + unop("out", "Identity", "gelu")));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["GeluExact"], 1);
  EXPECT_EQ(g.at("gelu").op, "Gelu");
  EXPECT_FALSE(g.at("gelu").attr_bool("approximate"));
  EXPECT_EQ(ops(g), "Gelu:1 Identity:1 Placeholder:1");
}

TEST(RemapperTest, GeluApproximatePowForm) {
  // 0.5 * x * (1 + Tanh(0.7978846 * (x + 0.044715 * Pow(x, 3))))
  Graph g = parse(with_x(scalar("half", 0.5f) + scalar("one", 1.0f) + scalar("c", 0.7978846f) +
                         scalar("k", 0.044715f) + scalar("three", 3.0f) +
                         binop("cube", "Pow", "x", "three") + binop("kc", "Mul", "k", "cube") +
                         binop("poly", "AddV2", "x", "kc") + binop("in", "Mul", "c", "poly") +
                         unop("t", "Tanh", "in") + binop("b", "AddV2", "one", "t") +
                         binop("hb", "Mul", "half", "b") + binop("gelu", "Mul", "x", "hb") +
                         unop("out", "Identity", "gelu")));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["GeluApproximate"], 1);
  EXPECT_EQ(g.at("gelu").op, "Gelu");
  EXPECT_TRUE(g.at("gelu").attr_bool("approximate"));
}

TEST(RemapperTest, GeluApproximateCubeAsMulMul) {
  // 0.5 * x * (1 + Tanh(0.7978846 * (x + 0.044715 * (x * x * x))))
  Graph g = parse(with_x(scalar("half", 0.5f) + scalar("one", 1.0f) + scalar("c", 0.7978846f) +
                         scalar("k", 0.044715f) + binop("xx", "Mul", "x", "x") +
                         binop("cube", "Mul", "xx", "x") + binop("kc", "Mul", "cube", "k") +
                         binop("poly", "AddV2", "kc", "x") + binop("in", "Mul", "poly", "c") +
                         unop("t", "Tanh", "in") + binop("b", "AddV2", "t", "one") +
                         binop("hx", "Mul", "x", "half") + binop("gelu", "Mul", "hx", "b") +
                         unop("out", "Identity", "gelu")));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["GeluApproximate"], 1);
  EXPECT_EQ(r.total(), 1);
  EXPECT_EQ(ops(g), "Gelu:1 Identity:1 Placeholder:1");
  const Node& n = g.at("gelu");
  EXPECT_EQ(n.op, "Gelu");
  EXPECT_EQ(n.inputs, std::vector<std::string>{"x"});
  EXPECT_TRUE(n.attr_bool("approximate"));
}

TEST(RemapperTest, GeluApproximatePowFormInputsAndHistogram) {
  Graph g = parse(with_x(scalar("half", 0.5f) + scalar("one", 1.0f) + scalar("c", 0.7978846f) +
                         scalar("k", 0.044715f) + scalar("three", 3.0f) +
                         binop("cube", "Pow", "x", "three") + binop("kc", "Mul", "k", "cube") +
                         binop("poly", "AddV2", "x", "kc") + binop("in", "Mul", "c", "poly") +
                         unop("t", "Tanh", "in") + binop("b", "AddV2", "one", "t") +
                         binop("hx", "Mul", "half", "x") + binop("gelu", "Mul", "hx", "b") +
                         unop("out", "Identity", "gelu")));
  remap(g);
  EXPECT_EQ(ops(g), "Gelu:1 Identity:1 Placeholder:1");
  EXPECT_EQ(g.at("gelu").inputs, std::vector<std::string>{"x"});
}

TEST(RemapperTest, GeluExactRealDivForm) {
  // Mul(x, 0.5) * (1 + Erf(x / 1.4142135))
  Graph g = parse(with_x(scalar("half", 0.5f) + scalar("one", 1.0f) + scalar("s2", 1.4142135f) +
                         binop("a", "RealDiv", "x", "s2") + unop("e", "Erf", "a") +
                         binop("b", "AddV2", "e", "one") + binop("hx", "Mul", "x", "half") +
                         binop("gelu", "Mul", "b", "hx") + unop("out", "Identity", "gelu")));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["GeluExact"], 1);
  EXPECT_EQ(ops(g), "Gelu:1 Identity:1 Placeholder:1");
  EXPECT_EQ(g.at("gelu").inputs, std::vector<std::string>{"x"});
  EXPECT_FALSE(g.at("gelu").attr_bool("approximate"));
}

TEST(RemapperTest, GeluNotFusedWhenErfHasAnotherConsumer) {
  expect_unchanged(with_x(scalar("half", 0.5f) + scalar("one", 1.0f) + scalar("rs2", 0.7071068f) +
                          binop("a", "Mul", "x", "rs2") + unop("e", "Erf", "a") +
                          binop("b", "AddV2", "one", "e") + binop("hx", "Mul", "half", "x") +
                          binop("gelu", "Mul", "hx", "b") + unop("out", "Identity", "gelu") +
                          unop("out2", "Identity", "e")));
}

TEST(RemapperTest, MishFuses) {
  Graph g = parse(with_x(unop("sp", "Softplus", "x") + unop("t", "Tanh", "sp") +
                         binop("mish", "Mul", "t", "x") + unop("out", "Identity", "mish")));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["Mish"], 1);
  EXPECT_EQ(ops(g), "Identity:1 Mish:1 Placeholder:1");
  EXPECT_EQ(g.at("mish").inputs, std::vector<std::string>{"x"});
  EXPECT_EQ(g.at("mish").attr_type("T"), DType::kFloat);
}

TEST(RemapperTest, HardSwishFusesInBothForms) {
  // x * Relu6(x + 3) * (1/6), and x * Relu6(x + 3) / 6
  for (bool div : {false, true}) {
    SCOPED_TRACE(div ? "RealDiv" : "Mul");
    Graph g = parse(with_x(scalar("three", 3.0f) + scalar("k", div ? 6.0f : 1.0f / 6.0f) +
                           binop("a", "AddV2", "x", "three") + unop("r6", "Relu6", "a") +
                           binop("xr", "Mul", "x", "r6") +
                           binop("hs", div ? "RealDiv" : "Mul", "xr", "k") +
                           unop("out", "Identity", "hs")));
    RemapperResult r = remap(g);
    EXPECT_EQ(r.fusions["HardSwish"], 1);
    EXPECT_EQ(ops(g), "HardSwish:1 Identity:1 Placeholder:1");
    EXPECT_EQ(g.at("hs").inputs, std::vector<std::string>{"x"});
  }
}

// (x * (1/6)) * Relu6(x + 3), as the selfie segmenter writes it.
TEST(RemapperTest, HardSwishFusesWithTheSixthFirst) {
  Graph g = parse(with_x(scalar("three", 3.0f) + scalar("k", 1.0f / 6.0f) +
                         binop("a", "AddV2", "x", "three") + unop("r6", "Relu6", "a") +
                         binop("xk", "Mul", "k", "x") + binop("hs", "Mul", "xk", "r6") +
                         unop("out", "Identity", "hs")));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["HardSwish"], 1);
  EXPECT_EQ(ops(g), "HardSwish:1 Identity:1 Placeholder:1");
  EXPECT_EQ(g.at("hs").inputs, std::vector<std::string>{"x"});
}

TEST(RemapperTest, SwishWithScalarBeta) {
  // x * Sigmoid(1.5 * x) => Swish(x, beta = 1.5)
  Graph g = parse(with_x(scalar("beta", 1.5f) + binop("bx", "Mul", "beta", "x") +
                         unop("sig", "Sigmoid", "bx") + binop("sw", "Mul", "x", "sig") +
                         unop("out", "Identity", "sw")));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["Swish"], 1);
  EXPECT_EQ(ops(g), "Identity:1 Placeholder:1 Swish:1");
  EXPECT_EQ(g.at("sw").inputs, std::vector<std::string>{"x"});
  EXPECT_FLOAT_EQ(g.at("sw").attr_float("beta"), 1.5f);
}

TEST(RemapperTest, GeluNotFusedWithWrongConstant) {
  expect_unchanged(with_x(scalar("half", 0.5f) + scalar("one", 1.0f) + scalar("rs2", 0.8f) +
                          binop("a", "Mul", "x", "rs2") + unop("e", "Erf", "a") +
                          binop("b", "AddV2", "one", "e") + binop("hx", "Mul", "half", "x") +
                          binop("gelu", "Mul", "hx", "b")));
}

const char* kMatMulBiasRelu = R"(
node { name: "w" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 8 } dim { size: 4 } } float_val: 0.5 } } } }
node { name: "b" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 4 } } float_val: 0.1 } } } }
node { name: "mm" op: "MatMul" input: "x" input: "w" attr { key: "T" value { type: DT_FLOAT } }
       attr { key: "transpose_a" value { b: false } } attr { key: "transpose_b" value { b: false } } }
node { name: "ba" op: "BiasAdd" input: "mm" input: "b" attr { key: "T" value { type: DT_FLOAT } }
       attr { key: "data_format" value { s: "NHWC" } } }
node { name: "act" op: "ACT" input: "ba" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "out" op: "Identity" input: "act" attr { key: "T" value { type: DT_FLOAT } } }
)";

std::string mm_act(const std::string& act) {
  std::string s = kMatMulBiasRelu;
  s.replace(s.find("ACT"), 3, act);
  return with_x(s);
}

TEST(RemapperTest, MatMulBiasAddReluFuses) {
  Graph g = parse(mm_act("Relu"));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["MatMul+BiasAdd"], 1);
  EXPECT_EQ(r.fusions["Fused+Relu"], 1);
  const Node& f = g.at("act");
  EXPECT_EQ(f.op, "_FusedMatMul");
  EXPECT_EQ(f.inputs, (std::vector<std::string>{"x", "w", "b"}));
  EXPECT_EQ(fused_ops(f), (std::vector<std::string>{"BiasAdd", "Relu"}));
  EXPECT_EQ(f.attr_int("num_args"), 1);
  EXPECT_FALSE(f.attr_bool("transpose_a"));
  EXPECT_EQ(ops(g), "Const:2 Identity:1 Placeholder:1 _FusedMatMul:1");
}

TEST(RemapperTest, SigmoidNotFusedIntoMatMulInTfCompatibleMode) {
  Graph g = parse(mm_act("Sigmoid"));
  remap(g, /*tf_compatible=*/true);
  EXPECT_EQ(g.at("ba").op, "_FusedMatMul");
  EXPECT_EQ(fused_ops(g.at("ba")), std::vector<std::string>{"BiasAdd"});
  EXPECT_EQ(g.at("act").op, "Sigmoid");
}

TEST(RemapperTest, MatMulNotFusedWhenFetched) { expect_unchanged(mm_act("Relu"), false, {"mm"}); }

TEST(RemapperTest, ConvBatchNormFoldsIntoFilterAndBias) {
  Graph g = parse(R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "w" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 1 } dim { size: 1 } dim { size: 1 } dim { size: 2 } } float_val: 2 float_val: 3 } } } }
node { name: "scale" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } } float_val: 1 float_val: 2 } } } }
node { name: "offset" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } } float_val: 0.5 float_val: -1 } } } }
node { name: "mean" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } } float_val: 1 float_val: 2 } } } }
node { name: "var" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } } float_val: 3 float_val: 15 } } } }
node { name: "conv" op: "Conv2D" input: "x" input: "w" attr { key: "T" value { type: DT_FLOAT } }
       attr { key: "strides" value { list { i: 1 i: 1 i: 1 i: 1 } } } attr { key: "padding" value { s: "SAME" } }
       attr { key: "data_format" value { s: "NHWC" } } }
node { name: "bn" op: "FusedBatchNormV3" input: "conv" input: "scale" input: "offset" input: "mean" input: "var"
       attr { key: "T" value { type: DT_FLOAT } } attr { key: "U" value { type: DT_FLOAT } }
       attr { key: "epsilon" value { f: 1 } } attr { key: "is_training" value { b: false } }
       attr { key: "data_format" value { s: "NHWC" } } }
node { name: "relu" op: "Relu" input: "bn" attr { key: "T" value { type: DT_FLOAT } } }
)");
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["Conv2D+FusedBatchNorm"], 1);
  const Node& f = g.at("relu");
  EXPECT_EQ(f.op, "_FusedConv2D");
  EXPECT_EQ(fused_ops(f), (std::vector<std::string>{"BiasAdd", "Relu"}));
  // scale/sqrt(var+eps) = [1/2, 2/4] = [0.5, 0.5]; w' = [1, 1.5];
  // bias = offset - mean * s = [0.5 - 0.5, -1 - 1] = [0, -2]
  const Tensor& w = *const_value(g.at(f.inputs[1]));
  EXPECT_EQ(w.data<float>()[0], 1.0f);
  EXPECT_EQ(w.data<float>()[1], 1.5f);
  const Tensor& b = *const_value(g.at(f.inputs[2]));
  EXPECT_EQ(b.data<float>()[0], 0.0f);
  EXPECT_EQ(b.data<float>()[1], -2.0f);
}

TEST(RemapperTest, PadConvBecomesExplicitPadding) {
  Graph g = parse(R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "p" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
       attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 4 } dim { size: 2 } }
       int_val: 0 int_val: 0 int_val: 1 int_val: 2 int_val: 3 int_val: 4 int_val: 0 int_val: 0 } } } }
node { name: "pad" op: "Pad" input: "x" input: "p" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "w" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 3 } dim { size: 3 } dim { size: 1 } dim { size: 1 } } float_val: 1 } } } }
node { name: "conv" op: "Conv2D" input: "pad" input: "w" attr { key: "T" value { type: DT_FLOAT } }
       attr { key: "strides" value { list { i: 1 i: 2 i: 2 i: 1 } } } attr { key: "padding" value { s: "VALID" } } }
)");
  EXPECT_EQ(remap(g, true).fusions["Pad+Conv2D"], 1);
  const Node& c = g.at("conv");
  EXPECT_EQ(c.inputs[0], "x");
  EXPECT_EQ(c.attr_string("padding"), "EXPLICIT");
  EXPECT_EQ(c.attr_list("explicit_paddings").i, (std::vector<int64_t>{0, 0, 1, 2, 3, 4, 0, 0}));
  EXPECT_EQ(g.find("pad"), nullptr);
}

TEST(RemapperTest, AttentionScaleMaskSoftmax) {
  Graph g = parse(R"(
node { name: "q" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "k" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "mask" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "qk" op: "BatchMatMulV2" input: "q" input: "k" attr { key: "T" value { type: DT_FLOAT } }
       attr { key: "adj_x" value { b: false } } attr { key: "adj_y" value { b: true } } }
node { name: "scale" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape {} float_val: 0.125 } } } }
node { name: "scaled" op: "Mul" input: "qk" input: "scale" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "masked" op: "AddV2" input: "scaled" input: "mask" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "probs" op: "Softmax" input: "masked" attr { key: "T" value { type: DT_FLOAT } } }
)");
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["BatchMatMulV2+Mul"], 1);
  EXPECT_EQ(r.fusions["AddV2+Softmax"], 1);
  EXPECT_EQ(g.at("scaled").op, "_AampFusedBatchMatMulV2");
  EXPECT_EQ(fused_ops(g.at("scaled")), std::vector<std::string>{"Mul"});
  EXPECT_TRUE(g.at("scaled").attr_bool("adj_y"));
  EXPECT_EQ(g.at("probs").op, "_AampFusedAddSoftmax");
  EXPECT_EQ(g.at("probs").inputs, (std::vector<std::string>{"scaled", "mask"}));
}

TEST(RemapperTest, AddNOfTwoBecomesAddV2ButNotOfThree) {
  Graph g = parse(with_x(R"(
node { name: "s2" op: "AddN" input: "x" input: "x" attr { key: "T" value { type: DT_FLOAT } } attr { key: "N" value { i: 2 } } }
node { name: "s3" op: "AddN" input: "x" input: "x" input: "s2" attr { key: "T" value { type: DT_FLOAT } } attr { key: "N" value { i: 3 } } }
)"));
  remap(g);
  EXPECT_EQ(g.at("s2").op, "AddV2");
  EXPECT_FALSE(g.at("s2").has_attr("N"));
  EXPECT_EQ(g.at("s3").op, "AddN");
}

// The post-AMP round turns AddN of two into AddV2 too (issue 5), keeping the painted dtype.
TEST(RemapperTest, AddNOfTwoBecomesAddV2AfterAmp) {
  Graph g = parse(R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_BFLOAT16 } } }
node { name: "s2" op: "AddN" input: "x" input: "x" attr { key: "T" value { type: DT_BFLOAT16 } } attr { key: "N" value { i: 2 } } }
node { name: "out" op: "Identity" input: "s2" attr { key: "T" value { type: DT_BFLOAT16 } } }
)");
  RemapperResult r = remap(g, false, {}, /*post_amp=*/true);
  EXPECT_EQ(r.fusions["AddN->AddV2"], 1);
  EXPECT_EQ(ops(g), "AddV2:1 Identity:1 Placeholder:1");
  const Node& a = g.at("s2");
  EXPECT_EQ(a.op, "AddV2");
  EXPECT_EQ(a.inputs, (std::vector<std::string>{"x", "x"}));
  EXPECT_EQ(a.attr_type("T"), DType::kBFloat16);
  EXPECT_FALSE(a.has_attr("N"));
}

TEST(RemapperTest, ConstCastFoldsAfterAmp) {
  Graph g = parse(R"(
node { name: "w" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } } float_val: 1.5 float_val: -2 } } } }
node { name: "c" op: "Cast" input: "w" attr { key: "SrcT" value { type: DT_FLOAT } }
       attr { key: "DstT" value { type: DT_BFLOAT16 } } attr { key: "Truncate" value { b: false } } }
)");
  EXPECT_EQ(remap(g, false, {}, /*post_amp=*/true).fusions["Const+Cast"], 1);
  const Node& c = g.at("c");
  EXPECT_EQ(c.op, "Const");
  EXPECT_EQ(c.attr_type("dtype"), DType::kBFloat16);
  EXPECT_EQ(const_value(c)->dtype(), DType::kBFloat16);
  EXPECT_EQ(to_float(const_value(c)->data<bfloat16>()[1]), -2.0f);
  EXPECT_EQ(g.find("w"), nullptr);
}

TEST(RemapperTest, NothingToFuseLeavesGraphIdentical) {
  expect_unchanged(with_x(unop("r", "Relu", "x") + unop("out", "Identity", "r")));
}

}  // namespace
}  // namespace aamp
