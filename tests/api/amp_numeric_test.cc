// Numerical check of AMP: a small MLP (MatMul+BiasAdd+Relu x2 + Softmax) runs on the CPU runtime
// before and after the rewrite; outputs agree within bf16 tolerance.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "aamp/api/accuracy_guard.h"
#include "aamp/api/optimize.h"
#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"
#include "aamp/runtime/session.h"
#include "passes/pass_check_util.h"
#include "test_util.h"

namespace aamp {
namespace {

// Deterministic pseudo-random values in [-1, 1).
float prand(int i) {
  uint32_t x = static_cast<uint32_t>(i) * 2654435761u + 12345u;
  x ^= x >> 13;
  x *= 0x5bd1e995u;
  x ^= x >> 15;
  return static_cast<float>(x % 20000) / 10000.f - 1.f;
}

std::string weight(const std::string& name, std::vector<int> dims, int seed, float scale) {
  std::string s = "node { name: \"" + name +
                  "\" op: \"Const\" attr { key: \"dtype\" value { type: DT_FLOAT } } attr { key: "
                  "\"value\" value { tensor { dtype: DT_FLOAT tensor_shape { ";
  int n = 1;
  for (int d : dims) {
    s += "dim { size: " + std::to_string(d) + " } ";
    n *= d;
  }
  s += "} ";
  for (int i = 0; i < n; ++i) s += "float_val: " + std::to_string(scale * prand(seed + i)) + " ";
  return s + "} } } }\n";
}

std::string float_op(const std::string& name, const std::string& type, const std::string& a,
                     const std::string& b = "") {
  std::string s = "node { name: \"" + name + "\" op: \"" + type + "\" input: \"" + a + "\"";
  if (!b.empty()) s += " input: \"" + b + "\"";
  return s + " attr { key: \"T\" value { type: DT_FLOAT } } }\n";
}

std::string mlp() {
  std::string s =
      "node { name: \"x\" op: \"Placeholder\" attr { key: \"dtype\" value { type: DT_FLOAT } } "
      "attr { key: \"shape\" value { shape { dim { size: -1 } dim { size: 16 } } } } }\n";
  s += weight("w1", {16, 32}, 1000, 0.5f) + weight("b1", {32}, 2000, 0.1f);
  s += weight("w2", {32, 8}, 3000, 0.5f) + weight("b2", {8}, 4000, 0.1f);
  s += float_op("mm1", "MatMul", "x", "w1") + float_op("ba1", "BiasAdd", "mm1", "b1") +
       float_op("r1", "Relu", "ba1");
  s += float_op("mm2", "MatMul", "r1", "w2") + float_op("ba2", "BiasAdd", "mm2", "b2") +
       float_op("r2", "Relu", "ba2");
  s += float_op("probs", "Softmax", "r2");
  return s;
}

Tensor input() {
  std::vector<float> v(4 * 16);
  for (size_t i = 0; i < v.size(); ++i) v[i] = 2.f * prand(static_cast<int>(i) + 7);
  return Tensor::from_vector<float>(Shape{4, 16}, v);
}

std::vector<float> run(const Graph& g) {
  Session s(g);
  std::vector<Tensor> out = s.run({{"x", input()}}, {"probs"});
  EXPECT_EQ(out.at(0).dtype(), DType::kFloat);
  auto span = out.at(0).values<float>();
  return {span.begin(), span.end()};
}

// max |a - b| / max |a|.
double rel_err(const std::vector<float>& ref, const std::vector<float>& got) {
  EXPECT_EQ(ref.size(), got.size());
  double m = 0, e = 0;
  for (size_t i = 0; i < ref.size() && i < got.size(); ++i) {
    m = std::max(m, std::fabs(static_cast<double>(ref[i])));
    e = std::max(e, std::fabs(static_cast<double>(ref[i]) - got[i]));
  }
  return m == 0 ? e : e / m;
}

void check(bool remapper) {
  Graph g = parse_graphdef_text(mlp(), "<mlp>");
  std::vector<float> ref = run(g);
  AmpConfig c;
  c.remapper = remapper;
  OptimizeResult r = optimize(g, testing::checked(c), DeviceKind::kCPU);
  ASSERT_TRUE(r.amp_ran) << (r.passes.empty() ? "" : r.passes.back().summary);
  EXPECT_GE(r.amp.converted_nodes, 2);
  EXPECT_LT(r.amp.weight_bytes_after, r.amp.weight_bytes_before);
  std::vector<float> got = run(g);
  double err = rel_err(ref, got);
  EXPECT_LE(err, 2e-2) << "remapper=" << remapper;
  EXPECT_GT(err, 0.0) << "the converted graph should not be bit-identical";
}

TEST(AmpNumericTest, MlpAgreesWithFloat32WithoutRemapper) { check(false); }
TEST(AmpNumericTest, MlpAgreesWithFloat32WithRemapper) { check(true); }

// Real models: FP32 vs AMP (remapper + bf16) on the CPU runtime, per float output
//   ||got - ref||_2 / max(||ref||_2, sqrt(n))  <= 1e-2,
// i.e. the relative L2 error for outputs of RMS >= 1 and the RMS error for smaller ones: the
// same mixed relative/absolute form as the conformance bar (1e-4 * max(1, max|ref|)). A plain
// relative error is meaningless for outputs that are all close to zero, e.g. selfie's sigmoid
// mask on a noise image (RMS 3e-11, max |diff| 1e-8, plain rel-L2 1.5).
double rel_l2(const Tensor& ref, const Tensor& got) {
  Tensor a = ref.dtype() == DType::kFloat ? ref : ref.cast_float(DType::kFloat);
  Tensor b = got.dtype() == DType::kFloat ? got : got.cast_float(DType::kFloat);
  auto x = a.values<float>();
  auto y = b.values<float>();
  EXPECT_EQ(x.size(), y.size());
  double num = 0, den = 0;
  for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
    num += (static_cast<double>(x[i]) - y[i]) * (static_cast<double>(x[i]) - y[i]);
    den += static_cast<double>(x[i]) * x[i];
  }
  return std::sqrt(num / std::max(den, static_cast<double>(x.size())));
}

// The bar is 1e-2 per float output. Three models miss it and carry a looser, documented
// bound (a regression guard): MobileNet-style regression heads (blazeface boxes, posenet
// offsets/displacements, movenet keypoints) whose error grows steadily layer by layer (posenet:
// 0.003 after the first conv, 0.03 after five blocks, 0.13 at the last one; not one bad op) and
// hardly shrinks with half of the convolutions in float32 (posenet 0.10 with every depthwise conv
// in float32): bfloat16's 8-bit mantissa is too coarse for these networks on noise inputs.
// Blazeface's worst output is its 16x16 classificator logits (Identity, 0.2-0.26): the error sits
// in the most negative logits (-233 vs -183; sigmoid 0 either way). The float32 graph itself
// shows the gain: oneDNN vs reference float32 kernels differ by 2e-6 there (float32 rounding
// 6e-8), the same per-output ratio as bfloat16 (2^-9) vs float32; reference bfloat16 kernels
// give the same 0.19, so no kernel is at fault, and every single layer alone in bfloat16 adds
// 0.005-0.03. Movenet's error is different: argmax flips of low-score keypoints (score < 0.05 on
// noise) between near-equal heatmap peaks. AmpGuardedModelTest below meets 1e-2 for all three
// with --accuracy-target.
struct AmpModelCase {
  const char* name;
  double bound;
};

void PrintTo(const AmpModelCase& c, std::ostream* os) { *os << c.name; }

class AmpRealModelTest : public ::testing::TestWithParam<AmpModelCase> {};

// The model's graph, its feeds (noise images) and float32 outputs; false (with `skip` set) when
// the model is missing or the runtime cannot run it.
struct ModelRun {
  Graph g;
  std::vector<std::pair<std::string, Tensor>> feeds;
  std::vector<std::string> outputs;
  std::vector<Tensor> ref;
  std::string skip;
  std::string missing;  // the model file, when it is not installed
};

ModelRun load_and_run(const std::string& name) {
  ModelRun m;
  std::string path = std::string(AAMP_MODELS_DIR) + "/" + name + ".json";
  if (!std::filesystem::exists(path)) {
    m.missing = path;
    return m;
  }
  m.g = load_graph(path);
  try {
    Session s(m.g);
    m.outputs = s.output_names();
    for (const auto& in : s.input_names()) {
      IODesc d = s.input_desc(in);
      if ((d.dtype != DType::kFloat && d.dtype != DType::kInt32) || d.shape.unknown_rank) {
        m.skip = "input " + in;
        return m;
      }
      std::vector<int64_t> dims;
      int64_t n = 1;
      for (int64_t v : d.shape.dims) {
        dims.push_back(v < 0 ? 1 : v);
        n *= dims.back();
      }
      std::vector<float> v(static_cast<size_t>(n));
      for (size_t i = 0; i < v.size(); ++i) v[i] = 0.5f + 0.5f * prand(static_cast<int>(i));
      Tensor t = Tensor::from_vector<float>(Shape(dims), v);
      if (d.dtype == DType::kInt32) {  // an image in [0, 255] (movenet)
        std::vector<int32_t> px(v.size());
        for (size_t i = 0; i < v.size(); ++i) px[i] = static_cast<int32_t>(255.f * v[i]);
        t = Tensor::from_vector<int32_t>(Shape(dims), px);
      }
      m.feeds.push_back({in, t});
    }
    m.ref = s.run(m.feeds, m.outputs);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kUnimplemented) throw;
    m.skip = e.what();
  }
  return m;
}

