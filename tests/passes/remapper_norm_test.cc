// Golden-graph tests of the normalisation fusions: LayerNorm (Keras and transformer
// decompositions, tf.nn.moments' StopGradient) and InstanceNorm (NHWC / NCHW, + Relu /
// LeakyRelu), and the cases that must not fuse (gamma / beta not per-channel, shared
// intermediates, wrong axes).
#include <gtest/gtest.h>

#include "passes/remapper_test_util.h"

namespace aamp {
namespace {

using namespace remap_test;  // NOLINT(build/namespaces): the test helpers
using remap_test::remap;     // not the namespace aamp::remap

// Keras LayerNormalization decomposition over `ax`.
std::string keras_norm(const std::string& ax_node) {
  return mean("mean", "x", ax_node) + binop("sqd", "SquaredDifference", "x", "mean") +
         mean("var", "sqd", ax_node + "2") + scalar("eps", 1e-3f) +
         binop("ve", "AddV2", "var", "eps") + unop("rstd", "Rsqrt", "ve") +
         binop("inv", "Mul", "rstd", "gamma") + binop("xi", "Mul", "x", "inv") +
         binop("mi", "Mul", "mean", "inv") + binop("bm", "Sub", "beta", "mi") +
         binop("ln", "AddV2", "xi", "bm") + unop("out", "Identity", "ln");
}

TEST(RemapperNorm, LayerNormKerasDecomposition) {
  Graph g = parse(with_x(vec("gamma", 8, 1.0f) + vec("beta", 8, 0.0f) + axes("ax", {-1}) +
                         axes("ax2", {-1}) + keras_norm("ax")));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["LayerNorm"], 1);
  const Node& ln = g.at("ln");
  EXPECT_EQ(ln.op, "LayerNorm");
  EXPECT_EQ(ln.inputs, (std::vector<std::string>{"x", "gamma", "beta"}));
  EXPECT_FLOAT_EQ(ln.attr_float("epsilon"), 1e-3f);
  EXPECT_EQ(ops(g), "Const:2 Identity:1 LayerNorm:1 Placeholder:1");
}

// Keras 3's LayerNormalization as a tf.function graph reaches the plugin: TensorFlow's arithmetic
// optimizer has made beta - mean * inv into beta + AddN((-mean) * inv, x * inv). The AddN becomes
// AddV2 (rule AddN->AddV2), then the LayerNorm pattern matches.
TEST(RemapperNorm, LayerNormAfterTensorFlowsArithmeticOptimizer) {
  Graph g = parse(
      with_x(vec("gamma", 8, 1.0f) + vec("beta", 8, 0.0f) + axes("ax", {-1}) + axes("ax2", {-1}) +
             mean("mean", "x", "ax") + unop("neg", "Neg", "mean") +
             binop("sqd", "SquaredDifference", "x", "mean") + mean("var", "sqd", "ax2") +
             scalar("eps", 1e-3f) + binop("ve", "AddV2", "eps", "var") +
             unop("rstd", "Rsqrt", "ve") + binop("inv", "Mul", "gamma", "rstd") +
             binop("xi", "Mul", "x", "inv") + binop("ni", "Mul", "neg", "inv") +
             "node { name: \"sum\" op: \"AddN\" input: \"ni\" input: \"xi\" "
             "attr { key: \"N\" value { i: 2 } } attr { key: \"T\" value { type: DT_FLOAT } } }\n" +
             binop("ln", "AddV2", "beta", "sum") + unop("out", "Identity", "ln")));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["AddN->AddV2"], 1);
  EXPECT_EQ(r.fusions["LayerNorm"], 1);
  const Node& ln = g.at("ln");
  EXPECT_EQ(ln.op, "LayerNorm");
  EXPECT_EQ(ln.inputs, (std::vector<std::string>{"x", "gamma", "beta"}));
  EXPECT_EQ(ops(g), "Const:2 Identity:1 LayerNorm:1 Placeholder:1");
}

TEST(RemapperNorm, LayerNormPositiveLastAxisNeedsKnownRank) {
  // x has rank 2 (Placeholder shape), axis 1 is the last one.
  Graph g = parse(with_x(vec("gamma", 8, 1.0f) + vec("beta", 8, 0.0f) + axes("ax", {1}) +
                         axes("ax2", {1}) + keras_norm("ax")));
  EXPECT_EQ(remap(g).fusions["LayerNorm"], 1);
}

