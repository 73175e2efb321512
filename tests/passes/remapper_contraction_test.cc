// Golden-graph tests of the contraction fusions: MatMul / Conv2D / DepthwiseConv2dNative /
// BatchMatMulV2 + BiasAdd (or bias-like AddV2) + activation / residual Add, BN folding (also
// after a fused BiasAdd), Pad + conv, Pad + MaxPool, and what tf_compatible mode refuses.
#include <gtest/gtest.h>

#include "passes/remapper_test_util.h"

namespace aamp {
namespace {

using namespace remap_test;  // NOLINT(build/namespaces): the test helpers
using remap_test::remap;     // not the namespace aamp::remap

// x [?, 4, 4, 2] (NHWC), filter "w" of the given shape (0.5 everywhere), bias "b" [n].
std::string image(std::vector<int> w_dims, int bias_len) {
  return placeholder("x", {-1, 4, 4, 2}) + tensor("w", w_dims, 0.5f) + vec("b", bias_len, 0.1f);
}
std::string conv(const std::string& name, const std::string& op, const std::string& in,
                 const std::string& padding = "SAME") {
  return "node { name: \"" + name + "\" op: \"" + op + "\" input: \"" + in +
         "\" input: \"w\" attr { key: \"T\" value { type: DT_FLOAT } } attr { key: \"strides\" "
         "value { list { i: 1 i: 1 i: 1 i: 1 } } } attr { key: \"padding\" value { s: \"" +
         padding + "\" } } attr { key: \"data_format\" value { s: \"NHWC\" } } }\n";
}
std::string bias_add(const std::string& name, const std::string& in) {
  return "node { name: \"" + name + "\" op: \"BiasAdd\" input: \"" + in +
         "\" input: \"b\" attr { key: \"T\" value { type: DT_FLOAT } } attr { key: "
         "\"data_format\" value { s: \"NHWC\" } } }\n";
}
std::string matmul(const std::string& name, const std::string& a, const std::string& b) {
  return "node { name: \"" + name + "\" op: \"MatMul\" input: \"" + a + "\" input: \"" + b +
         "\" attr { key: \"T\" value { type: DT_FLOAT } } attr { key: \"transpose_a\" value { b: "
         "false } } attr { key: \"transpose_b\" value { b: false } } }\n";
}

TEST(RemapperContraction, Conv2DBiasAddFuses) {
  Graph g = parse(image({1, 1, 2, 3}, 3) + conv("c", "Conv2D", "x") + bias_add("ba", "c") +
                  unop("out", "Identity", "ba"));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["Conv2D+BiasAdd"], 1);
  EXPECT_EQ(r.total(), 1);
  EXPECT_EQ(ops(g), "Const:2 Identity:1 Placeholder:1 _FusedConv2D:1");
  const Node& f = g.at("ba");
  EXPECT_EQ(f.op, "_FusedConv2D");
  EXPECT_EQ(f.inputs, (std::vector<std::string>{"x", "w", "b"}));
  EXPECT_EQ(fused_ops(f), std::vector<std::string>{"BiasAdd"});
  EXPECT_EQ(f.attr_int("num_args"), 1);
  EXPECT_EQ(f.attr_string("padding"), "SAME");
  EXPECT_EQ(f.attr_list("strides").i, (std::vector<int64_t>{1, 1, 1, 1}));
}

TEST(RemapperContraction, ConvBiasNotFusedWhenConvHasAnotherConsumer) {
  expect_unchanged(image({1, 1, 2, 3}, 3) + conv("c", "Conv2D", "x") + bias_add("ba", "c") +
                   unop("out", "Identity", "ba") + unop("out2", "Identity", "c"));
}

TEST(RemapperContraction, DepthwiseBiasAddFuses) {
  Graph g =
      parse(image({3, 3, 2, 1}, 2) + conv("c", "DepthwiseConv2dNative", "x") + bias_add("ba", "c") +
            unop("act", "Relu6", "ba") + unop("out", "Identity", "act"));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["DepthwiseConv2dNative+BiasAdd"], 1);
  EXPECT_EQ(r.fusions["Fused+Relu6"], 1);
  EXPECT_EQ(ops(g), "Const:2 FusedDepthwiseConv2dNative:1 Identity:1 Placeholder:1");
  const Node& f = g.at("act");
  EXPECT_EQ(f.op, "FusedDepthwiseConv2dNative");
  EXPECT_EQ(f.inputs, (std::vector<std::string>{"x", "w", "b"}));
  EXPECT_EQ(fused_ops(f), (std::vector<std::string>{"BiasAdd", "Relu6"}));
}

