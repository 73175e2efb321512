// A 2-layer BERT (the modelgen graph, shrunk: seq 16, hidden 64, 4 heads) in Sessions on device
// gpu against the CPU in float32: the graph as Keras emits it (Mean / SquaredDifference / Rsqrt
// layer norms, Erf GELUs, BatchMatMulV2, Softmax) in float32, and after `convert --device gpu`'s
// pipeline (LayerNorm, _AampFusedAttention, _FusedMatMul) in float16;
// every step runs on a GPU kernel, also when the second run replays a CUDA Graph. Skipped
// without a device.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aamp/api/optimize.h"
#include "aamp/runtime/session.h"
#include "backends/cuda/cuda_test_util.h"
#include "modelgen/modelgen.h"

namespace aamp::testing {
namespace {

constexpr int64_t kSeq = 16;

Graph small_bert() {
  modelgen::BertOptions o;
  o.layers = 2;
  o.seq = kSeq;
  o.hidden = 64;
  o.heads = 4;
  o.intermediate = 128;
  o.vocab = 100;
  o.max_position = 32;
  return modelgen::make_bert(o);
}

// Token ids, a mask with padding at the end of every other row, and two segments.
std::vector<std::pair<std::string, Tensor>> feeds(int64_t batch) {
  std::vector<int32_t> ids, mask, types;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t s = 0; s < kSeq; ++s) {
      ids.push_back(static_cast<int32_t>((b * 31 + s * 7 + 1) % 100));
      mask.push_back(b % 2 == 1 && s >= kSeq - 5 ? 0 : 1);
      types.push_back(s >= kSeq / 2 ? 1 : 0);
    }
  const Shape shape{batch, kSeq};
  return {{"input_ids", Tensor::from_vector<int32_t>(shape, ids)},
          {"attention_mask", Tensor::from_vector<int32_t>(shape, mask)},
          {"token_type_ids", Tensor::from_vector<int32_t>(shape, types)}};
}

Tensor as_float(const Tensor& t) {
  return t.dtype() == DType::kFloat ? t : t.cast_float(DType::kFloat);
}

// Runs the graph `runs` times on one Session; returns the last output and stats.
Tensor run_bert(const Graph& g, DeviceKind d, int64_t batch, int runs = 1,
                PlanStats* stats = nullptr) {
  SessionOptions o;
  o.device = d;
  Session s(g, o);
  Tensor first;
  Tensor y;
  for (int i = 0; i < runs; ++i) {
    y = as_float(s.run(feeds(batch), {"Identity"}).at(0));
    if (i == 0) {
      first = y;
    } else {
      EXPECT_EQ(scaled_max_err(y, first), 0.0) << "run " << i << " differs from run 0";
    }
  }
  if (stats) *stats = s.last_stats();
  return y;
}

int gpu_steps(const PlanStats& st) {
  int n = 0;
  for (const auto& [name, count] : st.kernels)
    if (name == "cuda" || name == "cublaslt" || name == "cudnn") n += count;
  return n;
}

class CudaBertSession : public ::testing::Test {
 protected:
  void SetUp() override { AAMP_SKIP_WITHOUT_GPU(); }
};

TEST_F(CudaBertSession, Float32GraphMatchesCpu) {
  const Graph g = small_bert();
  PlanStats st;
  const Tensor want = run_bert(g, DeviceKind::kCPU, 2);
  const Tensor got = run_bert(g, DeviceKind::kGPU, 2, 2, &st);
  EXPECT_EQ(got.shape().dims, (std::vector<int64_t>{2, kSeq, 64}));
  EXPECT_LE(scaled_max_err(got, want), 1e-3);
  EXPECT_EQ(gpu_steps(st), st.steps) << "every step on the GPU";
}

TEST_F(CudaBertSession, Float16AfterConvertMatchesCpuFloat32) {
  const Graph ref = small_bert();
  Graph g = small_bert();
  AmpConfig c;
  c.data_type = "FLOAT16";
  const OptimizeResult r = optimize(g, c, DeviceKind::kGPU, {"Identity"});
  ASSERT_TRUE(r.amp_ran);
  int layer_norms = 0, attention = 0, unfused = 0;
  for (const auto& n : g.nodes()) {
    layer_norms += n->op == "LayerNorm";
    unfused += n->op == "_AampFusedAddSoftmax" || n->op == "_AampFusedBatchMatMulV2" ||
               n->op == "BatchMatMulV2" || n->op == "Transpose";
    if (n->op == "_AampFusedAttention") {
      ++attention;
      EXPECT_EQ(n->attr_string("layout"), "BS3HD") << n->name;
    }
  }
  EXPECT_EQ(layer_norms, 5);  // embeddings + 2 per layer
  EXPECT_EQ(attention, 2);    // one per layer: head transposes absorbed, q/k/v one GEMM
  EXPECT_EQ(unfused, 0);
  for (int64_t batch : {1, 3}) {
    PlanStats st;
    const Tensor want = run_bert(ref, DeviceKind::kCPU, batch);
    const Tensor got = run_bert(g, DeviceKind::kGPU, batch, 2, &st);
    const double err = scaled_max_err(got, want);
    EXPECT_LE(err, 2e-2) << "batch " << batch;
    EXPECT_GT(err, 0.0) << "float16 should not be bit-identical to float32";
    EXPECT_EQ(gpu_steps(st), st.steps) << "every step on the GPU, batch " << batch;
    EXPECT_TRUE(st.graph_replay) << st.graph_note;
  }
}

}  // namespace
}  // namespace aamp::testing