// Inside TensorFlow, the input is an _Arg whose shape is only in `_output_shapes`; the positive
// last axis (Keras 3 writes axis 2 for rank 3) needs that rank.
std::string arg_x(bool recorded) {
  return std::string(
             "node { name: \"x\" op: \"_Arg\" attr { key: \"T\" value { type: DT_FLOAT } }"
             " attr { key: \"index\" value { i: 0 } }") +
         (recorded ? " attr { key: \"_output_shapes\" value { list { shape { dim { size: -1 } "
                     "dim { size: 16 } dim { size: 8 } } } } }"
                   : "") +
         " }\n";
}

TEST(RemapperNorm, LayerNormRankFromRecordedOutputShapes) {
  Graph g = parse(arg_x(true) + vec("gamma", 8, 1.0f) + vec("beta", 8, 0.0f) + axes("ax", {2}) +
                  axes("ax2", {2}) + keras_norm("ax"));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["LayerNorm"], 1);
  EXPECT_EQ(ops(g), "Const:2 Identity:1 LayerNorm:1 _Arg:1");
}

TEST(RemapperNorm, LayerNormPositiveAxisNotFusedWithoutRank) {
  expect_unchanged(arg_x(false) + vec("gamma", 8, 1.0f) + vec("beta", 8, 0.0f) + axes("ax", {2}) +
                   axes("ax2", {2}) + keras_norm("ax"));
}

// Keras inside TensorFlow: x is a residual add whose other operand comes from the previous
// LayerNorm's arithmetic (a Mean with keep_dims, which the quick rank walk does not follow), and
// gamma / beta are [1, 1, C] reshapes of variables, which need x's rank. The shape inference
// knows it.
TEST(RemapperNorm, LayerNormRankFromShapeInference) {
  std::string body = keras_norm("ax");
  const std::string from = "input: \"x\"";
  for (size_t at = body.find(from); at != std::string::npos; at = body.find(from, at + 1))
    body.replace(at, from.size(), "input: \"res\"");
  Graph g = parse(placeholder("a", {-1, 16, 8}) + axes("ax0", {-1}) + mean("prev", "a", "ax0") +
                  placeholder("x", {-1, 16, 8}) + binop("res", "AddV2", "x", "prev") +
                  tensor("gamma", {1, 1, 8}, 1.0f) + tensor("beta", {1, 1, 8}, 0.0f) +
                  axes("ax", {-1}) + axes("ax2", {-1}) + body);
  ASSERT_EQ(remap::static_rank(g, TensorRef{"res", 0}), -1);  // what this test is about
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["LayerNorm"], 1);
  EXPECT_EQ(g.at("ln").op, "LayerNorm");
  EXPECT_EQ(g.at("ln").inputs, (std::vector<std::string>{"res", "gamma", "beta"}));
}

TEST(RemapperNorm, LayerNormNotFusedOverFirstAxis) {
  expect_unchanged(with_x(vec("gamma", 8, 1.0f) + vec("beta", 8, 0.0f) + axes("ax", {0}) +
                          axes("ax2", {0}) + keras_norm("ax")));
}

TEST(RemapperNorm, InstanceNormNhwcWithRelu) {
  std::string x4 = R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "shape" value { shape { dim { size: -1 } dim { size: 4 } dim { size: 4 }
                                            dim { size: 8 } } } } }
)";
  std::string body = keras_norm("ax");
  body = body.substr(0, body.rfind("node {"));  // drop the Identity
  Graph g = parse(x4 + vec("gamma", 8, 1.0f) + vec("beta", 8, 0.0f) + axes("ax", {1, 2}) +
                  axes("ax2", {1, 2}) + body + unop("act", "Relu", "ln") +
                  unop("out", "Identity", "act"));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["InstanceNorm"], 1);
  EXPECT_EQ(r.fusions["InstanceNorm+Activation"], 1);
  const Node& n = g.at("act");
  EXPECT_EQ(n.op, "InstanceNorm");
  EXPECT_EQ(n.attr_string("data_format"), "NHWC");
  EXPECT_EQ(fused_ops(n), std::vector<std::string>{"Relu"});
}