// FusedDepthwiseConv2dNative is TF.js's op: stock TensorFlow's Eigen kernels have no fused
// depthwise conv; its oneDNN ops have _FusedDepthwiseConv2dNative (BiasAdd + Relu / Relu6 / Elu).
TEST(RemapperContraction, DepthwiseNotFusedInTfCompatibleMode) {
  expect_unchanged(image({3, 3, 2, 1}, 2) + conv("c", "DepthwiseConv2dNative", "x") +
                       bias_add("ba", "c") + unop("act", "Relu", "ba") +
                       unop("out", "Identity", "act"),
                   /*tf_compatible=*/true);
}

TEST(RemapperContraction, DepthwiseFusesAsTensorFlowsForItsOneDnn) {
  Graph g =
      parse(image({3, 3, 2, 1}, 2) + conv("c", "DepthwiseConv2dNative", "x") + bias_add("ba", "c") +
            unop("act", "Relu6", "ba") + unop("out", "Identity", "act"));
  RemapperResult r = remap(g, /*tf_compatible=*/true, {}, false, /*tf_onednn=*/true);
  EXPECT_EQ(r.fusions["DepthwiseConv2dNative+BiasAdd"], 1);
  EXPECT_EQ(r.fusions["Fused+Relu6"], 1);
  EXPECT_EQ(ops(g), "Const:2 Identity:1 Placeholder:1 _FusedDepthwiseConv2dNative:1");
  EXPECT_EQ(fused_ops(g.at("act")), (std::vector<std::string>{"BiasAdd", "Relu6"}));
  EXPECT_FALSE(g.at("act").has_attr("explicit_paddings"));
  // A Sigmoid after it stays a node of its own (TensorFlow's kernel refused it).
  Graph s =
      parse(image({3, 3, 2, 1}, 2) + conv("c", "DepthwiseConv2dNative", "x") + bias_add("ba", "c") +
            unop("act", "Sigmoid", "ba") + unop("out", "Identity", "act"));
  remap(s, true, {}, false, true);
  EXPECT_EQ(ops(s), "Const:2 Identity:1 Placeholder:1 Sigmoid:1 _FusedDepthwiseConv2dNative:1");
}

const char* kBatchNorm = R"(
node { name: "scale" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } } float_val: 1 float_val: 2 } } } }
node { name: "offset" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } } float_val: 0.5 float_val: -1 } } } }
node { name: "mean" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } } float_val: 1 float_val: 2 } } } }
node { name: "var" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } } float_val: 3 float_val: 15 } } } }
node { name: "bn" op: "FusedBatchNormV3" input: "IN" input: "scale" input: "offset" input: "mean" input: "var"
       attr { key: "T" value { type: DT_FLOAT } } attr { key: "U" value { type: DT_FLOAT } }
       attr { key: "epsilon" value { f: 1 } } attr { key: "is_training" value { b: false } }
       attr { key: "data_format" value { s: "NHWC" } } }
node { name: "relu" op: "Relu" input: "bn" attr { key: "T" value { type: DT_FLOAT } } }
)";
std::string batch_norm(const std::string& in) {
  std::string s = kBatchNorm;
  s.replace(s.find("IN"), 2, in);
  return s;
}

TEST(RemapperContraction, DepthwiseBatchNormNotFusedInTfCompatibleMode) {
  expect_unchanged(
      image({1, 1, 2, 1}, 2) + conv("c", "DepthwiseConv2dNative", "x") + batch_norm("c"),
      /*tf_compatible=*/true);
}

