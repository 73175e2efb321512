// ResNet-50 (the modelgen graph, shrunk: 32x32 images, base width 8, 10 classes) in Sessions on
// device gpu against the CPU in float32: the graph as Keras emits it (Conv2D + BiasAdd +
// FusedBatchNormV3 + Relu + AddV2) in float32, and after `convert --device gpu`'s pipeline
// (53 _FusedConv2D, residual Adds fused) in float16; every convolution step runs on cuDNN.
// Repeated runs replay one CUDA Graph. Skipped without a device; that the GPU has a kernel for
// every op the graph needs beyond the convolutions (Pad, Mean) is checked without one.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "aamp/api/optimize.h"
#include "aamp/runtime/session.h"
#include "backends/cuda/cuda_test_util.h"
#include "modelgen/modelgen.h"

namespace aamp::testing {
namespace {

Graph small_resnet() {
  modelgen::ResNetOptions o;
  o.image_size = 32;
  o.base_width = 8;
  o.classes = 10;
  return modelgen::make_resnet50(o);
}

Tensor images(int64_t batch) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(batch * 32 * 32 * 3));
  for (auto& x : v) x = u(rng);
  return Tensor::from_vector<float>(Shape{batch, 32, 32, 3}, v);
}

Tensor run_conv(const Graph& g, DeviceKind d, int64_t batch, PlanStats* stats = nullptr) {
  SessionOptions o;
  o.device = d;
  Session s(g, o);
  std::vector<Tensor> out = s.run({{"input_1", images(batch)}}, {"Identity"});
  if (stats) *stats = s.last_stats();
  const Tensor& y = out.at(0);
  return y.dtype() == DType::kFloat ? y : y.cast_float(DType::kFloat);
}

int count_ops(const Graph& g, const std::vector<std::string>& ops) {
  int n = 0;
  for (const auto& node : g.nodes())
    for (const auto& op : ops) n += node->op == op;
  return n;
}

class CudaResNet : public ::testing::Test {
 protected:
  void SetUp() override {
    AAMP_SKIP_WITHOUT_GPU();
#ifndef AAMP_HAVE_CUDNN
    GTEST_SKIP() << "built without cuDNN: no GPU convolution kernels";
#endif
  }
};

// The graph's ops other than the convolutions have GPU kernels (no device needed): a missing one
// fails here instead of the Session tests placing it on the CPU.
TEST(CudaResNetKernels, PadAndMeanHaveGpuKernels) {
  for (const char* op : {"Pad", "Mean"})
    EXPECT_FALSE(KernelRegistry::global().all(op, DeviceKind::kGPU).empty())
        << "no GPU kernel for " << op;
}

TEST_F(CudaResNet, Float32GraphMatchesCpu) {
  const Graph g = small_resnet();
  PlanStats st;
  const Tensor want = run_conv(g, DeviceKind::kCPU, 3);
  const Tensor got = run_conv(g, DeviceKind::kGPU, 3, &st);
  EXPECT_LE(scaled_max_err(got, want), 1e-4);
  EXPECT_EQ(st.kernels["cudnn"], count_ops(g, {"Conv2D"}));
  EXPECT_EQ(st.kernels["cudnn"], 53);
}

TEST_F(CudaResNet, Float16AfterConvertMatchesCpuFloat32) {
  const Graph ref = small_resnet();
  Graph g = small_resnet();
  AmpConfig c;
  c.data_type = "FLOAT16";
  const OptimizeResult r = optimize(g, c, DeviceKind::kGPU, {"Identity"});
  ASSERT_TRUE(r.amp_ran);
  const int convs = count_ops(g, {"Conv2D", "_FusedConv2D"});
  EXPECT_EQ(count_ops(g, {"_FusedConv2D"}), 53);
  for (int64_t batch : {1, 4}) {
    PlanStats st;
    const Tensor want = run_conv(ref, DeviceKind::kCPU, batch);
    const Tensor got = run_conv(g, DeviceKind::kGPU, batch, &st);
    const double err = scaled_max_err(got, want);
    EXPECT_LE(err, 1e-2) << "batch " << batch;
    EXPECT_GT(err, 0.0) << "float16 should not be bit-identical to float32";
    EXPECT_EQ(st.kernels["cudnn"], convs) << "every convolution on cuDNN";
    EXPECT_EQ(st.kernels["cudnn"] + st.kernels["cuda"], st.steps) << "every step on the GPU";
  }
}

// cuDNN's calls and the own kernels capture into the plan's CUDA Graph: the replays give the
// step-by-step bits.
TEST_F(CudaResNet, RepeatedRunsReplayOneCapturedGraph) {
  Graph g = small_resnet();
  AmpConfig c;
  c.data_type = "FLOAT16";
  optimize(g, c, DeviceKind::kGPU, {"Identity"});
  SessionOptions o;
  o.device = DeviceKind::kGPU;
  Session s(g, o);
  const Tensor first = s.run({{"input_1", images(2)}}, {"Identity"}).at(0);
  for (int i = 0; i < 3; ++i) {
    const Tensor again = s.run({{"input_1", images(2)}}, {"Identity"}).at(0);
    EXPECT_EQ(scaled_max_err(again, first), 0.0) << "run " << i + 2;
  }
  EXPECT_TRUE(s.last_stats().graph_replay) << s.last_stats().graph_note;
}

}  // namespace
}  // namespace aamp::testing
