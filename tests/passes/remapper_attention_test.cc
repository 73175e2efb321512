// Golden tests of the attention fusions (remapper_rules_attention.cc): after AMP, BERT's
// attention (scaled scores, mask + softmax, probabilities x v, with the head split and
// merge Transposes) becomes one _AampFusedAttention; exact expectations, including the graphs it
// must leave alone. Numerics: the fused graph on the CPU (its vectorized kernel) against the
// unfused graph, in float16 and bfloat16.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "aamp/api/optimize.h"
#include "aamp/runtime/session.h"
#include "modelgen/modelgen.h"
#include "passes/remapper_test_util.h"

namespace aamp {
namespace {

using remap_test::ops;
using testing::parse;

struct AttentionGraph {
  std::string dtype = "DT_HALF";
  int depth = 16;
  bool fused_scores = true;  // _AampFusedBatchMatMulV2 [Mul] (else BatchMatMulV2, no scale)
  bool masked = true;        // _AampFusedAddSoftmax (else Softmax)
  bool merge_transpose = true;
};

// Relative L2 distance of got from want (both float32, same shape); want must not be all zeros.
double rel_l2(const Tensor& want, const Tensor& got) {
  EXPECT_EQ(got.shape().dims, want.shape().dims);
  double num = 0, den = 0;
  for (int64_t i = 0; i < want.num_elements(); ++i) {
    const double d = got.element_as_double(i) - want.element_as_double(i);
    num += d * d;
    den += want.element_as_double(i) * want.element_as_double(i);
  }
  EXPECT_GT(den, 0.0);
  return den > 0 ? std::sqrt(num / den) : 1.0;
}

// [B, 8, 2, depth] q, k, v placeholders (BSHD), split into heads by Transposes, attention, and
// (merge_transpose) the output back to BSHD as node "out"; without it "ctx" is the output.
std::string attention_text(const AttentionGraph& a) {
  const std::string t = "attr { key: \"T\" value { type: " + a.dtype + " } }";
  auto ph = [&](const std::string& name, std::vector<int> dims) {
    std::string s = "node { name: \"" + name +
                    "\" op: \"Placeholder\" attr { key: \"dtype\" value { type: " + a.dtype +
                    " } } attr { key: \"shape\" value { shape {";
    for (int d : dims) s += " dim { size: " + std::to_string(d) + " }";
    return s + " } } } }\n";
  };
  std::string g = ph("xq", {-1, 8, 2, a.depth}) + ph("xk", {-1, 8, 2, a.depth}) +
                  ph("xv", {-1, 8, 2, a.depth}) + ph("mask", {-1, 1, 1, 8});
  g += R"(node { name: "perm" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
  attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 4 } }
  int_val: 0 int_val: 2 int_val: 1 int_val: 3 } } } }
)";
  for (const char* x : {"q", "k", "v"})
    g += std::string("node { name: \"t") + x + "\" op: \"Transpose\" input: \"x" + x +
         "\" input: \"perm\" " + t + " attr { key: \"Tperm\" value { type: DT_INT32 } } }\n";
  if (a.fused_scores) {
    // 0.25: float16 bits 0x3400, bfloat16 bits 0x3E80
    const std::string v = a.dtype == "DT_FLOAT"  ? "float_val: 0.25"
                          : a.dtype == "DT_HALF" ? "half_val: 13312"
                                                 : "half_val: 16000";
    g += "node { name: \"scale\" op: \"Const\" attr { key: \"dtype\" value { type: " + a.dtype +
         " } } attr { key: \"value\" value { tensor { dtype: " + a.dtype + " tensor_shape {} " + v +
         " } } } }\n";
    g += "node { name: \"scores\" op: \"_AampFusedBatchMatMulV2\" input: \"tq\" input: \"tk\" "
         "input: \"scale\" " +
         t +
         " attr { key: \"adj_x\" value { b: false } } attr { key: \"adj_y\" value { b: true } }"
         " attr { key: \"num_args\" value { i: 1 } }"
         " attr { key: \"fused_ops\" value { list { s: \"Mul\" } } } }\n";
  } else {
    g += "node { name: \"scores\" op: \"BatchMatMulV2\" input: \"tq\" input: \"tk\" " + t +
         " attr { key: \"adj_x\" value { b: false } } attr { key: \"adj_y\" value { b: true } } "
         "}\n";
  }
  if (a.masked)
    g += "node { name: \"probs\" op: \"_AampFusedAddSoftmax\" input: \"scores\" input: \"mask\" " +
         t + " }\n";
  else
    g += "node { name: \"probs\" op: \"Softmax\" input: \"scores\" " + t + " }\n";
  g += "node { name: \"ctx\" op: \"BatchMatMulV2\" input: \"probs\" input: \"tv\" " + t +
       " attr { key: \"adj_x\" value { b: false } } attr { key: \"adj_y\" value { b: false } } }\n";
  if (a.merge_transpose)
    g += "node { name: \"out\" op: \"Transpose\" input: \"ctx\" input: \"perm\" " + t +
         " attr { key: \"Tperm\" value { type: DT_INT32 } } }\n";
  return g;
}