// Keras Conv2D(use_bias=True) + BatchNormalization + ReLU: the BN folds into the fused conv's
// filter and bias too, then the activation fuses.
TEST(RemapperContraction, ConvBiasAddBatchNormReluFoldsIntoOneConv) {
  Graph g = parse(placeholder("x", {-1, 4, 4, 1}) +
                  "node { name: \"w\" op: \"Const\" attr { key: \"dtype\" value { type: DT_FLOAT "
                  "} } attr { key: \"value\" value { tensor { dtype: DT_FLOAT tensor_shape { dim "
                  "{ size: 1 } dim { size: 1 } dim { size: 1 } dim { size: 2 } } float_val: 2 "
                  "float_val: 3 } } } }\n" +
                  "node { name: \"b\" op: \"Const\" attr { key: \"dtype\" value { type: DT_FLOAT "
                  "} } attr { key: \"value\" value { tensor { dtype: DT_FLOAT tensor_shape { dim "
                  "{ size: 2 } } float_val: 4 float_val: 6 } } } }\n" +
                  conv("c", "Conv2D", "x") + bias_add("ba", "c") + batch_norm("ba") +
                  unop("out", "Identity", "relu"));
  RemapperResult r = remap(g, /*tf_compatible=*/true);
  EXPECT_EQ(r.fusions["Conv2D+BiasAdd"], 1);
  EXPECT_EQ(r.fusions["Conv2D+BiasAdd+FusedBatchNorm"], 1);
  EXPECT_EQ(r.fusions["Fused+Relu"], 1);
  // Only the folded filter and bias remain: the original filter and bias and the four BN
  // constants, which nothing reads any more, are removed.
  EXPECT_EQ(ops(g), "Const:2 Identity:1 Placeholder:1 _FusedConv2D:1");
  for (const char* gone : {"w", "b", "scale", "offset", "mean", "var"})
    EXPECT_EQ(g.find(gone), nullptr) << gone;
  const Node& f = g.at("relu");
  EXPECT_EQ(f.op, "_FusedConv2D");
  EXPECT_EQ(fused_ops(f), (std::vector<std::string>{"BiasAdd", "Relu"}));
  EXPECT_EQ(f.attr_int("num_args"), 1);
  EXPECT_EQ(f.inputs, (std::vector<std::string>{"x", "w_bn_folded", "bn_bn_bias"}));
  // s = scale / sqrt(var + eps) = [1/2, 2/4] = [0.5, 0.5]; w' = w * s = [1, 1.5];
  // bias' = offset + (b - mean) * s = [0.5 + 3 * 0.5, -1 + 4 * 0.5] = [2, 1]
  const Tensor& w = *const_value(g.at("w_bn_folded"));
  EXPECT_EQ(w.data<float>()[0], 1.0f);
  EXPECT_EQ(w.data<float>()[1], 1.5f);
  const Tensor& b = *const_value(g.at("bn_bn_bias"));
  EXPECT_EQ(b.data<float>()[0], 2.0f);
  EXPECT_EQ(b.data<float>()[1], 1.0f);
}

TEST(RemapperContraction, BatchNormNotFoldedWhenFusedConvHasAnotherConsumer) {
  Graph g = parse(image({1, 1, 2, 2}, 2) + conv("c", "Conv2D", "x") + bias_add("ba", "c") +
                  batch_norm("ba") + unop("out2", "Identity", "ba"));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["Conv2D+BiasAdd"], 1);
  EXPECT_EQ(r.fusions.count("Conv2D+BiasAdd+FusedBatchNorm"), 0u);
  EXPECT_EQ(g.at("bn").op, "FusedBatchNormV3");
}

TEST(RemapperContraction, BatchMatMulV2BiasAddFuses) {
  Graph g = parse(placeholder("a", {-1, 3, 8}) + tensor("w", {8, 4}, 0.5f) + vec("b", 4, 0.1f) +
                  "node { name: \"bmm\" op: \"BatchMatMulV2\" input: \"a\" input: \"w\" attr { "
                  "key: \"T\" value { type: DT_FLOAT } } attr { key: \"adj_x\" value { b: false } "
                  "} attr { key: \"adj_y\" value { b: false } } }\n" +
                  bias_add("ba", "bmm") + unop("out", "Identity", "ba"));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["BatchMatMulV2+BiasAdd"], 1);
  EXPECT_EQ(ops(g), "Const:2 Identity:1 Placeholder:1 _AampFusedBatchMatMulV2:1");
  const Node& f = g.at("ba");
  EXPECT_EQ(f.inputs, (std::vector<std::string>{"a", "w", "b"}));
  EXPECT_EQ(fused_ops(f), std::vector<std::string>{"BiasAdd"});
  EXPECT_FALSE(f.attr_bool("adj_y"));
}

std::string mm_add(int bias_len, bool const_w = true) {
  return with_x((const_w ? tensor("w", {8, 4}, 0.5f) : placeholder("w", {-1, -1})) +
                vec("b", bias_len, 0.1f) + matmul("mm", "x", "w") +
                binop("add", "AddV2", "b", "mm") + unop("out", "Identity", "add"));
}

TEST(RemapperContraction, BiasLikeAddV2Fuses) {
  Graph g = parse(mm_add(4));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["MatMul+BiasAdd"], 1);
  EXPECT_EQ(ops(g), "Const:2 Identity:1 Placeholder:1 _FusedMatMul:1");
  const Node& f = g.at("add");
  EXPECT_EQ(f.op, "_FusedMatMul");
  EXPECT_EQ(f.inputs, (std::vector<std::string>{"x", "w", "b"}));
  EXPECT_EQ(fused_ops(f), std::vector<std::string>{"BiasAdd"});
}