// Runs the converted graph and checks every float output against the float32 one.
void expect_outputs_within(const ModelRun& m, const Graph& converted, double bound,
                           const std::string& what) {
  Session s(converted);
  std::vector<Tensor> got = s.run(m.feeds, m.outputs);
  ASSERT_EQ(got.size(), m.ref.size());
  for (size_t i = 0; i < m.ref.size(); ++i) {
    if (!is_float(m.ref[i].dtype())) continue;
    const double e = rel_l2(m.ref[i], got[i]);
    EXPECT_LE(e, bound) << what << " output " << m.outputs[i];
    std::printf("[ rel-L2   ] %s %s %.3g\n", what.c_str(), m.outputs[i].c_str(), e);
  }
}

TEST_P(AmpRealModelTest, OutputsAgreeWithFloat32) {
  ModelRun m = load_and_run(GetParam().name);
  AAMP_REQUIRE_MODELS(m.missing.empty(), m.missing);
  if (!m.skip.empty()) GTEST_SKIP() << m.skip;
  // The whole pipeline: remapper fusions, AMP, post-AMP Const folding.
  Graph g = m.g;
  OptimizeResult r = optimize(g, testing::checked(AmpConfig{}), DeviceKind::kCPU);
  ASSERT_TRUE(r.amp_ran);
  EXPECT_GT(r.amp.converted_nodes, 0);
  expect_outputs_within(m, g, GetParam().bound, GetParam().name);
}