RemapperResult remap_for(Graph& g, DeviceKind device, std::vector<std::string> fetch = {}) {
  RemapperOptions o;
  o.post_amp = true;
  o.device = device;
  o.fetch_nodes.insert(fetch.begin(), fetch.end());
  RemapperResult r;
  testing::run_checked(g, "RemapperPostAmp",
                       [&](Graph& h, const PassContext&) { r = run_remapper(h, o); });
  return r;
}

void expect_unchanged(const std::string& text, DeviceKind device,
                      std::vector<std::string> fetch = {}) {
  Graph g = parse(text);
  const std::string before = serialize_graphdef_binary(g);
  const RemapperResult r = remap_for(g, device, fetch);
  EXPECT_EQ(r.fusions.count("Attention"), 0u);
  EXPECT_EQ(serialize_graphdef_binary(g), before);
}

TEST(RemapperAttention, BertAttentionWithTransposesBecomesOneNode) {
  for (DeviceKind device : {DeviceKind::kGPU, DeviceKind::kCPU}) {
    SCOPED_TRACE(device_kind_name(device));
    Graph g = parse(attention_text({}));
    const RemapperResult r = remap_for(g, device);
    EXPECT_EQ(r.fusions.at("Attention"), 1);
    EXPECT_EQ(r.fusions.at("Attention+Transpose"), 1);
    EXPECT_EQ(ops(g), "Placeholder:4 _AampFusedAttention:1");
    const Node& n = g.at("out");
    EXPECT_EQ(n.op, "_AampFusedAttention");
    EXPECT_EQ(n.inputs, (std::vector<std::string>{"xq", "xk", "xv", "mask"}));
    EXPECT_EQ(n.attr_string("layout"), "BSHD");
    EXPECT_FLOAT_EQ(n.attr_float("scale"), 0.25f);
    EXPECT_EQ(n.attr_int("num_args"), 1);
    EXPECT_EQ(n.attr_type("T"), DType::kHalf);
  }
}

TEST(RemapperAttention, WithoutTheMergeTransposeStaysInHeadLayout) {
  AttentionGraph a;
  a.merge_transpose = false;
  Graph g = parse(attention_text(a));
  remap_for(g, DeviceKind::kGPU);
  EXPECT_EQ(ops(g), "Const:1 Placeholder:4 Transpose:3 _AampFusedAttention:1");
  const Node& n = g.at("ctx");
  EXPECT_EQ(n.inputs, (std::vector<std::string>{"tq", "tk", "tv", "mask"}));
  EXPECT_EQ(n.attr_string("layout"), "BHSD");
}

TEST(RemapperAttention, PlainScoresAndSoftmaxWithoutMask) {
  AttentionGraph a;
  a.fused_scores = false;
  a.masked = false;
  a.dtype = "DT_BFLOAT16";
  Graph g = parse(attention_text(a));
  remap_for(g, DeviceKind::kGPU);
  EXPECT_EQ(ops(g), "Placeholder:4 _AampFusedAttention:1");  // the mask placeholder stays
  const Node& n = g.at("out");
  EXPECT_EQ(n.inputs, (std::vector<std::string>{"xq", "xk", "xv"}));
  EXPECT_FLOAT_EQ(n.attr_float("scale"), 1.0f);
  EXPECT_EQ(n.attr_int("num_args"), 0);
  EXPECT_EQ(n.attr_type("T"), DType::kBFloat16);
}

