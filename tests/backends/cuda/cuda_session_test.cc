// Sessions on device gpu: a small MLP (MatMul+BiasAdd+Relu, MatMul+BiasAdd, Softmax) against the
// same graph on the CPU, in float32 and after AMP to float16 for the GPU; the plan's kernels run
// on the GPU ("cuda") and the session caches plans per input shape. Skipped without a device.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "aamp/api/optimize.h"
#include "aamp/io/graph_io.h"
#include "aamp/runtime/session.h"
#include "backends/cuda/cuda_test_util.h"
#include "test_util.h"

namespace aamp::testing {
namespace {

std::string dims(const std::vector<int64_t>& d) {
  std::string s;
  for (int64_t x : d) s += " dim { size: " + std::to_string(x) + " }";
  return s;
}

std::string weight(const std::string& name, const std::vector<int64_t>& shape, uint32_t seed,
                   float scale) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-scale, scale);
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::string vals;
  for (int64_t i = 0; i < n; ++i) vals += " float_val: " + std::to_string(u(rng));
  return "node { name: \"" + name +
         "\" op: \"Const\" attr { key: \"dtype\" value { type: DT_FLOAT } } attr { key: \"value\" "
         "value { tensor { dtype: DT_FLOAT tensor_shape {" +
         dims(shape) + " }" + vals + " } } } }\n";
}

std::string op(const std::string& name, const std::string& type, const std::string& a,
               const std::string& b = "") {
  std::string s = "node { name: \"" + name + "\" op: \"" + type + "\" input: \"" + a + "\"";
  if (!b.empty()) s += " input: \"" + b + "\"";
  return s + " attr { key: \"T\" value { type: DT_FLOAT } } }\n";
}

// x[-1, 32] -> 64 (Relu) -> 10 -> Softmax "probs".
Graph mlp() {
  std::string t =
      "node { name: \"x\" op: \"Placeholder\" attr { key: \"dtype\" value { type: DT_FLOAT } } "
      "attr { key: \"shape\" value { shape { dim { size: -1 } dim { size: 32 } } } } }\n";
  t += weight("w1", {32, 64}, 1, 0.3f) + weight("b1", {64}, 2, 0.1f);
  t += weight("w2", {64, 10}, 3, 0.3f) + weight("b2", {10}, 4, 0.1f);
  t += op("mm1", "MatMul", "x", "w1") + op("bias1", "BiasAdd", "mm1", "b1") +
       op("relu1", "Relu", "bias1");
  t += op("mm2", "MatMul", "relu1", "w2") + op("logits", "BiasAdd", "mm2", "b2") +
       op("probs", "Softmax", "logits");
  return parse_graphdef_text(t, "<mlp>");
}

Tensor input(int64_t batch) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> u(-2.0f, 2.0f);
  std::vector<float> v(static_cast<size_t>(batch * 32));
  for (auto& x : v) x = u(rng);
  return Tensor::from_vector<float>(Shape{batch, 32}, v);
}

Tensor run(const Graph& g, DeviceKind d, int64_t batch, PlanStats* stats = nullptr) {
  SessionOptions o;
  o.device = d;
  Session s(g, o);
  std::vector<Tensor> out = s.run({{"x", input(batch)}}, {"probs"});
  if (stats) *stats = s.last_stats();
  return out.at(0);
}

TEST(CudaSession, MlpFloat32MatchesCpu) {
  AAMP_SKIP_WITHOUT_GPU();
  const Graph g = mlp();
  for (int64_t batch : {1, 33, 256}) {
    PlanStats st;
    const Tensor want = run(g, DeviceKind::kCPU, batch);
    const Tensor got = run(g, DeviceKind::kGPU, batch, &st);
    EXPECT_EQ(got.dtype(), DType::kFloat);
    EXPECT_LE(scaled_max_err(got, want), 1e-5) << "batch " << batch;
    EXPECT_EQ(st.kernels["cuda"], st.steps) << "every step runs a CUDA kernel";
    EXPECT_GT(st.arena_bytes, 0u);
  }
}

TEST(CudaSession, MlpAfterAmpFloat16MatchesCpuFloat32) {
  AAMP_SKIP_WITHOUT_GPU();
  const Graph ref = mlp();
  Graph g = mlp();
  AmpConfig c;
  c.data_type = "FLOAT16";
  const OptimizeResult r = optimize(g, c, DeviceKind::kGPU, {"probs"});
  ASSERT_TRUE(r.amp_ran);
  EXPECT_GE(r.amp.converted_nodes, 2);
  bool fused = false;
  for (const auto& n : g.nodes()) fused |= n->op == "_FusedMatMul";
  EXPECT_TRUE(fused) << "the remapper fuses MatMul+BiasAdd(+Relu)";
  for (int64_t batch : {4, 300}) {
    PlanStats st;
    const Tensor want = run(ref, DeviceKind::kCPU, batch);
    const Tensor got = run(g, DeviceKind::kGPU, batch, &st);
    const Tensor got32 = got.dtype() == DType::kFloat ? got : got.cast_float(DType::kFloat);
    const double err = scaled_max_err(got32, want);
    EXPECT_LE(err, 1e-2) << "batch " << batch;
    EXPECT_GT(err, 0.0) << "float16 should not be bit-identical to float32";
    EXPECT_EQ(st.kernels["cuda"], st.steps);
  }
}

TEST(CudaSession, PlansPerShapeAndRepeatedRunsAgree) {
  AAMP_SKIP_WITHOUT_GPU();
  SessionOptions o;
  o.device = DeviceKind::kGPU;
  Session s(mlp(), o);
  const Tensor a = s.run({{"x", input(8)}}, {"probs"}).at(0);
  const Tensor b = s.run({{"x", input(16)}}, {"probs"}).at(0);
  const Tensor a2 = s.run({{"x", input(8)}}, {"probs"}).at(0);
  EXPECT_EQ(s.cached_plans(), 2u);
  EXPECT_EQ(scaled_max_err(a2, a), 0.0);
  EXPECT_EQ(b.shape().dims, (std::vector<int64_t>{16, 10}));
}

// An op without a GPU kernel is named in the unsupported-op message for gpu.
TEST(CudaSession, UnsupportedOpsAreListedForGpu) {
  AAMP_SKIP_WITHOUT_GPU();
  std::string t =
      "node { name: \"x\" op: \"Placeholder\" attr { key: \"dtype\" value { type: DT_FLOAT } } "
      "attr { key: \"shape\" value { shape { dim { size: 2 } dim { size: 3 } } } } }\n";
  t += op("e", "Elu", "x") + op("r", "Relu", "e");
  SessionOptions o;
  o.device = DeviceKind::kGPU;
  expect_error([&] { Session s(parse_graphdef_text(t, "<elu>"), o); }, ErrorCode::kUnimplemented,
               {"unsupported op type", "on gpu", "Elu (1 node, first 'e')"});
}

}  // namespace
}  // namespace aamp::testing
