// Dynamic execution in a GPU session: the static part of the plan runs on the device, control
// flow and data-dependent ops on the host with the CPU kernels (runtime/executor.h), and the
// results match a CPU session. Skipped without a device.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "aamp/io/graph_io.h"
#include "aamp/runtime/session.h"
#include "backends/cuda/cuda_test_util.h"
#include "session_test_util.h"
#include "test_util.h"

namespace aamp::testing {
namespace {

double max_rel_diff(const Tensor& a, const Tensor& b) {
  double d = 0, m = 1;
  for (int64_t i = 0; i < b.num_elements(); ++i) {
    d = std::max(d, std::abs(a.element_as_double(i) - b.element_as_double(i)));
    m = std::max(m, std::abs(b.element_as_double(i)));
  }
  return d / m;
}

void expect_gpu_matches_cpu(const Graph& g,
                            const std::vector<std::pair<std::string, Tensor>>& feeds,
                            const std::vector<std::string>& fetches, double tol) {
  Session cpu(g);
  SessionOptions o;
  o.device = DeviceKind::kGPU;
  Session gpu(g, o);
  const std::vector<Tensor> want = cpu.run(feeds, fetches);
  for (int run = 0; run < 3; ++run) {  // the device plan replays a captured graph from run 2
    const std::vector<Tensor> got = gpu.run(feeds, fetches);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].shape(), want[i].shape()) << fetches[i];
      EXPECT_LE(max_rel_diff(got[i], want[i]), tol) << fetches[i] << " run " << run;
    }
  }
  EXPECT_GT(gpu.last_stats().dynamic_nodes, 0);
}

TEST(CudaControlFlow, WhileLoopRunsOnTheHost) {
  AAMP_SKIP_WITHOUT_GPU();
  const Graph g =
      load_graph(std::string(AAMP_SOURCE_DIR) + "/tests/testdata/control_flow/rnn_loop.pbtxt");
  for (int steps : {0, 3}) {
    expect_gpu_matches_cpu(
        g,
        {{"x", Tensor::from_vector<float>({2, 4}, {1, -1, 2, 0, 0.5f, 3, -2, 1})},
         {"n", Tensor::scalar<int32_t>(steps)}},
        {"h"}, 1e-5);
  }
}

// After a loop, the continuation plan (runtime/plan.h) runs on the device again: the MatMul
// that reads the loop's results is a GPU step, not a host one.
TEST(CudaControlFlow, ContinuationAfterALoopRunsOnTheDevice) {
  AAMP_SKIP_WITHOUT_GPU();
  const Graph g = loop_then_matmul();
  const Feeds feeds = {{"x", Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6})}};
  expect_gpu_matches_cpu(g, feeds, {"mm"}, 1e-6);
  SessionOptions o;
  o.device = DeviceKind::kGPU;
  o.profile = true;
  Session gpu(g, o);
  for (int run = 0; run < 2; ++run) gpu.run(feeds, {"mm"});
  const std::string mm_kernel = profiled_kernel(gpu.last_stats(), "mm");
  EXPECT_FALSE(mm_kernel.empty());
  EXPECT_EQ(mm_kernel.find("dynamic"), std::string::npos) << mm_kernel;
}

TEST(CudaControlFlow, DetectionPostProcessingRunsOnTheHost) {
  AAMP_SKIP_WITHOUT_GPU();
  const std::string path = std::string(AAMP_MODELS_DIR) + "/faceboxes.json";
  AAMP_REQUIRE_MODELS(std::filesystem::exists(path), path);
  const Graph g = load_tfjs(path);
  Session probe(g);
  Feeds feeds;
  ASSERT_EQ(zero_feeds(probe, feeds), "");
  for (auto& [name, t] : feeds) {
    float* p = t.mutable_data<float>();
    for (int64_t i = 0; i < t.num_elements(); ++i) p[i] = static_cast<float>(i % 251) / 251.0f;
  }
  // The backbone's float32 convolutions differ from oneDNN's by rounding only (aamp's cuDNN
  // float32 does not use TF32), far from flipping NMS's choices on this input.
  expect_gpu_matches_cpu(g, feeds, probe.output_names(), 1e-3);
}

}  // namespace
}  // namespace aamp::testing