// TensorFlow 2.13+ writes MatMul's grad_a / grad_b; _FusedMatMul does not declare them, so the
// fused node drops them (the checked remap() validates the result).
TEST(RemapperContraction, FusedMatMulDropsAttrsItDoesNotDeclare) {
  std::string g_text = mm_add(4);
  const std::string mm_attrs = "attr { key: \"transpose_a\" value { b: false } }";
  g_text.replace(g_text.find(mm_attrs), mm_attrs.size(),
                 mm_attrs +
                     " attr { key: \"grad_a\" value { b: false } } attr { key: "
                     "\"grad_b\" value { b: false } } attr { key: \"_class\" value { "
                     "list { s: \"loc:@w\" } } }");
  Graph g = parse(g_text);
  ASSERT_TRUE(g.at("mm").has_attr("grad_a"));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["MatMul+BiasAdd"], 1);
  const Node& f = g.at("add");
  EXPECT_EQ(f.op, "_FusedMatMul");
  EXPECT_FALSE(f.has_attr("grad_a"));
  EXPECT_FALSE(f.has_attr("grad_b"));
  EXPECT_TRUE(f.has_attr("_class"));  // internal attrs ride along
  EXPECT_TRUE(f.has_attr("transpose_a"));
}

// A length-1 vector broadcasts over the 4 output channels: no bias.
TEST(RemapperContraction, AddV2OfLengthOneVectorIsNoBias) { expect_unchanged(mm_add(1)); }

// Output channel unknown (weights of unknown shape): cannot tell a bias from a broadcast.
TEST(RemapperContraction, AddV2NotFusedWhenChannelsUnknown) { expect_unchanged(mm_add(4, false)); }

const char* kMatMulBias = R"(
node { name: "w" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 8 } dim { size: 4 } } float_val: 0.5 } } } }
node { name: "b" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 4 } } float_val: 0.1 } } } }
node { name: "mm" op: "MatMul" input: "x" input: "w" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "ba" op: "BiasAdd" input: "mm" input: "b" attr { key: "T" value { type: DT_FLOAT } } }
)";

struct ActCase {
  std::string op, attrs, fused;
  bool tf_ok;
};

TEST(RemapperContraction, EachActivationFusesIntoMatMul) {
  const ActCase cases[] = {
      {"Relu6", "", "Relu6", true},
      {"Elu", "", "Elu", true},
      {"LeakyRelu", "attr { key: \"alpha\" value { f: 0.3 } }", "LeakyRelu", true},
      {"Sigmoid", "", "Sigmoid", false},
      {"Tanh", "", "Tanh", false},
      {"Gelu", "attr { key: \"approximate\" value { b: false } }", "GeluExact", false},
      {"Gelu", "attr { key: \"approximate\" value { b: true } }", "GeluApproximate", false},
  };
  for (const auto& c : cases) {
    for (bool tf : {false, true}) {
      SCOPED_TRACE(c.fused + (tf ? " tf_compatible" : ""));
      Graph g = parse(with_x(std::string(kMatMulBias) + "node { name: \"act\" op: \"" + c.op +
                             "\" input: \"ba\" attr { key: \"T\" value { type: DT_FLOAT } } " +
                             c.attrs + " }\n" + unop("out", "Identity", "act")));
      RemapperResult r = remap(g, tf);
      EXPECT_EQ(r.fusions["MatMul+BiasAdd"], 1);
      if (tf && !c.tf_ok) {  // stock TF's _FusedMatMul lacks it: only the bias fuses
        EXPECT_EQ(r.total(), 1);
        EXPECT_EQ(g.at("act").op, c.op);
        continue;
      }
      EXPECT_EQ(r.fusions["Fused+" + c.op], 1);
      EXPECT_EQ(ops(g), "Const:2 Identity:1 Placeholder:1 _FusedMatMul:1");
      const Node& f = g.at("act");
      EXPECT_EQ(f.op, "_FusedMatMul");
      EXPECT_EQ(f.inputs, (std::vector<std::string>{"x", "w", "b"}));
      EXPECT_EQ(fused_ops(f), (std::vector<std::string>{"BiasAdd", c.fused}));
      EXPECT_FLOAT_EQ(f.attr_float("leakyrelu_alpha"), c.op == "LeakyRelu" ? 0.3f : 0.2f);
    }
  }
}

// TensorFlow with its oneDNN ops runs Gelu, Sigmoid and Tanh after a fused MatMul's BiasAdd
// (_MklFusedMatMul); its Eigen kernels do not (EachActivationFusesIntoMatMul).
TEST(RemapperContraction, GeluSigmoidTanhFuseIntoMatMulForTensorFlowsOneDnn) {
  for (const char* act : {"Gelu", "Sigmoid", "Tanh"}) {
    SCOPED_TRACE(act);
    Graph g = parse(with_x(std::string(kMatMulBias) + "node { name: \"act\" op: \"" + act +
                           "\" input: \"ba\" attr { key: \"T\" value { type: DT_FLOAT } } }\n" +
                           unop("out", "Identity", "act")));
    RemapperResult r = remap(g, /*tf_compatible=*/true, {}, false, /*tf_onednn=*/true);
    EXPECT_EQ(r.fusions[std::string("Fused+") + act], 1);
    EXPECT_EQ(ops(g), "Const:2 Identity:1 Placeholder:1 _FusedMatMul:1");
  }
}