TEST(RemapperAttention, DoesNotChangeInFloat32OrForDepthsTheGpuKernelLacks) {
  AttentionGraph f32;
  f32.dtype = "DT_FLOAT";
  expect_unchanged(attention_text(f32), DeviceKind::kGPU);
  expect_unchanged(attention_text(f32), DeviceKind::kCPU);
  AttentionGraph d8;
  d8.depth = 8;  // the GPU kernel takes depths 16, 32, 64 and 128; the CPU's any
  expect_unchanged(attention_text(d8), DeviceKind::kGPU);
  Graph g = parse(attention_text(d8));
  remap_for(g, DeviceKind::kCPU);
  EXPECT_EQ(g.at("out").op, "_AampFusedAttention");
}

TEST(RemapperAttention, DoesNotChangeWhenProbabilitiesAreReadElsewhere) {
  // A fetched softmax (or one the gradient reads) must stay.
  expect_unchanged(attention_text({}), DeviceKind::kGPU, {"probs"});
  expect_unchanged(attention_text({}), DeviceKind::kGPU, {"scores"});
}

// q, k and v projected from one input by three _FusedMatMul [BiasAdd] (B,8,2,16 after the
// Reshapes), then the attention block of attention_text(): the projections merge into one GEMM.
std::string projected_text(bool same_input = true, const std::string& k_ops = "s: \"BiasAdd\"") {
  std::string g =
      R"(node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_HALF } }
  attr { key: "shape" value { shape { dim { size: -1 } dim { size: 32 } } } } }
node { name: "x2" op: "Placeholder" attr { key: "dtype" value { type: DT_HALF } }
  attr { key: "shape" value { shape { dim { size: -1 } dim { size: 32 } } } } }
node { name: "shape" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }
  attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 4 } }
  int_val: -1 int_val: 8 int_val: 2 int_val: 16 } } } }
)";
  int seed = 1;
  for (const char* n : {"q", "k", "v"}) {
    const std::string in = (std::string(n) == "v" && !same_input) ? "x2" : "x";
    std::string w, b;
    // float16 bits: +-(0.0625 .. 0.07), signs alternating
    for (int i = 0; i < 32 * 32; ++i)
      w += " half_val: " + std::to_string((i % 2 ? 0x8000 : 0) + 0x2C00 + (i * seed) % 97);
    for (int i = 0; i < 32; ++i) b += " half_val: " + std::to_string(13312 + (i * seed) % 31);
    ++seed;
    g += std::string("node { name: \"w") + n +
         "\" op: \"Const\" attr { key: \"dtype\" value { type: DT_HALF } } attr { key: "
         "\"value\" value { tensor { dtype: DT_HALF tensor_shape { dim { size: 32 } dim { size: "
         "32 } }" +
         w + " } } } }\n";
    g += std::string("node { name: \"b") + n +
         "\" op: \"Const\" attr { key: \"dtype\" value { type: DT_HALF } } attr { key: "
         "\"value\" value { tensor { dtype: DT_HALF tensor_shape { dim { size: 32 } }" +
         b + " } } } }\n";
    const std::string ops = std::string(n) == "k" ? k_ops : "s: \"BiasAdd\"";
    g += std::string("node { name: \"m") + n + "\" op: \"_FusedMatMul\" input: \"" + in +
         "\" input: \"w" + n + "\" input: \"b" + n +
         "\" attr { key: \"T\" value { type: DT_HALF } } attr { key: \"num_args\" value { i: 1 "
         "} } attr { key: \"fused_ops\" value { list { " +
         ops + " } } } }\n";
    g += std::string("node { name: \"x") + n + "\" op: \"Reshape\" input: \"m" + n +
         "\" input: \"shape\" attr { key: \"T\" value { type: DT_HALF } } attr { key: "
         "\"Tshape\" value { type: DT_INT32 } } }\n";
  }
  // The attention block over xq, xk, xv (its own placeholders of those names left out).
  std::string block = attention_text({});
  for (const char* n : {"xq", "xk", "xv"}) {
    const size_t at = block.find("node { name: \"" + std::string(n) + "\"");
    block.erase(at, block.find("\n", at) + 1 - at);
  }
  return g + block;
}

