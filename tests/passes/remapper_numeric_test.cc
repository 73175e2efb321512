// Numerical equivalence of the remapper's fusions: each graph runs on the CPU runtime before and
// after run_remapper with the same seeded inputs. float32: max |fused - unfused| <= 1e-5 *
// max(1, max |unfused|). bfloat16 (AMP after the remapper, as the pipeline does): rel-L2 vs the
// float32 original <= 2e-2. Also the structural expectation of issue 5: a BERT-style encoder
// block written in TF ops fuses into LayerNorm, fused MatMul+Gelu and fused mask+Softmax.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "aamp/api/config.h"
#include "aamp/api/optimize.h"
#include "aamp/passes/remapper.h"
#include "aamp/runtime/session.h"
#include "modelgen/builder.h"
#include "modelgen/modelgen.h"

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

std::vector<Tensor> run(const Graph& g, const Feeds& feeds, const std::vector<std::string>& out) {
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
Graph check(const Graph& original, const std::string& out, int64_t batch = 2) {
  Graph fused = original;
  RemapperOptions o;
  o.fetch_nodes = {out};
  RemapperResult r = run_remapper(fused, o);
  EXPECT_GT(r.total(), 0) << "nothing fused";
  const Feeds feeds = random_feeds(original, batch, 7);
  const std::vector<Tensor> ref = run(original, feeds, {out});
  const std::vector<Tensor> got = run(fused, feeds, {out});
  EXPECT_EQ(ref[0].shape().dims, got[0].shape().dims);
  EXPECT_LE(max_rel(ref[0], got[0]), 1e-5) << out;

  Graph mixed = original;
  AmpConfig c;
  c.enabled = true;
  c.data_type = "bf16";
  OptimizeResult opt = optimize(mixed, c, DeviceKind::kCPU, {out});
  EXPECT_GT(opt.amp.converted_nodes, 0);
  const std::vector<Tensor> low = run(mixed, feeds, {out});
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

}  // namespace
}  // namespace aamp