// Keras' Dense on a [batch, seq, features] input after TensorFlow's grappler: Reshape -> MatMul
// -> Reshape -> BiasAdd -> Gelu. The bias and the activation move before the second Reshape and
// fuse into the MatMul; the Reshape keeps the BiasAdd's name (its consumers are unchanged).
const char* kTensordot = R"(
node { name: "x3" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "shape" value { shape { dim { size: 2 } dim { size: 3 } dim { size: 8 } } } } }
node { name: "s2" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
       attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 2 } } int_val: 6 int_val: 8 } } } }
node { name: "s3" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
       attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 3 } } int_val: 2 int_val: 3 int_val: 4 } } } }
node { name: "flat" op: "Reshape" input: "x3" input: "s2" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "mm" op: "MatMul" input: "flat" input: "w" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "td" op: "Reshape" input: "mm" input: "s3" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "ba" op: "BiasAdd" input: "td" input: "b" attr { key: "T" value { type: DT_FLOAT } } }
)";

TEST(RemapperContraction, DenseOverThreeDimsFusesBiasAndGeluAcrossReshape) {
  for (bool tf : {false, true}) {
    SCOPED_TRACE(tf ? "tf_compatible, oneDNN" : "aamp");
    Graph g = parse(tensor("w", {8, 4}, 0.5f) + vec("b", 4, 0.1f) + kTensordot +
                    "node { name: \"act\" op: \"Gelu\" input: \"ba\" attr { key: \"T\" value { "
                    "type: DT_FLOAT } } attr { key: \"approximate\" value { b: false } } }\n" +
                    unop("out", "Identity", "act"));
    RemapperResult r = remap(g, tf, {}, false, /*tf_onednn=*/tf);
    EXPECT_EQ(r.fusions["BiasAdd before Reshape"], 1);
    EXPECT_EQ(r.fusions["MatMul+BiasAdd"], 1);
    EXPECT_EQ(r.fusions["Gelu before Reshape"], 1);
    EXPECT_EQ(r.fusions["Fused+Gelu"], 1);
    EXPECT_EQ(ops(g), "Const:4 Identity:1 Placeholder:1 Reshape:2 _FusedMatMul:1");
    const Node& out = g.at("act");  // the activation's name now holds the last Reshape
    EXPECT_EQ(out.op, "Reshape");
    const Node& f = g.at(out.input(0).node);
    EXPECT_EQ(f.op, "_FusedMatMul");
    EXPECT_EQ(f.inputs, (std::vector<std::string>{"flat", "w", "b"}));
    EXPECT_EQ(fused_ops(f), (std::vector<std::string>{"BiasAdd", "GeluExact"}));
    EXPECT_EQ(out.inputs.at(1), "s3");
  }
}

// A Reshape that changes the last dim would move the bias onto other elements: unchanged.
TEST(RemapperContraction, BiasNotMovedBeforeReshapeThatChangesTheLastDim) {
  std::string text = tensor("w", {8, 4}, 0.5f) + vec("b", 2, 0.1f) + kTensordot;
  text.replace(text.find("int_val: 2 int_val: 3 int_val: 4"), 32,
               "int_val: 2 int_val: 6 int_val: 2");
  expect_unchanged(text + unop("out", "Identity", "ba"));
}

// The Reshape also feeds something else: the bias stays where it is.
TEST(RemapperContraction, BiasNotMovedBeforeSharedReshape) {
  expect_unchanged(tensor("w", {8, 4}, 0.5f) + vec("b", 4, 0.1f) + kTensordot +
                   unop("out", "Identity", "ba") + unop("out2", "Identity", "td"));
}