// Keras decomposition with tf.nn.moments' StopGradient between the mean and SquaredDifference.
std::string keras_norm_stopped(const std::string& sg_op) {
  std::string s = keras_norm("ax");
  const std::string from = "\"sqd\" op: \"SquaredDifference\" input: \"x\" input: \"mean\"";
  s.replace(s.find(from), from.size(),
            "\"sqd\" op: \"SquaredDifference\" input: \"x\" input: \"sg\"");
  return unop("sg", sg_op, "mean") + s;
}

TEST(RemapperNorm, LayerNormLooksThroughStopGradientOrIdentity) {
  for (const char* sg : {"StopGradient", "Identity"}) {
    SCOPED_TRACE(sg);
    Graph g = parse(with_x(vec("gamma", 8, 1.0f) + vec("beta", 8, 0.0f) + axes("ax", {-1}) +
                           axes("ax2", {-1}) + keras_norm_stopped(sg)));
    RemapperResult r = remap(g);
    EXPECT_EQ(r.fusions["LayerNorm"], 1);
    EXPECT_EQ(ops(g), "Const:2 Identity:1 LayerNorm:1 Placeholder:1");
    EXPECT_EQ(g.at("ln").inputs, (std::vector<std::string>{"x", "gamma", "beta"}));
    EXPECT_EQ(g.find("sg"), nullptr);
  }
}

// Transformer form: c = x - mean; y = c * rsqrt(mean(square(c)) + eps) * gamma + beta.
std::string sub_square_norm() {
  return mean("mean", "x", "ax") + binop("c", "Sub", "x", "mean") + unop("sq", "Square", "c") +
         mean("var", "sq", "ax2") + scalar("eps", 1e-5f) + binop("ve", "AddV2", "eps", "var") +
         unop("rstd", "Rsqrt", "ve") + binop("n", "Mul", "rstd", "c") +
         binop("sc", "Mul", "gamma", "n") + binop("ln", "AddV2", "sc", "beta") +
         unop("out", "Identity", "ln");
}

TEST(RemapperNorm, LayerNormSubSquareForm) {
  Graph g = parse(with_x(vec("gamma", 8, 1.0f) + vec("beta", 8, 0.0f) + axes("ax", {-1}) +
                         axes("ax2", {-1}) + sub_square_norm()));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["LayerNorm"], 1);
  EXPECT_EQ(r.total(), 1);
  EXPECT_EQ(ops(g), "Const:2 Identity:1 LayerNorm:1 Placeholder:1");
  const Node& ln = g.at("ln");
  EXPECT_EQ(ln.inputs, (std::vector<std::string>{"x", "gamma", "beta"}));
  EXPECT_FLOAT_EQ(ln.attr_float("epsilon"), 1e-5f);
  EXPECT_EQ(ln.attr_type("U"), DType::kFloat);
}

TEST(RemapperNorm, LayerNormNotFusedWhenCenteredHasAnotherConsumer) {
  expect_unchanged(with_x(vec("gamma", 8, 1.0f) + vec("beta", 8, 0.0f) + axes("ax", {-1}) +
                          axes("ax2", {-1}) + sub_square_norm() + unop("out2", "Identity", "c")));
}

TEST(RemapperNorm, LayerNormNotFusedWhenMeanIsFetched) {
  expect_unchanged(with_x(vec("gamma", 8, 1.0f) + vec("beta", 8, 0.0f) + axes("ax", {-1}) +
                          axes("ax2", {-1}) + keras_norm("ax")),
                   false, {"mean"});
}

// A residual tensor as beta (x + ...): not a per-channel offset; the kernel would fail.
TEST(RemapperNorm, LayerNormNotFusedWithResidualBeta) {
  expect_unchanged(with_x(vec("gamma", 8, 1.0f) + placeholder("beta", {-1, 8}) + axes("ax", {-1}) +
                          axes("ax2", {-1}) + keras_norm("ax")));
}

TEST(RemapperNorm, LayerNormNotFusedWithGammaOfAnotherLength) {
  expect_unchanged(with_x(vec("gamma", 4, 1.0f) + vec("beta", 8, 0.0f) + axes("ax", {-1}) +
                          axes("ax2", {-1}) + keras_norm("ax")));
  expect_unchanged(with_x(vec("gamma", 4, 1.0f) + vec("beta", 4, 0.0f) + axes("ax", {-1}) +
                          axes("ax2", {-1}) + keras_norm("ax")));
}

