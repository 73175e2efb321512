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
#include "aamp/runtime/device.h"
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

Tensor run_model(const Graph& g, DeviceKind d, int64_t batch, PlanStats* stats = nullptr) {
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
    const Tensor want = run_model(g, DeviceKind::kCPU, batch);
    const Tensor got = run_model(g, DeviceKind::kGPU, batch, &st);
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
    const Tensor want = run_model(ref, DeviceKind::kCPU, batch);
    const Tensor got = run_model(g, DeviceKind::kGPU, batch, &st);
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

// An op with no kernel on the GPU nor on the host is named in the unsupported-op message for gpu.
TEST(CudaSession, UnsupportedOpsAreListedForGpu) {
  AAMP_SKIP_WITHOUT_GPU();
  std::string t =
      "node { name: \"x\" op: \"Placeholder\" attr { key: \"dtype\" value { type: DT_FLOAT } } "
      "attr { key: \"shape\" value { shape { dim { size: 2 } dim { size: 3 } } } } }\n";
  t += op("e", "Digamma", "x") + op("r", "Relu", "e");
  SessionOptions o;
  o.device = DeviceKind::kGPU;
  expect_error([&] { Session s(parse_graphdef_text(t, "<digamma>"), o); },
               ErrorCode::kUnimplemented,
               {"unsupported op type", "on gpu", "Digamma (1 node, first 'e')"});
}

// An op the GPU has no kernel for but the host has (Atan2) runs on the host, and so does what
// reads it: the results are the CPU session's.
TEST(CudaSession, OpsWithoutGpuKernelRunOnTheHost) {
  AAMP_SKIP_WITHOUT_GPU();
  std::string t =
      "node { name: \"x\" op: \"Placeholder\" attr { key: \"dtype\" value { type: DT_FLOAT } } "
      "attr { key: \"shape\" value { shape { dim { size: 2 } dim { size: 3 } } } } }\n";
  t += op("s", "Sigmoid", "x") + op("e", "Atan2", "s", "x") + op("r", "Relu", "e");
  SessionOptions o;
  o.device = DeviceKind::kGPU;
  Session gpu(parse_graphdef_text(t, "<atan2>"), o);
  Session cpu(parse_graphdef_text(t, "<atan2>"));
  Tensor x(DType::kFloat, Shape({2, 3}));
  float* p = x.mutable_data<float>();
  for (int i = 0; i < 6; ++i) p[i] = static_cast<float>(i) - 2.5f;
  const Tensor a = gpu.run({{"x", x}}, {"r"}).at(0);
  const Tensor b = cpu.run({{"x", x}}, {"r"}).at(0);
  EXPECT_LE(scaled_max_err(a, b), 1e-6);
  EXPECT_EQ(gpu.last_stats().dynamic_nodes, 2);  // Atan2 and the Relu after it
}

// From the second run on, a plan replays its steps as one captured graph; the results are the
// step-by-step ones, and turning graphs off gives the same bits.
TEST(CudaSession, CapturedGraphReplaysTheSteps) {
  AAMP_SKIP_WITHOUT_GPU();
  SessionOptions o;
  o.device = DeviceKind::kGPU;
  Session s(mlp(), o);
  const Tensor first = s.run({{"x", input(64)}}, {"probs"}).at(0);
  EXPECT_FALSE(s.last_stats().graph_replay) << "the first run goes step by step";
  for (int i = 0; i < 3; ++i) {
    const Tensor again = s.run({{"x", input(64)}}, {"probs"}).at(0);
    EXPECT_EQ(scaled_max_err(again, first), 0.0) << "run " << i + 2;
  }
  EXPECT_TRUE(s.last_stats().graph_replay) << s.last_stats().graph_note;
  EXPECT_EQ(s.last_stats().graph_note, "");
  o.device_graphs = false;
  Session plain(mlp(), o);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(scaled_max_err(plain.run({{"x", input(64)}}, {"probs"}).at(0), first), 0.0);
  }
  EXPECT_FALSE(plain.last_stats().graph_replay);
  o.device_graphs = true;
  o.profile = true;  // profiling times each step: no graph
  Session prof(mlp(), o);
  for (int i = 0; i < 3; ++i) prof.run({{"x", input(64)}}, {"probs"});
  EXPECT_FALSE(prof.last_stats().graph_replay);
}

// feeds_resident: the device copy of the previous run's feeds is reused, so a run given other
// values (a misuse, on purpose here) still computes on the old ones; without it they are copied.
TEST(CudaSession, ResidentFeedsAreNotCopiedAgain) {
  AAMP_SKIP_WITHOUT_GPU();
  SessionOptions o;
  o.device = DeviceKind::kGPU;
  Session s(mlp(), o);
  Tensor other = input(16);
  for (int64_t i = 0; i < other.num_elements(); ++i) other.mutable_data<float>()[i] *= -1.5f;
  RunOptions resident;
  resident.feeds_resident = true;
  // The first run of a plan always copies, resident or not.
  const Tensor a = s.run({{"x", input(16)}}, {"probs"}, resident).at(0);
  EXPECT_LE(scaled_max_err(a, run_model(mlp(), DeviceKind::kCPU, 16)), 1e-5);
  const Tensor stale = s.run({{"x", other}}, {"probs"}, resident).at(0);
  EXPECT_EQ(scaled_max_err(stale, a), 0.0) << "resident: the old device copy is used";
  const Tensor fresh = s.run({{"x", other}}, {"probs"}).at(0);
  EXPECT_GT(scaled_max_err(fresh, a), 1e-3) << "not resident: the new values are copied";
}