TEST(RemapperAttention, ProjectionsOfOneInputMergeIntoOneMatMul) {
  Graph g = parse(projected_text());
  const RemapperResult r = remap_for(g, DeviceKind::kGPU);
  EXPECT_EQ(r.fusions.at("Attention+QKV"), 1);
  EXPECT_EQ(ops(g), "Const:3 Placeholder:3 Reshape:1 _AampFusedAttention:1 _FusedMatMul:1");
  const Node& n = g.at("out");
  EXPECT_EQ(n.attr_string("layout"), "BS3HD");
  ASSERT_EQ(n.inputs.size(), 4u);
  EXPECT_EQ(n.inputs[0], n.inputs[1]);
  EXPECT_EQ(n.inputs[0], n.inputs[2]);
  EXPECT_EQ(n.inputs[3], "mask");
  const Node& rs = g.at(n.inputs[0]);
  EXPECT_EQ(rs.op, "Reshape");
  EXPECT_EQ(const_value(g.at(rs.inputs[1]))->shape().dims, (std::vector<int64_t>{5}));
  const Node& mm = g.at(rs.inputs[0]);
  EXPECT_EQ(mm.inputs[0], "x");
  EXPECT_EQ(const_value(g.at(mm.inputs[1]))->shape().dims, (std::vector<int64_t>{32, 96}));
  EXPECT_EQ(const_value(g.at(mm.inputs[2]))->shape().dims, (std::vector<int64_t>{96}));
}

TEST(RemapperAttention, ProjectionsStaySeparateOnTheCpu) {
  Graph g = parse(projected_text());
  const RemapperResult r = remap_for(g, DeviceKind::kCPU);
  EXPECT_EQ(r.fusions.count("Attention+QKV"), 0u);
  EXPECT_EQ(g.at("out").attr_string("layout"), "BSHD");
  EXPECT_EQ(g.at("out").inputs, (std::vector<std::string>{"xq", "xk", "xv", "mask"}));
}

TEST(RemapperAttention, ProjectionsOfDifferentInputsOrEpiloguesStaySeparate) {
  for (const std::string& text :
       {projected_text(false), projected_text(true, "s: \"BiasAdd\" s: \"Relu\"")}) {
    Graph g = parse(text);
    const RemapperResult r = remap_for(g, DeviceKind::kGPU);
    EXPECT_EQ(r.fusions.count("Attention+QKV"), 0u);
    EXPECT_EQ(g.at("out").attr_string("layout"), "BSHD");
    EXPECT_EQ(g.at("mq").op, "_FusedMatMul");
  }
}

// The merged graph against the unmerged one on the CPU (same inputs, float16 both ways).
TEST(RemapperAttention, MergedProjectionsComputeTheSame) {
  const Graph ref = parse(projected_text());
  Graph merged = ref;
  remap_for(merged, DeviceKind::kGPU);  // (run below on the CPU's kernels)
  ASSERT_EQ(merged.at("out").attr_string("layout"), "BS3HD");
  std::mt19937 rng(9);
  std::normal_distribution<float> u(0.f, 0.5f);
  std::vector<float> x(3 * 8 * 32), x2(3 * 8 * 32), m(3 * 8, 0.0f);
  for (float& e : x) e = u(rng);
  for (float& e : x2) e = u(rng);
  m[5] = -10000.f;
  const std::vector<std::pair<std::string, Tensor>> feeds = {
      {"x", Tensor::from_vector(Shape{24, 32}, x).cast_float(DType::kHalf)},
      {"x2", Tensor::from_vector(Shape{24, 32}, x2).cast_float(DType::kHalf)},
      {"mask", Tensor::from_vector(Shape{3, 1, 1, 8}, m).cast_float(DType::kHalf)}};
  const Tensor want = Session(ref).run(feeds, {"out"}).at(0).cast_float(DType::kFloat);
  const Tensor got = Session(merged).run(feeds, {"out"}).at(0).cast_float(DType::kFloat);
  EXPECT_LE(rel_l2(want, got), 2e-3);
}