// The models above that miss 1e-2 by default meet it with the accuracy guard (calibrated on the
// same noise image), keeping some nodes float32 but not all of them.
class AmpGuardedModelTest : public ::testing::TestWithParam<const char*> {};

TEST_P(AmpGuardedModelTest, AccuracyTargetIsMet) {
  ModelRun m = load_and_run(GetParam());
  AAMP_REQUIRE_MODELS(m.missing.empty(), m.missing);
  if (!m.skip.empty()) GTEST_SKIP() << m.skip;
  Graph g = m.g;
  AccuracyGuardOptions o;
  o.target = 1e-2;
  o.calibration = {m.feeds};
  // Ranked in groups of consecutive nodes (a few more float32 nodes than with the CLI's default
  // cap of 200, whose search takes minutes on CI's two cores for movenet).
  o.max_evaluations = 40;
  o.threads = 1;  // small models: one thread is faster than a pool on a busy machine
  AccuracyGuardReport rep;
  OptimizeResult r =
      optimize_with_accuracy_guard(g, testing::checked(AmpConfig{}), DeviceKind::kCPU, {}, o, &rep);
  std::printf("[ guard    ] %s: %s; %d/%d nodes bfloat16, %d evaluations\n", GetParam(),
              rep.summary().c_str(), r.amp.converted_nodes, r.amp.float_nodes, rep.evaluations);
  EXPECT_TRUE(rep.met) << rep.note;
  EXPECT_GT(rep.error_before, 1e-2);  // else the model belongs with the plain ones
  EXPECT_FALSE(rep.kept_float.empty());
  EXPECT_GT(r.amp.converted_nodes, 0);
  expect_outputs_within(m, g, 1e-2, std::string(GetParam()) + " (guarded)");
}

INSTANTIATE_TEST_SUITE_P(Models, AmpGuardedModelTest,
                         ::testing::Values("blazeface", "movenet-lightning", "posenet"),
                         [](const ::testing::TestParamInfo<const char*>& i) {
                           std::string n = i.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

INSTANTIATE_TEST_SUITE_P(
    Models, AmpRealModelTest,
    // The 16 models of the CPU runtime issue.
    ::testing::Values(AmpModelCase{"blazeface", 0.35}, AmpModelCase{"emotion", 1e-2},
                      AmpModelCase{"gender", 1e-2}, AmpModelCase{"movenet-lightning", 0.1},
                      AmpModelCase{"mobilefacenet", 1e-2}, AmpModelCase{"faceres", 1e-2},
                      AmpModelCase{"iris", 1e-2}, AmpModelCase{"facemesh", 1e-2},
                      AmpModelCase{"handdetect", 1e-2}, AmpModelCase{"selfie", 1e-2},
                      AmpModelCase{"efficientpose", 1e-2}, AmpModelCase{"gear", 1e-2},
                      AmpModelCase{"liveness", 1e-2}, AmpModelCase{"antispoof", 1e-2},
                      AmpModelCase{"posenet", 0.25}, AmpModelCase{"meet", 1e-2}),
    [](const ::testing::TestParamInfo<AmpModelCase>& i) {
      std::string n = i.param.name;
      std::replace(n.begin(), n.end(), '-', '_');
      return n;
    });

}  // namespace
}  // namespace aamp