// run_resident leaves what the device computed in device memory: the same values as run()'s
// host copies once downloaded; a constant fetch stays a host view.
TEST(CudaSession, ResidentFetchesStayOnTheDevice) {
  AAMP_SKIP_WITHOUT_GPU();
  SessionOptions o;
  o.device = DeviceKind::kGPU;
  Session s(mlp(), o);
  const Tensor want = s.run({{"x", input(16)}}, {"probs"}).at(0);
  for (int run = 0; run < 3; ++run) {  // replayed as a captured graph from the second run
    const std::vector<ResidentTensor> r = s.run_resident({{"x", input(16)}}, {"probs", "b2"});
    ASSERT_EQ(r.size(), 2u);
    ASSERT_TRUE(r[0].on_device);
    EXPECT_EQ(r[0].shape, want.shape());
    Tensor got(DType::kFloat, r[0].shape);
    DeviceRuntime* dev = find_device_runtime(DeviceKind::kGPU);
    dev->copy_to_host(got.mutable_raw(), r[0].data, got.byte_size(), nullptr);
    dev->synchronize(nullptr);
    EXPECT_EQ(scaled_max_err(got, want), 0.0) << "run " << run;
    EXPECT_FALSE(r[1].on_device);
    EXPECT_EQ(r[1].shape, Shape({10}));
  }
}

// A fetched float32 Cast of a float16 value computed on the device (or an Identity of it): the
// plan downloads the float16 values and widens them on the host. The result equals the CPU's
// (exact: Relu and both Casts are exact) and the Cast's float32 output, which stays on the
// device for run_resident.
TEST(CudaSession, Float32CastFetchesDownloadAsFloat16) {
  AAMP_SKIP_WITHOUT_GPU();
  auto cast = [](const std::string& name, const std::string& in, const std::string& from,
                 const std::string& to) {
    return "node { name: \"" + name + "\" op: \"Cast\" input: \"" + in +
           "\" attr { key: \"SrcT\" value { type: " + from +
           " } } attr { key: \"DstT\" value { type: " + to + " } } }\n";
  };
  const Graph g = parse_graphdef_text(
      "node { name: \"x\" op: \"Placeholder\" attr { key: \"dtype\" value { type: DT_FLOAT } "
      "} }\n" +
          cast("xh", "x", "DT_FLOAT", "DT_HALF") +
          "node { name: \"r\" op: \"Relu\" input: \"xh\" attr { key: \"T\" value { type: "
          "DT_HALF } } }\n" +
          cast("out", "r", "DT_HALF", "DT_FLOAT") +
          "node { name: \"y\" op: \"Identity\" input: \"out\" attr { key: \"T\" value { "
          "type: DT_FLOAT } } }\n",
      "<narrow>");
  SessionOptions o;
  Session cpu(g, o);
  o.device = DeviceKind::kGPU;
  Session s(g, o);
  const Tensor x = input(301);
  const Tensor want = cpu.run({{"x", x}}, {"out"}).at(0);
  for (int run = 0; run < 3; ++run) {  // the first run, then the captured graph
    const Tensor got = s.run({{"x", x}}, {"out"}).at(0);
    EXPECT_EQ(s.last_stats().narrow_downloads, 1) << "run " << run;
    ASSERT_EQ(got.dtype(), DType::kFloat);
    EXPECT_EQ(scaled_max_err(got, want), 0.0) << "run " << run;
    const std::vector<ResidentTensor> r = s.run_resident({{"x", x}}, {"out"});
    ASSERT_TRUE(r.at(0).on_device);
    ASSERT_EQ(r[0].dtype, DType::kFloat) << "the device still holds the Cast's float32 output";
    Tensor dev32(DType::kFloat, r[0].shape);
    DeviceRuntime* dev = find_device_runtime(DeviceKind::kGPU);
    dev->copy_to_host(dev32.mutable_raw(), r[0].data, dev32.byte_size(), nullptr);
    dev->synchronize(nullptr);
    EXPECT_EQ(scaled_max_err(dev32, want), 0.0) << "run " << run;
  }
  // A graph output is often an Identity of AMP's Cast: the same download.
  const Tensor via_identity = s.run({{"x", x}}, {"y"}).at(0);
  EXPECT_EQ(s.last_stats().narrow_downloads, 1);
  EXPECT_EQ(scaled_max_err(via_identity, want), 0.0);
  // Fetching the float16 value beside it: that fetch is downloaded as it is.
  const std::vector<Tensor> both = s.run({{"x", x}}, {"out", "r"});
  EXPECT_EQ(both.at(1).dtype(), DType::kHalf);
  EXPECT_EQ(scaled_max_err(both[1].cast_float(DType::kFloat), want), 0.0);
}

// The device runtime counts what plans and kernels allocate, and frees all of it with the
// Session.
TEST(CudaSession, DeviceMemoryIsCountedAndReturned) {
  AAMP_SKIP_WITHOUT_GPU();
  DeviceRuntime* dev = find_device_runtime(DeviceKind::kGPU);
  ASSERT_NE(dev, nullptr);
  const size_t base = dev->bytes_in_use();
  dev->reset_peak();
  {
    SessionOptions o;
    o.device = DeviceKind::kGPU;
    Session s(mlp(), o);
    s.run({{"x", input(256)}}, {"probs"});
    const PlanStats st = s.last_stats();
    // At least the arena (256x64 + 256x10 floats at most, reused) and the weights.
    EXPECT_GE(dev->bytes_in_use() - base, st.arena_bytes + st.weight_bytes);
  }
  EXPECT_EQ(dev->bytes_in_use(), base);
  EXPECT_GT(dev->peak_bytes(), base);
}

}  // namespace
}  // namespace aamp::testing
