// Graph validation: every failure kind with its exact message.
#include "aamp/ops/validate.h"

#include <gtest/gtest.h>

#include "aamp/ops/registry.h"
#include "ops_test_util.h"

namespace aamp {
namespace {

using testing::conv2d;
using testing::make_node;
using testing::placeholder;

// x -> conv1(x, w) -> relu
Graph conv_graph() {
  Graph g;
  g.add(placeholder("x"));
  g.add(make_node("w", "Const", {},
                  {{"dtype", DType::kFloat}, {"value", Tensor(DType::kFloat, Shape{3, 3, 1, 1})}}));
  g.add(conv2d("conv1", "x", "w"));
  g.add(make_node("relu", "Relu", {"conv1"}, {{"T", DType::kFloat}}));
  return g;
}

// The one issue of a graph with exactly one problem.
std::string only_issue(const Graph& g, bool tf_compatible = false) {
  ValidationResult r = validate(g, tf_compatible);
  EXPECT_EQ(r.issues.size(), 1u) << r.summary();
  return r.issues.empty() ? "" : r.issues[0].to_string();
}

TEST(Validate, ValidGraph) {
  ValidationResult r = validate(conv_graph());
  EXPECT_TRUE(r.ok()) << r.summary();
  EXPECT_EQ(r.summary(), "ok");
  EXPECT_TRUE(validate(conv_graph(), true).ok());
}

TEST(Validate, PaddingNotAllowed) {
  Graph g = conv_graph();
  g.at("conv1").attrs["padding"] = "FOO";
  ValidationResult r = validate(g);
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_EQ(r.issues[0].node, "conv1");
  EXPECT_EQ(r.issues[0].op, "Conv2D");
  EXPECT_EQ(r.issues[0].message, "attr 'padding' value \"FOO\" not in [SAME, VALID, EXPLICIT]");
  EXPECT_EQ(r.summary(),
            "node 'conv1' (Conv2D): attr 'padding' value \"FOO\" not in [SAME, VALID, EXPLICIT]");
}

TEST(Validate, UnknownOp) {
  Graph g = conv_graph();
  g.at("relu").op = "Frobnicate";
  EXPECT_EQ(only_issue(g), "node 'relu' (Frobnicate): unknown op 'Frobnicate'");
  // An op the registry only knows through info() (no signature) is unknown too.
  OpRegistry::global().info("_TestInfoOnlyOp").amp(AmpClass::kDeny);
  g.at("relu").op = "_TestInfoOnlyOp";
  EXPECT_EQ(only_issue(g), "node 'relu' (_TestInfoOnlyOp): unknown op '_TestInfoOnlyOp'");
}

TEST(Validate, MissingRequiredAttr) {
  Graph g = conv_graph();
  g.at("conv1").attrs.erase("strides");
  EXPECT_EQ(only_issue(g), "node 'conv1' (Conv2D): missing required attr 'strides' (list(int))");
  // Attrs with defaults may be left out.
  g = conv_graph();
  g.at("conv1").attrs.erase("data_format");
  EXPECT_TRUE(validate(g).ok());
}

TEST(Validate, WrongAttrKind) {
  Graph g = conv_graph();
  g.at("conv1").attrs["strides"] = int64_t{1};
  EXPECT_EQ(only_issue(g), "node 'conv1' (Conv2D): attr 'strides' is int, expected list(int)");
  g.at("conv1").attrs["strides"] = string_list({"a"});
  EXPECT_EQ(only_issue(g),
            "node 'conv1' (Conv2D): attr 'strides' value [\"a\"] is not a list(int)");
  g = conv_graph();
  g.at("relu").attrs["T"] = "float";
  EXPECT_EQ(only_issue(g), "node 'relu' (Relu): attr 'T' is string, expected type");
}

TEST(Validate, TypeNotAllowed) {
  Graph g;
  g.add(placeholder("a"));
  g.add(placeholder("b"));
  g.add(placeholder("axis", DType::kInt32));
  g.add(make_node("cat", "ConcatV2", {"a", "b", "axis"},
                  {{"T", DType::kFloat}, {"N", int64_t{2}}, {"Tidx", DType::kFloat}}));
  // axis is int32 but the (invalid) Tidx says float32: only the attr issue, no dtype issue.
  EXPECT_EQ(only_issue(g),
            "node 'cat' (ConcatV2): attr 'Tidx' value float32 not in [int32, int64]");
}

TEST(Validate, Minimums) {
  Graph g;
  g.add(placeholder("a"));
  g.add(placeholder("axis", DType::kInt32));
  g.add(make_node("cat", "ConcatV2", {"a", "axis"}, {{"T", DType::kFloat}, {"N", int64_t{1}}}));
  EXPECT_EQ(only_issue(g), "node 'cat' (ConcatV2): attr 'N' value 1 is below the minimum 2");

  Graph g2;
  g2.add(make_node("idn", "IdentityN", {}, {{"T", type_list({})}}));
  EXPECT_EQ(only_issue(g2),
            "node 'idn' (IdentityN): attr 'T' has 0 elements, fewer than the minimum 1");
}

TEST(Validate, InputArity) {
  Graph g = conv_graph();
  g.at("conv1").inputs = {"x", "w", "x"};
  EXPECT_EQ(only_issue(g),
            "node 'conv1' (Conv2D): has 3 data inputs, the signature expects 2 (input, filter)");
  // Control inputs do not count.
  g = conv_graph();
  g.at("relu").inputs = {"conv1", "^x"};
  EXPECT_TRUE(validate(g).ok());

  Graph g2;
  g2.add(placeholder("a"));
  g2.add(placeholder("axis", DType::kInt32));
  g2.add(make_node("cat", "ConcatV2", {"a", "a", "a", "axis"},
                   {{"T", DType::kFloat}, {"N", int64_t{2}}}));
  EXPECT_EQ(only_issue(g2),
            "node 'cat' (ConcatV2): has 4 data inputs, the signature expects 3 (values[N], axis)");

  Graph g3;
  g3.add(placeholder("a"));
  g3.add(make_node("idn", "IdentityN", {"a"}, {{"T", type_list({DType::kFloat, DType::kFloat})}}));
  EXPECT_EQ(only_issue(g3),
            "node 'idn' (IdentityN): has 1 data inputs, the signature expects 2 (input[T])");
}

TEST(Validate, AttrNotInSignature) {
  Graph g = conv_graph();
  g.at("relu").attrs["alpha"] = 0.5f;
  EXPECT_EQ(only_issue(g), "node 'relu' (Relu): attr 'alpha' is not in the signature of Relu");
  // TensorFlow's internal attrs ('_' prefix) are allowed.
  g = conv_graph();
  g.at("relu").attrs["_grappler_ArithmeticOptimizer_MinimizeBroadcasts"] = true;
  EXPECT_TRUE(validate(g).ok());
}

TEST(Validate, InputDtypeMismatch) {
  Graph g = conv_graph();
  g.at("x").attrs["dtype"] = DType::kHalf;
  EXPECT_EQ(only_issue(g), "node 'conv1' (Conv2D): input 0 ('x') is float16, expected float32");
  // Ports are honoured: Switch output 1 is T, pred input is bool.
  Graph g2;
  g2.add(placeholder("x"));
  g2.add(placeholder("p", DType::kFloat));
  g2.add(make_node("sw", "Switch", {"x", "p"}, {{"T", DType::kFloat}}));
  g2.add(make_node("r", "Relu", {"sw:1"}, {{"T", DType::kFloat}}));
  EXPECT_EQ(only_issue(g2), "node 'sw' (Switch): input 1 ('p') is float32, expected bool");
}

TEST(Validate, StructureIssuesAreReportedNotThrown) {
  Graph g = conv_graph();
  g.at("relu").inputs = {"missing"};
  ValidationResult r;
  ASSERT_NO_THROW(r = validate(g));
  ASSERT_EQ(r.issues.size(), 1u) << r.summary();
  EXPECT_EQ(r.issues[0].node, "");
  EXPECT_EQ(r.summary(), "node 'relu' (Relu) reads 'missing', but no node is named 'missing'");

  Graph g2 = conv_graph();
  g2.at("relu").inputs = {"^x", "conv1"};
  r = validate(g2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.issues[0].to_string(),
            "node 'relu' (Relu): data input 'conv1' comes after a control input");
}

TEST(Validate, SeveralIssuesAreAllReported) {
  Graph g = conv_graph();
  g.at("conv1").attrs["padding"] = "FOO";
  g.at("relu").op = "Nope";
  g.at("x").attrs.erase("dtype");
  ValidationResult r = validate(g);
  EXPECT_EQ(r.summary(),
            "node 'x' (Placeholder): missing required attr 'dtype' (type)\n"
            "node 'conv1' (Conv2D): attr 'padding' value \"FOO\" not in [SAME, VALID, EXPLICIT]\n"
            "node 'relu' (Nope): unknown op 'Nope'");
}

TEST(Validate, TfCompatibleRejectsAampOnlyOps) {
  OpDef d;
  d.name = "_AampTestOnlyOp";
  ArgDef in;
  in.name = "x";
  in.type_attr = "T";
  d.inputs = {in};
  d.outputs = {in};
  AttrDef t;
  t.name = "T";
  t.type = "type";
  d.attrs = {t};
  d.aamp_only = true;
  OpRegistry::global().register_op(d);

  Graph g = conv_graph();
  g.add(make_node("mine", "_AampTestOnlyOp", {"relu"}, {{"T", DType::kFloat}}));
  EXPECT_TRUE(validate(g).ok()) << validate(g).summary();
  EXPECT_EQ(only_issue(g, true),
            "node 'mine' (_AampTestOnlyOp): op '_AampTestOnlyOp' is aamp-only: stock TensorFlow "
            "cannot run it");
}

TEST(Validate, HiddenAndTfjsOpsValidate) {
  Graph g;
  g.add(placeholder("x"));
  g.add(make_node("w", "Const", {},
                  {{"dtype", DType::kFloat}, {"value", Tensor(DType::kFloat, Shape{3, 3, 1, 1})}}));
  g.add(make_node("b", "Const", {},
                  {{"dtype", DType::kFloat}, {"value", Tensor(DType::kFloat, Shape{1})}}));
  g.add(make_node("fc", "_FusedConv2D", {"x", "w", "b"},
                  {{"T", DType::kFloat},
                   {"num_args", int64_t{1}},
                   {"strides", int_list({1, 1, 1, 1})},
                   {"padding", "SAME"},
                   {"fused_ops", string_list({"BiasAdd", "Relu"})}}));
  g.add(make_node("dw", "FusedDepthwiseConv2dNative", {"fc", "w", "b"},
                  {{"T", DType::kFloat},
                   {"num_args", int64_t{1}},
                   {"strides", int_list({1, 1, 1, 1})},
                   {"padding", "VALID"},
                   {"fused_ops", string_list({"BiasAdd"})}}));
  g.add(make_node("pr", "Prelu", {"dw", "b"}));
  EXPECT_TRUE(validate(g).ok()) << validate(g).summary();
  // _FusedConv2D is a (hidden) stock TensorFlow op; the other two only TF.js runs.
  ValidationResult tf = validate(g, /*tf_compatible=*/true);
  ASSERT_EQ(tf.issues.size(), 2u) << tf.summary();
  EXPECT_EQ(tf.issues[0].to_string(),
            "node 'dw' (FusedDepthwiseConv2dNative): op 'FusedDepthwiseConv2dNative' is "
            "TensorFlow.js-only: stock TensorFlow cannot run it");
  EXPECT_EQ(tf.issues[1].to_string(),
            "node 'pr' (Prelu): op 'Prelu' is TensorFlow.js-only: stock TensorFlow cannot run it");
  g.at("fc").attrs["num_args"] = int64_t{2};
  EXPECT_EQ(only_issue(g),
            "node 'fc' (_FusedConv2D): has 3 data inputs, the signature expects 4 "
            "(input, filter, args[num_args])");
}

}  // namespace
}  // namespace aamp