// For TensorFlow with its oneDNN ops (PassHooks::tf_onednn), whose fused convolution takes a
// residual Add.
TEST(RemapperContraction, ResidualAddAndReluFuseIntoConv) {
  const std::string text = image({1, 1, 2, 2}, 2) + placeholder("y", {-1, 4, 4, 2}) +
                           conv("c", "Conv2D", "x") + bias_add("ba", "c") +
                           binop("add", "AddV2", "y", "ba") + unop("relu", "Relu", "add") +
                           unop("out", "Identity", "relu");
  Graph g = parse(text);
  RemapperResult r = remap(g, /*tf_compatible=*/true, {}, false, /*tf_onednn=*/true);
  EXPECT_EQ(r.fusions["Fused+Add"], 1);
  EXPECT_EQ(r.fusions["Fused+Relu"], 1);
  EXPECT_EQ(ops(g), "Const:2 Identity:1 Placeholder:2 _FusedConv2D:1");
  const Node& f = g.at("relu");
  EXPECT_EQ(f.inputs, (std::vector<std::string>{"x", "w", "b", "y"}));
  EXPECT_EQ(fused_ops(f), (std::vector<std::string>{"BiasAdd", "Add", "Relu"}));
  EXPECT_EQ(f.attr_int("num_args"), 2);
  // TensorFlow's own kernel (its oneDNN ops off: a CPU without AVX512_VNNI, AVX512_BF16,
  // AVX_VNNI or AMX) refuses [BiasAdd, Add, Relu]: the Add stays a node, the Relu still fuses.
  Graph h = parse(text);
  RemapperResult rh = remap(h, /*tf_compatible=*/true);
  EXPECT_EQ(rh.fusions.count("Fused+Add"), 0u);
  EXPECT_EQ(h.at("add").op, "AddV2");
  EXPECT_EQ(fused_ops(h.at("ba")), (std::vector<std::string>{"BiasAdd"}));
}

// TensorFlow's fused conv reads the addend as a tensor of the output's shape: in tf_compatible
// mode a broadcasting addend stays a separate AddV2 (TensorFlow 2.21 crashed on it).
TEST(RemapperContraction, BroadcastResidualNotFusedForTensorFlow) {
  const std::string text = image({1, 1, 2, 2}, 2) + placeholder("y", {1, 1, 1, 2}) +
                           conv("c", "Conv2D", "x") + bias_add("ba", "c") +
                           binop("add", "AddV2", "y", "ba") + unop("out", "Identity", "add");
  Graph g = parse(text);
  EXPECT_EQ(
      remap(g, /*tf_compatible=*/true, {}, false, /*tf_onednn=*/true).fusions.count("Fused+Add"),
      0u);
  EXPECT_EQ(g.at("add").op, "AddV2");
  Graph h = parse(text);  // aamp's own runtime broadcasts the addend
  EXPECT_EQ(remap(h).fusions["Fused+Add"], 1);
}

// Measured: TensorFlow 2.21 crashed running a fused conv whose addend is a Pad's output
// (blazeface's channel-padded shortcut), so tf_compatible mode leaves that Add alone.
TEST(RemapperContraction, PaddedResidualNotFusedForTensorFlow) {
  Graph g = parse(image({1, 1, 2, 2}, 2) + placeholder("z", {-1, 4, 4, 1}) +
                  "node { name: \"p\" op: \"Const\" attr { key: \"dtype\" value { type: DT_INT32 } "
                  "} attr { key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape { dim { "
                  "size: 4 } dim { size: 2 } } int_val: 0 int_val: 0 int_val: 0 int_val: 0 "
                  "int_val: 0 int_val: 0 int_val: 0 int_val: 1 } } } }\n" +
                  binop("y", "Pad", "z", "p") + conv("c", "Conv2D", "x") + bias_add("ba", "c") +
                  binop("add", "AddV2", "y", "ba") + unop("out", "Identity", "add"));
  EXPECT_EQ(
      remap(g, /*tf_compatible=*/true, {}, false, /*tf_onednn=*/true).fusions.count("Fused+Add"),
      0u);
  EXPECT_EQ(g.at("add").op, "AddV2");
}

TEST(RemapperContraction, ResidualAddNotFusedWhenBiasAddHasAnotherConsumer) {
  Graph g =
      parse(image({1, 1, 2, 2}, 2) + placeholder("y", {-1, 4, 4, 2}) + conv("c", "Conv2D", "x") +
            bias_add("ba", "c") + binop("add", "AddV2", "y", "ba") +
            unop("out", "Identity", "add") + unop("out2", "Identity", "ba"));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.total(), 1);
  EXPECT_EQ(g.at("add").op, "AddV2");
}

// x -> _FusedConv2D [BiasAdd] (num_args as given; none when empty) -> AddV2 with y.
std::string fused_conv_add(const std::string& num_args) {
  return image({1, 1, 2, 2}, 2) + placeholder("y", {-1, 4, 4, 2}) +
         "node { name: \"c\" op: \"_FusedConv2D\" input: \"x\" input: \"w\" input: \"b\" "
         "attr { key: \"T\" value { type: DT_FLOAT } } attr { key: \"strides\" value { list { "
         "i: 1 i: 1 i: 1 i: 1 } } } attr { key: \"padding\" value { s: \"SAME\" } } attr { key: "
         "\"fused_ops\" value { list { s: \"BiasAdd\" } } } " +
         num_args + " }\n" + binop("add", "AddV2", "y", "c") + unop("out", "Identity", "add");
}