// A scalar gamma scales every channel: it becomes a [C] Const (the kernel reads C values).
TEST(RemapperNorm, LayerNormScalarGammaBecomesChannelVector) {
  Graph g = parse(with_x(scalar("gamma", 2.0f) + vec("beta", 8, 0.0f) + axes("ax", {-1}) +
                         axes("ax2", {-1}) + keras_norm("ax")));
  EXPECT_EQ(remap(g).fusions["LayerNorm"], 1);
  EXPECT_EQ(ops(g), "Const:2 Identity:1 LayerNorm:1 Placeholder:1");
  const Node& ln = g.at("ln");
  EXPECT_EQ(ln.inputs, (std::vector<std::string>{"x", "ln_gamma", "beta"}));
  const Tensor& gamma = *const_value(g.at("ln_gamma"));
  EXPECT_EQ(gamma.shape().dims, std::vector<int64_t>{8});
  for (int i = 0; i < 8; ++i) EXPECT_EQ(gamma.data<float>()[i], 2.0f);
}

std::string nchw_x() { return placeholder("x", {-1, 8, 4, 4}); }

TEST(RemapperNorm, InstanceNormNchw) {
  Graph g = parse(nchw_x() + tensor("gamma", {8, 1, 1}, 1.0f) + tensor("beta", {1, 8, 1, 1}, 0.f) +
                  axes("ax", {2, 3}) + axes("ax2", {2, 3}) + keras_norm("ax"));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["InstanceNorm"], 1);
  EXPECT_EQ(ops(g), "Const:2 Identity:1 InstanceNorm:1 Placeholder:1");
  const Node& n = g.at("ln");
  EXPECT_EQ(n.inputs, (std::vector<std::string>{"x", "gamma", "beta"}));
  EXPECT_EQ(n.attr_string("data_format"), "NCHW");
  EXPECT_TRUE(fused_ops(n).empty());
}

// In NCHW a [C] vector broadcasts over W (here W = 4 != C = 8 ... and even when W == C it is
// not per-channel): no InstanceNorm.
TEST(RemapperNorm, InstanceNormNchwNotFusedWithChannelLastVector) {
  expect_unchanged(placeholder("x", {-1, 4, 4, 4}) + vec("gamma", 4, 1.0f) + vec("beta", 4, 0.f) +
                   axes("ax", {2, 3}) + axes("ax2", {2, 3}) + keras_norm("ax"));
}

TEST(RemapperNorm, InstanceNormNhwcWithLeakyRelu) {
  std::string body = keras_norm("ax");
  body = body.substr(0, body.rfind("node {"));  // drop the Identity
  Graph g = parse(placeholder("x", {-1, 4, 4, 8}) + vec("gamma", 8, 1.0f) + vec("beta", 8, 0.0f) +
                  axes("ax", {1, 2}) + axes("ax2", {1, 2}) + body +
                  "node { name: \"act\" op: \"LeakyRelu\" input: \"ln\" attr { key: \"T\" "
                  "value { type: DT_FLOAT } } attr { key: \"alpha\" value { f: 0.1 } } }\n" +
                  unop("out", "Identity", "act"));
  RemapperResult r = remap(g);
  EXPECT_EQ(r.fusions["InstanceNorm"], 1);
  EXPECT_EQ(r.fusions["InstanceNorm+Activation"], 1);
  EXPECT_EQ(ops(g), "Const:2 Identity:1 InstanceNorm:1 Placeholder:1");
  const Node& n = g.at("act");
  EXPECT_EQ(n.op, "InstanceNorm");
  EXPECT_EQ(n.inputs, (std::vector<std::string>{"x", "gamma", "beta"}));
  EXPECT_EQ(n.attr_string("data_format"), "NHWC");
  EXPECT_EQ(fused_ops(n), std::vector<std::string>{"LeakyRelu"});
  EXPECT_FLOAT_EQ(n.attr_float("leakyrelu_alpha"), 0.1f);
}

}  // namespace
}  // namespace aamp
