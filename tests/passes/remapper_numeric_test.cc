// Numerical equivalence of the remapper's fusions: each graph runs on the CPU runtime before and
// after run_remapper with the same seeded inputs. float32: max |fused - unfused| <= 1e-5 *
// max(1, max |unfused|). bfloat16 (AMP after the remapper, as the pipeline does): rel-L2 vs the
// float32 original <= 2e-2. Also the structural expectation of issue 5: a BERT-style encoder
// block written in TF ops fuses into LayerNorm, fused MatMul+Gelu and fused mask+Softmax.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "aamp/api/config.h"
#include "aamp/api/optimize.h"
#include "aamp/io/graph_io.h"
#include "aamp/passes/remapper.h"
#include "aamp/runtime/session.h"
#include "modelgen/builder.h"
#include "modelgen/modelgen.h"
#include "passes/pass_check_util.h"
#include "test_util.h"

namespace aamp {
namespace {

using modelgen::GraphBuilder;
using Feeds = std::vector<std::pair<std::string, Tensor>>;

Feeds random_feeds(const Graph& g, int64_t batch, uint64_t seed) {
  std::mt19937 rng(static_cast<uint32_t>(seed));
  Feeds f;
  for (const auto& n : g.nodes()) {
    if (n->op != "Placeholder") continue;
    Shape s = n->attr_shape("shape");
    for (auto& d : s.dims)
      if (d < 0) d = batch;
    const DType t = n->attr_type("dtype");
    if (t == DType::kFloat) {
      std::normal_distribution<float> u(0.f, 1.f);
      std::vector<float> v(static_cast<size_t>(s.num_elements()));
      for (auto& x : v) x = u(rng);
      f.emplace_back(n->name, Tensor::from_vector(s, v));
    } else {
      const bool mask = n->name.find("mask") != std::string::npos;
      std::uniform_int_distribution<int32_t> u(0,
                                               n->name.find("type") != std::string::npos ? 1 : 50);
      std::vector<int32_t> v(static_cast<size_t>(s.num_elements()));
      for (size_t i = 0; i < v.size(); ++i) v[i] = mask ? (i % 7 != 6) : u(rng);
      f.emplace_back(n->name, Tensor::from_vector(s, v));
    }
  }
  return f;
}

std::vector<Tensor> run_numeric(const Graph& g, const Feeds& feeds,
                                const std::vector<std::string>& out) {
  Session s(g);
  std::vector<Tensor> r = s.run(feeds, out);
  for (Tensor& t : r)
    if (t.dtype() != DType::kFloat) t = t.cast_float(DType::kFloat);
  return r;
}

double max_rel(const Tensor& ref, const Tensor& got) {
  double m = 1.0, d = 0.0;
  for (int64_t i = 0; i < ref.num_elements(); ++i) {
    m = std::max(m, std::abs(ref.element_as_double(i)));
    d = std::max(d, std::abs(ref.element_as_double(i) - got.element_as_double(i)));
  }
  return d / m;
}

double rel_l2(const Tensor& ref, const Tensor& got) {
  double num = 0, den = 0;
  for (int64_t i = 0; i < ref.num_elements(); ++i) {
    const double a = ref.element_as_double(i), b = got.element_as_double(i);
    num += (a - b) * (a - b);
    den += a * a;
  }
  return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

std::map<std::string, int> histogram(const Graph& g) {
  std::map<std::string, int> h;
  for (const auto& n : g.nodes()) ++h[n->op];
  return h;
}

// Checks fp32 equivalence and bf16 tolerance; returns the remapped graph.
Graph check(const Graph& original, const std::string& out, int64_t batch = 2,
            bool tf_compatible = false) {
  Graph fused = original;
  RemapperOptions o;
  o.tf_compatible = tf_compatible;
  o.fetch_nodes = {out};
  RemapperResult r;
  testing::run_checked(fused, "Remapper",
                       [&](Graph& h, const PassContext&) { r = run_remapper(h, o); });
  EXPECT_GT(r.total(), 0) << "nothing fused";
  const Feeds feeds = random_feeds(original, batch, 7);
  const std::vector<Tensor> ref = run_numeric(original, feeds, {out});
  const std::vector<Tensor> got = run_numeric(fused, feeds, {out});
  EXPECT_EQ(ref[0].shape().dims, got[0].shape().dims);
  EXPECT_LE(max_rel(ref[0], got[0]), 1e-5) << out;

  Graph mixed = original;
  AmpConfig c;
  c.enabled = true;
  c.data_type = "bf16";
  c.tf_compatible = tf_compatible;
  OptimizeResult opt = optimize(mixed, testing::checked(c), DeviceKind::kCPU, {out});
  EXPECT_GT(opt.amp.converted_nodes, 0);
  const std::vector<Tensor> low = run_numeric(mixed, feeds, {out});
  EXPECT_LE(rel_l2(ref[0], low[0]), 2e-2) << out;
  return fused;
}

TEST(RemapperNumeric, SwishAndMish) {
  Graph g;
  GraphBuilder b(&g);
  b.placeholder("in", DType::kFloat, Shape{-1, 16});
  // A MatMul (allow) in front, so that AMP has something to convert and Swish/Mish (infer)
  // follow it into bfloat16.
  std::vector<float> w(16 * 16);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.25f * std::sin(static_cast<float>(i));
  b.matmul("x", "in", b.const_f32("w", Shape{16, 16}, w));
  b.binary("Mul", "swish", "x", b.unary("Sigmoid", "sig", "x"));
  b.unary("Softplus", "sp", "swish");
  b.binary("Mul", "mish", "swish", b.unary("Tanh", "th", "sp"));
  Graph f = check(g, "mish");
  const auto h = histogram(f);
  EXPECT_EQ(h.count("Sigmoid"), 0u);
  EXPECT_EQ(h.at("Swish"), 1);
  EXPECT_EQ(h.at("Mish"), 1);
}

TEST(RemapperNumeric, MlpMatMulBiasRelu) {
  modelgen::MlpOptions o;
  o.hidden = 32;
  o.inputs = 20;
  Graph g = modelgen::make_mlp(o);
  Graph f = check(g, "Identity", 4);
  const auto h = histogram(f);
  EXPECT_EQ(h.count("MatMul"), 0u);
  EXPECT_EQ(h.count("BiasAdd"), 0u);
  EXPECT_EQ(h.at("_FusedMatMul"), 3);
}

TEST(RemapperNumeric, ResNetConvBatchNormRelu) {
  modelgen::ResNetOptions o;
  o.image_size = 32;
  o.base_width = 4;
  o.classes = 10;
  Graph g = modelgen::make_resnet50(o);
  Graph f = check(g, "Identity", 1);
  const auto h = histogram(f);
  EXPECT_EQ(h.count("FusedBatchNormV3"), 0u);
  EXPECT_EQ(h.count("Conv2D"), 0u);
  EXPECT_EQ(h.at("_FusedConv2D"), 53);
  // Every residual AddV2 and the Relu after it are fused into the block's last conv, also where
  // both AddV2 operands are fused convs.
  EXPECT_EQ(h.count("AddV2"), 0u);
  EXPECT_EQ(h.count("Relu"), 0u);
  // The stem's zero Pad after conv1's Relu is the MaxPool's EXPLICIT padding.
  EXPECT_EQ(h.count("Pad"), 0u);
  EXPECT_EQ(f.at("pool1_pool/MaxPool").attr_string("padding"), "EXPLICIT");
}

TEST(RemapperNumeric, BertEncoderBlockFusesAsExpected) {
  modelgen::BertOptions o;
  o.layers = 1;
  o.seq = 16;
  o.hidden = 64;
  o.heads = 2;
  o.intermediate = 128;
  o.vocab = 60;
  o.max_position = 32;
  Graph g = modelgen::make_bert(o);
  Graph f = check(g, "Identity", 2);
  const auto h = histogram(f);
  // Embedding LayerNorm + two per layer.
  EXPECT_EQ(h.at("LayerNorm"), 3);
  EXPECT_EQ(h.count("Rsqrt"), 0u);
  EXPECT_EQ(h.count("Erf"), 0u);
  EXPECT_EQ(h.count("Softmax"), 0u);
  EXPECT_EQ(h.at("_AampFusedAddSoftmax"), 1);
  int gelu_matmuls = 0;
  for (const auto& n : f.nodes()) {
    if (n->op != "_FusedMatMul") continue;
    const AttrValue* ops = n->find_attr("fused_ops");
    if (ops && ops->to_string().find("Gelu") != std::string::npos) ++gelu_matmuls;
  }
  EXPECT_EQ(gelu_matmuls, 1);
}

// Deterministic weights in [-scale, scale].
std::vector<float> weights(int64_t n, float scale = 0.5f, float phase = 0.0f) {
  std::vector<float> w(static_cast<size_t>(n));
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = scale * std::sin(0.7f * static_cast<float>(i) + phase);
  return w;
}

std::string conv_node(GraphBuilder& b, const std::string& name, const std::string& op,
                      const std::string& x, const std::string& w,
                      const std::string& padding = "SAME") {
  return b.op(name, op, {x, w},
              {{"T", modelgen::type_attr(DType::kFloat)},
               {"strides", int_list({1, 1, 1, 1})},
               {"padding", AttrValue(padding)},
               {"data_format", AttrValue("NHWC")}});
}

// in [?, 16] -> MatMul (something AMP converts) -> x [?, 16].
std::string matmul_in(GraphBuilder& b) {
  b.placeholder("in", DType::kFloat, Shape{-1, 16});
  return b.matmul("x", "in", b.const_f32("w", Shape{16, 16}, weights(256)));
}

TEST(RemapperNumeric, MatMulBiasActivationEpilogues) {
  for (const char* act :
       {"Relu", "Relu6", "Elu", "LeakyRelu", "Sigmoid", "Tanh", "GeluExact", "GeluApproximate"}) {
    SCOPED_TRACE(act);
    Graph g;
    GraphBuilder b(&g);
    std::string x = matmul_in(b);
    std::string y = b.bias_add("ba", x, b.const_f32("bias", Shape{16}, weights(16, 0.3f, 1.f)));
    const std::string a = act;
    AttrMap attrs = {{"T", modelgen::type_attr(DType::kFloat)}};
    if (a == "LeakyRelu") attrs["alpha"] = 0.3f;
    if (a.rfind("Gelu", 0) == 0) attrs["approximate"] = a == "GeluApproximate";
    b.op("act", a.rfind("Gelu", 0) == 0 ? "Gelu" : a, {y}, attrs);
    // A second MatMul after it, so that AMP has a bfloat16 chain to paint.
    b.matmul("out", "act", b.const_f32("w2", Shape{16, 16}, weights(256, 0.3f, 2)));
    Graph f = check(g, "out");
    EXPECT_EQ(histogram(f).at("_FusedMatMul"), 1);
    EXPECT_EQ(histogram(f).at("MatMul"), 1);
    EXPECT_EQ(histogram(f).count("BiasAdd"), 0u);
    EXPECT_EQ(f.at("act").attr_list("fused_ops").s.size(), 2u);
  }
}

TEST(RemapperNumeric, HardSwishAndGeluForms) {
  Graph g;
  GraphBuilder b(&g);
  std::string x = matmul_in(b);
  // HardSwish: x * Relu6(x + 3) / 6
  std::string r6 = b.unary("Relu6", "r6", b.binary("AddV2", "x3", x, b.scalar_f32("three", 3.f)));
  std::string hs = b.binary("RealDiv", "hs", b.binary("Mul", "xr", x, r6), b.scalar_f32("six", 6));
  // GELU exact, RealDiv form: 0.5 * hs * (1 + Erf(hs / sqrt(2)))
  std::string e = b.unary("Erf", "e", b.binary("RealDiv", "d", hs, b.scalar_f32("s2", 1.4142135f)));
  std::string ge = b.binary("Mul", "ge", b.binary("Mul", "hh", hs, b.scalar_f32("half", 0.5f)),
                            b.binary("AddV2", "e1", e, b.scalar_f32("one", 1.f)));
  // GELU approximate with x * x * x, then with Pow(x, 3).
  std::string y = ge;
  for (int form = 0; form < 2; ++form) {
    const std::string p = "g" + std::to_string(form) + "/";
    std::string cube = form == 0 ? b.binary("Mul", p + "cube", b.binary("Mul", p + "sq", y, y), y)
                                 : b.binary("Pow", p + "cube", y, b.scalar_f32(p + "three", 3.f));
    std::string poly = b.binary("AddV2", p + "poly", y,
                                b.binary("Mul", p + "kc", b.scalar_f32(p + "k", 0.044715f), cube));
    std::string t = b.unary("Tanh", p + "t",
                            b.binary("Mul", p + "in", b.scalar_f32(p + "c", 0.7978846f), poly));
    y = b.binary("Mul", p + "gelu", b.binary("Mul", p + "hx", y, b.scalar_f32(p + "half", 0.5f)),
                 b.binary("AddV2", p + "b", b.scalar_f32(p + "one", 1.f), t));
  }
  Graph f = check(g, y);
  const auto h = histogram(f);
  EXPECT_EQ(h.at("HardSwish"), 1);
  EXPECT_EQ(h.at("Gelu"), 3);
  EXPECT_EQ(h.count("Erf") + h.count("Tanh") + h.count("Pow") + h.count("Relu6"), 0u);
}

TEST(RemapperNumeric, LayerNormWithStopGradientAndScalarGamma) {
  Graph g;
  GraphBuilder b(&g);
  std::string x = matmul_in(b);
  std::string mean = b.mean("mean", x, {-1}, true);
  std::string sqd = b.binary("SquaredDifference", "sqd", x, b.unary("StopGradient", "sg", mean));
  std::string rstd =
      b.unary("Rsqrt", "rstd",
              b.binary("AddV2", "ve", b.mean("var", sqd, {-1}, true), b.scalar_f32("eps", 1e-3f)));
  std::string inv = b.binary("Mul", "inv", rstd, b.scalar_f32("gamma", 1.5f));
  b.binary("AddV2", "ln", b.binary("Mul", "xi", x, inv),
           b.binary("Sub", "bm", b.const_f32("beta", Shape{16}, weights(16, 0.2f)),
                    b.binary("Mul", "mi", mean, inv)));
  Graph f = check(g, "ln");
  EXPECT_EQ(histogram(f).at("LayerNorm"), 1);
  EXPECT_EQ(histogram(f).count("StopGradient"), 0u);
}

// x [?, 6, 6, 4] -> Conv2D (AMP converts it) -> c.
std::string conv_in(GraphBuilder& b) {
  b.placeholder("in", DType::kFloat, Shape{-1, 6, 6, 4});
  return conv_node(b, "c0", "Conv2D", "in",
                   b.const_f32("w0", Shape{3, 3, 4, 4}, weights(144, 0.3f)));
}

// Keras-style InstanceNorm over the spatial axes, y = x * inv + (beta - mean * inv).
std::string instance_norm(GraphBuilder& b, const std::string& p, const std::string& x,
                          std::vector<int32_t> axes, const std::string& gamma,
                          const std::string& beta) {
  std::string mean = b.mean(p + "mean", x, axes, true);
  std::string sqd = b.binary("SquaredDifference", p + "sqd", x, mean);
  std::string rstd = b.unary("Rsqrt", p + "rstd",
                             b.binary("AddV2", p + "ve", b.mean(p + "var", sqd, axes, true),
                                      b.scalar_f32(p + "e", 1e-3f)));
  std::string inv = b.binary("Mul", p + "inv", rstd, gamma);
  return b.binary("AddV2", p + "y", b.binary("Mul", p + "xi", x, inv),
                  b.binary("Sub", p + "bm", beta, b.binary("Mul", p + "mi", mean, inv)));
}

TEST(RemapperNumeric, InstanceNormNhwcLeakyReluAndNchw) {
  Graph g;
  GraphBuilder b(&g);
  std::string x = conv_in(b);
  std::string n1 = instance_norm(b, "a/", x, {1, 2}, b.const_f32("g1", Shape{4}, weights(4, 1, 2)),
                                 b.const_f32("b1", Shape{4}, weights(4, 0.5f)));
  std::string act = b.op("act", "LeakyRelu", {n1},
                         {{"T", modelgen::type_attr(DType::kFloat)}, {"alpha", AttrValue(0.2f)}});
  // The same data read as NCHW [?, 6(C), 6, 4]: per-channel params are [C, 1, 1].
  std::string n2 =
      instance_norm(b, "b/", act, {2, 3}, b.const_f32("g2", Shape{6, 1, 1}, weights(6, 1, 1)),
                    b.const_f32("b2", Shape{6, 1, 1}, weights(6, 0.5f, 3)));
  Graph f = check(g, n2);
  EXPECT_EQ(histogram(f).at("InstanceNorm"), 2);
  EXPECT_EQ(f.at("act").attr_list("fused_ops").s, std::vector<std::string>{"LeakyRelu"});
  EXPECT_EQ(f.at(n2).attr_string("data_format"), "NCHW");
}

TEST(RemapperNumeric, PadConvDepthwiseBiasAndResidualAdd) {
  Graph g;
  GraphBuilder b(&g);
  std::string x = conv_in(b);
  std::string pad =
      b.op("pad", "Pad", {x, b.const_i32("pads", Shape{4, 2}, {0, 0, 1, 1, 1, 1, 0, 0})},
           {{"T", modelgen::type_attr(DType::kFloat)},
            {"Tpaddings", modelgen::type_attr(DType::kInt32)}});
  std::string c = conv_node(b, "c1", "Conv2D", pad,
                            b.const_f32("w1", Shape{3, 3, 4, 4}, weights(144)), "VALID");
  std::string dw = b.bias_add("dwb",
                              conv_node(b, "dw", "DepthwiseConv2dNative", c,
                                        b.const_f32("wd", Shape{3, 3, 4, 1}, weights(36))),
                              b.const_f32("bd", Shape{4}, weights(4, 0.1f)));
  std::string c2 = b.bias_add(
      "c2b",
      conv_node(b, "c2", "Conv2D", dw, b.const_f32("w2", Shape{1, 1, 4, 4}, weights(16, 0.4f))),
      b.const_f32("b2", Shape{4}, weights(4, 0.1f, 2)));
  b.unary("Relu", "out", b.binary("AddV2", "res", c2, x));
  Graph f = check(g, "out");
  const auto h = histogram(f);
  EXPECT_EQ(h.count("Pad"), 0u);
  EXPECT_EQ(h.count("BiasAdd") + h.count("AddV2") + h.count("Relu"), 0u);
  EXPECT_EQ(h.at("FusedDepthwiseConv2dNative"), 1);
  EXPECT_EQ(f.at("out").attr_list("fused_ops").s,
            (std::vector<std::string>{"BiasAdd", "Add", "Relu"}));
}

// TF.js's residual block: conv + bias + Add, then a PReLU with per-channel alpha ([1, 1, C] as
// TF.js stores it) becomes the fused conv's last step (Fused+Prelu, CPU only).
TEST(RemapperNumeric, ConvBiasResidualAddPrelu) {
  Graph g;
  GraphBuilder b(&g);
  std::string x = conv_in(b);
  std::string c = b.bias_add(
      "cb", conv_node(b, "c", "Conv2D", x, b.const_f32("w", Shape{3, 3, 4, 4}, weights(144))),
      b.const_f32("bias", Shape{4}, weights(4, 0.1f, 2)));
  b.op("out", "Prelu",
       {b.binary("AddV2", "res", c, x), b.const_f32("alpha", Shape{1, 1, 4}, weights(4, 0.5f, 1))},
       {{"T", modelgen::type_attr(DType::kFloat)}});
  Graph f = check(g, "out");
  const auto h = histogram(f);
  EXPECT_EQ(h.count("Prelu") + h.count("AddV2") + h.count("BiasAdd"), 0u);
  EXPECT_EQ(f.at("out").op, "_FusedConv2D");
  EXPECT_EQ(f.at("out").attr_list("fused_ops").s,
            (std::vector<std::string>{"BiasAdd", "Add", "Prelu"}));
}

TEST(RemapperNumeric, ConvBiasAddBatchNormRelu) {
  Graph g;
  GraphBuilder b(&g);
  std::string x = conv_in(b);
  std::string y = b.bias_add(
      "c1b", conv_node(b, "c1", "Conv2D", x, b.const_f32("w1", Shape{3, 3, 4, 4}, weights(144))),
      b.const_f32("b1", Shape{4}, weights(4, 0.5f)));
  std::vector<float> var = weights(4, 0.4f, 1);
  for (float& v : var) v += 0.6f;
  std::string bn =
      b.op("bn", "FusedBatchNormV3",
           {y, b.const_f32("sc", Shape{4}, weights(4, 1, 2)),
            b.const_f32("of", Shape{4}, weights(4, 0.3f, 3)),
            b.const_f32("mu", Shape{4}, weights(4, 0.2f, 4)), b.const_f32("va", Shape{4}, var)},
           {{"T", modelgen::type_attr(DType::kFloat)},
            {"U", modelgen::type_attr(DType::kFloat)},
            {"epsilon", AttrValue(1e-3f)},
            {"is_training", AttrValue(false)},
            {"data_format", AttrValue("NHWC")}});
  b.unary("Relu", "out", bn);
  Graph f = check(g, "out");
  EXPECT_EQ(histogram(f).count("FusedBatchNormV3"), 0u);
  EXPECT_EQ(f.at("out").attr_list("fused_ops").s, (std::vector<std::string>{"BiasAdd", "Relu"}));
}

// Keras 3's BatchNormalization over variables after a biased conv: conv + b, * scale, + shift
// (scale and shift per-channel tensors of shape [1,1,1,C] computed at run time, here fed) and a
// Relu become one conv with [FusedBatchNorm, Relu] (aamp's runtime; not for TensorFlow, whose
// oneDNN convolution runs that step slower than the Mul and Add).
TEST(RemapperNumeric, ConvScaleShiftFromRunTimeTensorsBecomesBatchNormStep) {
  Graph g;
  GraphBuilder b(&g);
  std::string x = conv_in(b);
  std::string y = b.bias_add(
      "c1b", conv_node(b, "c1", "Conv2D", x, b.const_f32("w1", Shape{3, 3, 4, 4}, weights(144))),
      b.const_f32("b1", Shape{4}, weights(4, 0.5f)));
  std::string sc = b.placeholder("scale", DType::kFloat, Shape{1, 1, 1, 4});
  std::string sh = b.placeholder("shift", DType::kFloat, Shape{1, 1, 1, 4});
  b.unary("Relu", "out", b.binary("AddV2", "add", b.binary("Mul", "mul", sc, y), sh));
  Graph f = check(g, "out", 2);
  const auto h = histogram(f);
  EXPECT_EQ(h.count("Mul"), 1u);  // bias * scale, on [4]
  EXPECT_EQ(h.count("Relu") + h.count("BiasAdd"), 0u);
  const Node& out = f.at("out");
  EXPECT_EQ(out.op, "_FusedConv2D");
  EXPECT_EQ(out.attr_list("fused_ops").s, (std::vector<std::string>{"FusedBatchNorm", "Relu"}));
  EXPECT_EQ(out.attr_int("num_args"), 4);
  EXPECT_FLOAT_EQ(out.attr_float("epsilon"), 0.0f);

  Graph for_tf = g;  // TensorFlow's oneDNN: the Mul and the Add stay
  RemapperOptions o;
  o.tf_compatible = true;
  o.tf_onednn = true;
  o.fetch_nodes = {"out"};
  RemapperResult r;
  testing::run_checked(for_tf, "Remapper",
                       [&](Graph& h2, const PassContext&) { r = run_remapper(h2, o); });
  EXPECT_EQ(r.fusions.count("Conv2D+ScaleShift"), 0u);
  EXPECT_EQ(for_tf.at("mul").op, "Mul");
}

// tf_compatible: TF.js's FusedDepthwiseConv2dNative[BiasAdd, Relu6] and Prelu become stock ops.
TEST(RemapperNumeric, TfjsOpsBecomeStockOps) {
  Graph g;
  GraphBuilder b(&g);
  std::string x = conv_in(b);
  std::string dw = b.op("dw", "FusedDepthwiseConv2dNative",
                        {x, b.const_f32("wd", Shape{3, 3, 4, 1}, weights(36, 1.0f)),
                         b.const_f32("bd", Shape{4}, weights(4, 0.5f))},
                        {{"T", modelgen::type_attr(DType::kFloat)},
                         {"strides", int_list({1, 1, 1, 1})},
                         {"padding", AttrValue("SAME")},
                         {"num_args", AttrValue(int64_t{1})},
                         {"fused_ops", AttrValue(string_list({"BiasAdd", "Relu6"}))}});
  b.op("out", "Prelu", {dw, b.const_f32("alpha", Shape{4}, weights(4, 0.5f, 1))}, {});
  Graph f = check(g, "out", 2, /*tf_compatible=*/true);
  const auto h = histogram(f);
  EXPECT_EQ(h.count("FusedDepthwiseConv2dNative") + h.count("Prelu"), 0u);
  EXPECT_EQ(h.at("DepthwiseConv2dNative"), 1);
  EXPECT_EQ(h.at("Minimum"), 1);
}

// Real TF.js models: the tf_compatible rewrite of their own ops (iris: Prelu and _FusedConv2D
// [BiasAdd, Prelu]; mobilefacenet: FusedDepthwiseConv2dNative) computes the same outputs.
TEST(RemapperNumeric, RealTfjsModelsTfCompatibleSameResults) {
  namespace fs = std::filesystem;
  for (const char* name : {"iris", "mobilefacenet"}) {
    SCOPED_TRACE(name);
    const fs::path model = fs::path(AAMP_MODELS_DIR) / (std::string(name) + ".json");
    AAMP_REQUIRE_MODELS(fs::exists(model), model);
    Graph g = load_tfjs(model.string());
    std::vector<std::string> outs;  // nodes nothing consumes
    const auto consumers = g.consumer_map();
    for (const auto& n : g.nodes())
      if (n->op != "Const" && !consumers.count(n->name)) outs.push_back(n->name);
    ASSERT_FALSE(outs.empty());
    Graph f = g;
    RemapperOptions o;
    o.tf_compatible = true;
    o.fetch_nodes = {outs.begin(), outs.end()};
    RemapperResult r;
    testing::run_checked(f, "Remapper",
                         [&](Graph& h, const PassContext&) { r = run_remapper(h, o); });
    EXPECT_GT(r.total(), 10);
    const Feeds feeds = random_feeds(g, 1, 3);
    const std::vector<Tensor> ref = run_numeric(g, feeds, outs), got = run_numeric(f, feeds, outs);
    for (size_t i = 0; i < outs.size(); ++i) EXPECT_LE(max_rel(ref[i], got[i]), 1e-5) << outs[i];
  }
}

}  // namespace
}  // namespace aamp