TEST(RemapperContraction, ResidualAddCountsTheFusedConvsArgs) {
  Graph g = parse(fused_conv_add("attr { key: \"num_args\" value { i: 1 } }"));
  EXPECT_EQ(remap(g).fusions["Fused+Add"], 1);
  EXPECT_EQ(g.at("add").attr_int("num_args"), 2);
  // num_args is required (its OpDef declares no default): a fused conv without it is left
  // alone (it used to count as 0, giving num_args 1 for the two args bias and y).
  expect_unchanged(fused_conv_add(""));
}

// x -> _FusedConv2D [BiasAdd, Add](x, w, b, y) -> Prelu(alpha) -> Identity: TF.js's residual
// block after the residual Add fused. alpha: Const of the given shape; the format attr as given.
std::string fused_conv_add_prelu(std::vector<int> alpha_dims, const std::string& format = "NHWC") {
  return image({1, 1, 2, 2}, 2) + placeholder("y", {-1, 4, 4, 2}) +
         tensor("alpha", std::move(alpha_dims), 0.25f) +
         "node { name: \"c\" op: \"_FusedConv2D\" input: \"x\" input: \"w\" input: \"b\" "
         "input: \"y\" attr { key: \"T\" value { type: DT_FLOAT } } attr { key: \"strides\" "
         "value { list { i: 1 i: 1 i: 1 i: 1 } } } attr { key: \"padding\" value { s: \"SAME\" "
         "} } attr { key: \"data_format\" value { s: \"" +
         format +
         "\" } } attr { key: \"fused_ops\" value { list { s: \"BiasAdd\" s: \"Add\" } } } "
         "attr { key: \"num_args\" value { i: 2 } } }\n" +
         binop("p", "Prelu", "c", "alpha") + unop("out", "Identity", "p");
}

TEST(RemapperContraction, PreluAfterFusedResidualAddBecomesItsLastStep) {
  Graph g = parse(fused_conv_add_prelu({1, 1, 2}));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["Fused+Prelu"], 1);
  EXPECT_EQ(r.total(), 1);
  EXPECT_EQ(ops(g), "Const:3 Identity:1 Placeholder:2 _FusedConv2D:1");
  const Node& f = g.at("p");  // the fused node takes the Prelu's name
  EXPECT_EQ(f.op, "_FusedConv2D");
  EXPECT_EQ(f.inputs, (std::vector<std::string>{"x", "w", "b", "y", "alpha"}));
  EXPECT_EQ(fused_ops(f), (std::vector<std::string>{"BiasAdd", "Add", "Prelu"}));
  EXPECT_EQ(f.attr_int("num_args"), 3);
  EXPECT_EQ(g.find("c"), nullptr);
}

// Not per channel (alpha [4, 4, 2]), a channels-first convolution (alpha would broadcast over
// its width), stock TensorFlow (tf_compatible: its Prelu rules run instead, this one does not)
// and the GPU: the fused conv and the Prelu stay as they are.
TEST(RemapperContraction, PreluNotFusedWhereItDoesNotApply) {
  expect_unchanged(fused_conv_add_prelu({4, 4, 2}));
  expect_unchanged(fused_conv_add_prelu({2}, "NCHW"));
  Graph tfc = parse(fused_conv_add_prelu({2}));
  EXPECT_EQ(remap(tfc, /*tf_compatible=*/true).fusions.count("Fused+Prelu"), 0u);
  Graph gpu = parse(fused_conv_add_prelu({2}));
  const std::string before = serialize_graphdef_binary(gpu);
  RemapperOptions o;
  o.device = DeviceKind::kGPU;
  EXPECT_EQ(run_remapper(gpu, o).total(), 0);
  EXPECT_EQ(serialize_graphdef_binary(gpu), before);
}

// MatMul declares no data_format (it is channels-last): an NCHW BiasAdd is no bias over it.
TEST(RemapperContraction, MatMulBiasAddNchwNotFused) {
  std::string text = with_x(std::string(kMatMulBias) + unop("out", "Identity", "ba"));
  Graph g = parse(text);
  EXPECT_EQ(remap(g).fusions["MatMul+BiasAdd"], 1);
  const std::string bias_in = "input: \"b\" attr {";
  text.replace(text.find(bias_in), bias_in.size(),
               bias_in + " key: \"data_format\" value { s: \"NCHW\" } } attr {");
  expect_unchanged(text);
}