// The whole pipeline on a small BERT (modelgen, 2 layers) for the CPU: one attention node per
// layer in layout BSHD (q/k/v stay three GEMMs on the CPU), no Transpose or batched matmul left;
// bfloat16 stays within 2e-2 (rel-L2) of float32.
TEST(RemapperAttention, BertThroughThePipeline) {
  modelgen::BertOptions o;
  o.layers = 2;
  o.seq = 16;
  o.hidden = 64;
  o.heads = 4;
  o.intermediate = 128;
  o.vocab = 60;
  o.max_position = 32;
  const Graph ref = modelgen::make_bert(o);
  Graph g = ref;
  AmpConfig c;
  c.data_type = "bf16";
  optimize(g, testing::checked(c), DeviceKind::kCPU, {"Identity"});
  std::map<std::string, int> h;
  for (const auto& n : g.nodes()) {
    ++h[n->op];
    if (n->op == "_AampFusedAttention") {
      EXPECT_EQ(n->attr_string("layout"), "BSHD") << n->name;
    }
  }
  EXPECT_EQ(h["_AampFusedAttention"], 2);
  EXPECT_EQ(h["_FusedMatMul"], 2 * 6);  // q, k, v, attention output, intermediate, output
  EXPECT_EQ(h.count("Transpose") + h.count("BatchMatMulV2") + h.count("_AampFusedAddSoftmax"), 0u);
  std::vector<std::pair<std::string, Tensor>> feeds;
  std::vector<int32_t> ids, mask, types;
  for (int i = 0; i < 2 * 16; ++i) {
    ids.push_back((i * 7 + 3) % 60);
    mask.push_back(i % 16 < 13 || i < 16 ? 1 : 0);
    types.push_back(i % 16 >= 8);
  }
  feeds.emplace_back("input_ids", Tensor::from_vector<int32_t>(Shape{2, 16}, ids));
  feeds.emplace_back("attention_mask", Tensor::from_vector<int32_t>(Shape{2, 16}, mask));
  feeds.emplace_back("token_type_ids", Tensor::from_vector<int32_t>(Shape{2, 16}, types));
  const Tensor want = Session(ref).run(feeds, {"Identity"}).at(0);
  const Tensor got = Session(g).run(feeds, {"Identity"}).at(0).cast_float(DType::kFloat);
  EXPECT_LE(rel_l2(want, got), 2e-2);
}

// The fused graph (CPU reference kernel) against the unfused one, both on the CPU, for both
// layouts and dtypes: the only difference is where the probabilities are rounded.
TEST(RemapperAttention, FusedMatchesUnfusedNumerically) {
  for (const char* dtype : {"DT_HALF", "DT_BFLOAT16"})
    for (bool merge : {true, false}) {
      SCOPED_TRACE(std::string(dtype) + (merge ? " BSHD" : " BHSD"));
      AttentionGraph a;
      a.dtype = dtype;
      a.merge_transpose = merge;
      const Graph ref = parse(attention_text(a));
      Graph fused = ref;
      remap_for(fused, DeviceKind::kGPU);
      ASSERT_EQ(fused.at(merge ? "out" : "ctx").op, "_AampFusedAttention");
      const DType t = std::string(dtype) == "DT_HALF" ? DType::kHalf : DType::kBFloat16;
      std::mt19937 rng(5);
      std::normal_distribution<float> u(0.f, 1.f);
      std::vector<std::pair<std::string, Tensor>> feeds;
      for (const char* x : {"xq", "xk", "xv"}) {
        std::vector<float> v(3 * 8 * 2 * 16);
        for (float& e : v) e = u(rng);
        feeds.emplace_back(x, Tensor::from_vector(Shape{3, 8, 2, 16}, v).cast_float(t));
      }
      std::vector<float> m(3 * 8, 0.0f);
      for (size_t i = 0; i < m.size(); ++i) m[i] = (i % 8 >= 5 && i / 8 == 1) ? -10000.f : 0.f;
      feeds.emplace_back("mask", Tensor::from_vector(Shape{3, 1, 1, 8}, m).cast_float(t));
      const std::string out = merge ? "out" : "ctx";
      const Tensor want = Session(ref).run(feeds, {out}).at(0).cast_float(DType::kFloat);
      const Tensor got = Session(fused).run(feeds, {out}).at(0).cast_float(DType::kFloat);
      EXPECT_LE(rel_l2(want, got), t == DType::kHalf ? 2e-3 : 1e-2);
    }
}

}  // namespace
}  // namespace aamp