TEST(RemapperContraction, PadDepthwiseBecomesExplicitPadding) {
  Graph g =
      parse(image({3, 3, 2, 1}, 2) +
            "node { name: \"p\" op: \"Const\" attr { key: \"dtype\" value { type: DT_INT32 } "
            "} attr { key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape { dim { "
            "size: 4 } dim { size: 2 } } int_val: 0 int_val: 0 int_val: 1 int_val: 1 "
            "int_val: 2 int_val: 2 int_val: 0 int_val: 0 } } } }\n" +
            binop("pad", "Pad", "x", "p") + conv("c", "DepthwiseConv2dNative", "pad", "VALID") +
            unop("out", "Identity", "c"));
  EXPECT_EQ(remap(g, true).fusions["Pad+DepthwiseConv2dNative"], 1);
  EXPECT_EQ(ops(g), "Const:2 DepthwiseConv2dNative:1 Identity:1 Placeholder:1");
  const Node& c = g.at("c");
  EXPECT_EQ(c.inputs, (std::vector<std::string>{"x", "w"}));
  EXPECT_EQ(c.attr_string("padding"), "EXPLICIT");
  EXPECT_EQ(c.attr_list("explicit_paddings").i, (std::vector<int64_t>{0, 0, 1, 1, 2, 2, 0, 0}));
}

// Pad + MaxPool: the zero Pad folds into EXPLICIT padding only where it cannot change the max.
std::string pads_const(std::vector<int> p) {
  std::string s =
      "node { name: \"p\" op: \"Const\" attr { key: \"dtype\" value { type: DT_INT32 } } attr { "
      "key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 4 } dim { "
      "size: 2 } }";
  for (int v : p) s += " int_val: " + std::to_string(v);
  return s + " } } } }\n";
}
std::string max_pool(const std::string& name, const std::string& in) {
  return "node { name: \"" + name + "\" op: \"MaxPool\" input: \"" + in +
         "\" attr { key: \"T\" value { type: DT_FLOAT } } attr { key: \"ksize\" value { list { "
         "i: 1 i: 3 i: 3 i: 1 } } } attr { key: \"strides\" value { list { i: 1 i: 2 i: 2 i: 1 "
         "} } } attr { key: \"padding\" value { s: \"VALID\" } } attr { key: \"data_format\" "
         "value { s: \"NHWC\" } } }\n";
}
std::string relu_pad_pool(const std::string& act, std::vector<int> p) {
  return placeholder("x", {-1, 6, 6, 2}) + unop("act", act, "x") + pads_const(p) +
         binop("pad", "Pad", "act", "p") + max_pool("pool", "pad") +
         unop("out", "Identity", "pool");
}

TEST(RemapperContraction, PadMaxPoolAfterReluBecomesExplicitPadding) {
  Graph g = parse(relu_pad_pool("Relu", {0, 0, 1, 1, 1, 1, 0, 0}));
  EXPECT_EQ(remap(g, true).fusions["Pad+MaxPool"], 1);
  EXPECT_EQ(ops(g), "Identity:1 MaxPool:1 Placeholder:1 Relu:1");
  const Node& pool = g.at("pool");
  EXPECT_EQ(pool.inputs, (std::vector<std::string>{"act"}));
  EXPECT_EQ(pool.attr_string("padding"), "EXPLICIT");
  EXPECT_EQ(pool.attr_list("explicit_paddings").i, (std::vector<int64_t>{0, 0, 1, 1, 1, 1, 0, 0}));
}

TEST(RemapperContraction, PadMaxPoolAfterFusedConvReluBecomesExplicitPadding) {
  Graph g = parse(image({1, 1, 2, 2}, 2) + conv("c", "Conv2D", "x") + bias_add("ba", "c") +
                  unop("act", "Relu6", "ba") + pads_const({0, 0, 1, 1, 1, 1, 0, 0}) +
                  binop("pad", "Pad", "act", "p") + max_pool("pool", "pad") +
                  unop("out", "Identity", "pool"));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["Pad+MaxPool"], 1);
  EXPECT_EQ(g.find("pad"), nullptr);
  EXPECT_EQ(g.at(g.at("pool").inputs[0]).op, "_FusedConv2D");
}

// A signed input (the max of a window at the border could be the Pad's zero), a pad as large as
// the window (a window of padding only), a padded channel dim: unchanged.
TEST(RemapperContraction, PadMaxPoolNotFoldedWhereTheZerosCount) {
  expect_unchanged(relu_pad_pool("Tanh", {0, 0, 1, 1, 1, 1, 0, 0}), true);
  expect_unchanged(relu_pad_pool("Relu", {0, 0, 3, 0, 1, 1, 0, 0}), true);
  expect_unchanged(relu_pad_pool("Relu", {0, 0, 1, 1, 1, 1, 0, 1}), true);
}

}  // namespace
}  // namespace aamp
