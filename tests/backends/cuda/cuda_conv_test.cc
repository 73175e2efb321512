// The GPU's convolution-shaped kernels against the CPU reference kernels on random inputs, in
// float32, float16 and bfloat16: Conv2D / _FusedConv2D (cuDNN; odd shapes, strides 1 and 2, SAME
// with asymmetric padding, VALID, EXPLICIT, dilation, every fused_ops form incl. the residual
// Add), Conv2DBackpropInput, DepthwiseConv2dNative / FusedDepthwiseConv2dNative, MaxPool / AvgPool,
// FusedBatchNormV3 inference and ResizeBilinear. Skipped without a CUDA device; the fused_ops check
// needs none.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "backends/cuda/cuda_test_util.h"
#include "test_util.h"

namespace aamp::testing {
namespace {

const DType kTypes[] = {DType::kFloat, DType::kHalf, DType::kBFloat16};

struct Window {
  std::vector<int64_t> x, filter;  // NHWC input; HWIO (HWCM for depthwise) filter or pool ksize
  int64_t stride = 1, dilation = 1;
  std::string padding = "SAME";
  std::vector<int64_t> explicit_pads = {};  // 8 entries with EXPLICIT

  std::string name() const {
    std::string s = Shape(x).to_string() + " filter " + Shape(filter).to_string() + " stride " +
                    std::to_string(stride) + " dilation " + std::to_string(dilation) + " " +
                    padding;
    for (int64_t p : explicit_pads) s += " " + std::to_string(p);
    return s;
  }
};

// The output shape by TF's rules (the reference checks them too).
int64_t out_dim(const Window& w, int64_t in, int64_t k, int axis) {
  const int64_t eff = (k - 1) * w.dilation + 1;
  if (w.padding == "SAME") return (in + w.stride - 1) / w.stride;
  const int64_t pads =
      w.padding == "EXPLICIT" ? w.explicit_pads[2 * axis] + w.explicit_pads[2 * axis + 1] : 0;
  return (in + pads - eff) / w.stride + 1;
}

Node window_node(const std::string& op, DType t, const Window& w) {
  AttrMap a = {{"strides", int_list({1, w.stride, w.stride, 1})},
               {"padding", w.padding},
               {"data_format", std::string("NHWC")}};
  if (op != "MaxPool" && op != "AvgPool") a["dilations"] = int_list({1, w.dilation, w.dilation, 1});
  if (w.padding == "EXPLICIT") a["explicit_paddings"] = int_list(w.explicit_pads);
  return make_node(op, t, a);
}

KernelCase conv_case(const std::string& op, DType t, const Window& w, bool depthwise) {
  const int64_t oc = depthwise ? w.filter[2] * w.filter[3] : w.filter[3];
  const std::vector<int64_t> out = {w.x[0], out_dim(w, w.x[1], w.filter[0], 1),
                                    out_dim(w, w.x[2], w.filter[1], 2), oc};
  return KernelCase{window_node(op, t, w),
                    {random_tensor(t, w.x, 1), random_tensor(t, w.filter, 2, -0.5f, 0.5f)},
                    {false, true},
                    {{t, out}}};
}

const std::vector<Window>& conv_windows() {
  static const std::vector<Window> v = {
      {{2, 9, 11, 5}, {3, 3, 5, 7}, 1, 1, "SAME"},
      {{2, 10, 12, 5}, {3, 3, 5, 7}, 2, 1, "SAME"},  // asymmetric padding (0 before, 1 after)
      {{1, 9, 11, 3}, {3, 3, 3, 6}, 2, 1, "SAME"},
      {{2, 9, 11, 5}, {3, 3, 5, 7}, 2, 1, "VALID"},
      {{1, 12, 13, 4}, {3, 3, 4, 5}, 1, 2, "SAME"},  // dilation
      {{1, 8, 9, 3}, {3, 2, 3, 4}, 1, 1, "EXPLICIT", {0, 0, 1, 2, 0, 3, 0, 0}},
      {{2, 17, 17, 3}, {7, 7, 3, 16}, 2, 1, "VALID"},   // a ResNet stem
      {{2, 8, 8, 32}, {1, 1, 32, 64}, 1, 1, "SAME"},    // tensor-core friendly 1x1
      {{2, 8, 8, 32}, {3, 3, 32, 32}, 2, 1, "SAME"},    // tensor-core friendly 3x3/2
      {{3, 7, 7, 16}, {1, 1, 16, 24}, 2, 1, "VALID"}};  // 1x1 projection stride 2
  return v;
}

class CudaConv : public ::testing::TestWithParam<DType> {
 protected:
  void SetUp() override {
    AAMP_SKIP_WITHOUT_GPU();
#ifndef AAMP_HAVE_CUDNN
    GTEST_SKIP() << "built without cuDNN: no GPU convolution kernels";
#endif
  }
};

TEST_P(CudaConv, Conv2DMatchesReference) {
  const DType t = GetParam();
  for (const Window& w : conv_windows())
    expect_gpu_matches_reference(conv_case("Conv2D", t, w, false), "Conv2D " + w.name());
}

const std::vector<std::vector<std::string>>& conv_fusions() {
  static const std::vector<std::vector<std::string>> v = {
      {},
      {"BiasAdd"},
      {"BiasAdd", "Relu"},
      {"BiasAdd", "Relu6"},
      {"BiasAdd", "Elu"},
      {"BiasAdd", "LeakyRelu"},
      {"BiasAdd", "Sigmoid"},
      {"BiasAdd", "Tanh"},
      {"BiasAdd", "Add", "Relu"},  // the ResNet residual (cuDNN's fused form)
      {"Add", "BiasAdd", "Relu"},
      {"BiasAdd", "Add"},
      {"BiasAdd", "Relu", "Add"},  // activation before the Add: own epilogue
      {"FusedBatchNorm", "Relu"},
      {"BiasAdd", "Prelu"},
      {"BiasAdd", "Mul"},
      {"BiasAdd", "GeluApproximate"}};
  return v;
}

// AAMP_CUDNN_FUSED set for the scope (the cuDNN kernels read it at creation).
class FusedModeScope {
 public:
  explicit FusedModeScope(const char* v) { setenv("AAMP_CUDNN_FUSED", v, 1); }
  ~FusedModeScope() { unsetenv("AAMP_CUDNN_FUSED"); }
};

// In both forms: cuDNN's fused call wherever it runs (1) and convolution + epilogue kernel (0).
TEST_P(CudaConv, FusedConv2DEpiloguesMatchReference) {
  const DType t = GetParam();
  const std::vector<Window> windows = {conv_windows()[0], conv_windows()[1], conv_windows()[8]};
  for (const char* mode : {"1", "0", "auto"}) {
    FusedModeScope scope(mode);
    for (const Window& w : windows)
      for (const auto& ops : conv_fusions())
        for (bool const_args : {true, false}) {
          KernelCase c = conv_case("_FusedConv2D", t, w, false);
          add_fused_ops(c, ops, c.outputs[0].shape, c.outputs[0].shape.back(), const_args, 5);
          std::string what = "_FusedConv2D " + w.name() + " [";
          for (const auto& o : ops) what += " " + o;
          expect_gpu_matches_reference(
              c, what + " ]" + (const_args ? " const args" : "") + " AAMP_CUDNN_FUSED=" + mode);
        }
  }
}

TEST_P(CudaConv, ConvKernelsAreCudnnAndRerunnable) {
  const DType t = GetParam();
  KernelCase c = conv_case("_FusedConv2D", t, conv_windows()[8], false);
  add_fused_ops(c, {"BiasAdd", "Add", "Relu"}, c.outputs[0].shape, 32, false, 9);
  KernelInit init = c.init();
  init.device = DeviceKind::kGPU;
  const KernelRegistration* r =
      KernelRegistry::global().lookup(c.node.op, DeviceKind::kGPU, t, init);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->name, "cudnn");
  const std::vector<Tensor> once = run_gpu(c, 1), thrice = run_gpu(c, 3);
  ASSERT_EQ(once.size(), 1u);
  EXPECT_EQ(scaled_max_err(thrice[0], once[0]), 0.0) << "re-running changes nothing";
}

TEST_P(CudaConv, Conv2DBackpropInputMatchesReference) {
  const DType t = GetParam();
  const std::vector<Window> windows = {
      {{2, 8, 8, 5}, {3, 3, 5, 7}, 2, 1, "SAME"},  // asymmetric padding
      {{1, 9, 9, 4}, {3, 3, 4, 6}, 2, 1, "SAME"},
      {{2, 7, 9, 3}, {3, 3, 3, 4}, 1, 1, "SAME"},
      {{1, 10, 10, 8}, {4, 4, 8, 16}, 2, 1, "SAME"},
      {{1, 11, 11, 3}, {3, 3, 3, 5}, 2, 1, "VALID"}};
  for (const Window& w : windows) {
    const std::vector<int64_t> dy = {w.x[0], out_dim(w, w.x[1], w.filter[0], 1),
                                     out_dim(w, w.x[2], w.filter[1], 2), w.filter[3]};
    std::vector<int32_t> sizes(w.x.begin(), w.x.end());
    KernelCase c{window_node("Conv2DBackpropInput", t, w),
                 {Tensor::from_vector<int32_t>(Shape{4}, sizes),
                  random_tensor(t, w.filter, 2, -0.5f, 0.5f), random_tensor(t, dy, 3)},
                 {true, true, false},
                 {{t, w.x}}};
    expect_gpu_matches_reference(c, "Conv2DBackpropInput " + w.name());
  }
}

INSTANTIATE_TEST_SUITE_P(Dtypes, CudaConv, ::testing::ValuesIn(kTypes),
                         [](const auto& i) { return dtype_name(i.param); });

class CudaWindowOps : public ::testing::TestWithParam<DType> {
 protected:
  void SetUp() override { AAMP_SKIP_WITHOUT_GPU(); }
};

TEST_P(CudaWindowOps, DepthwiseConvMatchesReference) {
  const DType t = GetParam();
  const std::vector<Window> windows = {
      {{2, 9, 10, 6}, {3, 3, 6, 1}, 1, 1, "SAME"},
      {{2, 9, 10, 6}, {3, 3, 6, 2}, 2, 1, "SAME"},
      {{1, 11, 9, 4}, {5, 5, 4, 1}, 2, 1, "VALID"},
      {{1, 12, 12, 3}, {3, 3, 3, 2}, 1, 2, "SAME"},
      {{1, 8, 9, 5}, {3, 3, 5, 1}, 1, 1, "EXPLICIT", {0, 0, 2, 0, 1, 1, 0, 0}}};
  for (const Window& w : windows)
    expect_gpu_matches_reference(conv_case("DepthwiseConv2dNative", t, w, true),
                                 "DepthwiseConv2dNative " + w.name());
}

TEST_P(CudaWindowOps, FusedDepthwiseConvMatchesReference) {
  const DType t = GetParam();
  const Window w{{2, 9, 10, 8}, {3, 3, 8, 1}, 2, 1, "SAME"};
  for (const std::vector<std::string>& ops :
       std::vector<std::vector<std::string>>{{"BiasAdd"},
                                             {"BiasAdd", "Relu"},
                                             {"BiasAdd", "Relu6"},
                                             {"BiasAdd", "Prelu"},
                                             {"BiasAdd", "Add", "Relu"}}) {
    KernelCase c = conv_case("FusedDepthwiseConv2dNative", t, w, true);
    add_fused_ops(c, ops, c.outputs[0].shape, 8, true, 3);
    std::string what = "FusedDepthwiseConv2dNative [";
    for (const auto& o : ops) what += " " + o;
    expect_gpu_matches_reference(c, what + " ]");
  }
}

TEST_P(CudaWindowOps, PoolingMatchesReference) {
  const DType t = GetParam();
  const std::vector<Window> windows = {{{2, 9, 11, 5}, {3, 3}, 2, 1, "SAME"},
                                       {{2, 9, 11, 5}, {3, 3}, 2, 1, "VALID"},
                                       {{1, 8, 8, 16}, {2, 2}, 2, 1, "VALID"},
                                       {{1, 7, 9, 3}, {3, 3}, 1, 1, "SAME"},
                                       {{1, 6, 6, 4}, {1, 1}, 2, 1, "SAME"}};
  for (const char* op : {"MaxPool", "AvgPool"})
    for (const Window& w : windows) {
      Node n = window_node(op, t, w);
      n.attrs["ksize"] = int_list({1, w.filter[0], w.filter[1], 1});
      const std::vector<int64_t> out = {w.x[0], out_dim(w, w.x[1], w.filter[0], 1),
                                        out_dim(w, w.x[2], w.filter[1], 2), w.x[3]};
      KernelCase c{n, {random_tensor(t, w.x, 4, -3.0f, 3.0f)}, {}, {{t, out}}};
      expect_gpu_matches_reference(c, std::string(op) + " " + w.name());
    }
}

TEST_P(CudaWindowOps, FusedBatchNormV3InferenceMatchesReference) {
  const DType t = GetParam();
  for (const std::string fmt : {"NHWC", "NCHW"}) {
    const std::vector<int64_t> x = {2, 5, 7, 6};
    const int64_t ch = fmt == "NHWC" ? 6 : 5;
    Node n = make_node(
        "FusedBatchNormV3", t,
        {{"U", DType::kFloat}, {"epsilon", 1e-3f}, {"is_training", false}, {"data_format", fmt}});
    const DType u = DType::kFloat;
    KernelCase c{n,
                 {random_tensor(t, x, 1, -2.0f, 2.0f), random_tensor(u, {ch}, 2, 0.5f, 1.5f),
                  random_tensor(u, {ch}, 3), random_tensor(u, {ch}, 4),
                  random_tensor(u, {ch}, 5, 0.5f, 2.0f)},
                 {false, true, true, true, true},
                 {{t, x}, {u, {ch}}, {u, {ch}}, {u, {ch}}, {u, {ch}}, {u, {ch}}}};
    expect_gpu_matches_reference(c, "FusedBatchNormV3 " + fmt);
  }
}

TEST_P(CudaWindowOps, ResizeBilinearMatchesReference) {
  const DType t = GetParam();
  struct Resize {
    std::vector<int64_t> in;
    int64_t oh, ow;
    bool align, half;
  };
  const std::vector<Resize> cases = {
      {{2, 5, 7, 3}, 11, 13, false, false}, {{2, 5, 7, 3}, 11, 13, true, false},
      {{2, 5, 7, 3}, 11, 13, false, true},  {{1, 9, 9, 4}, 4, 5, false, true},
      {{1, 9, 9, 4}, 4, 5, true, false},    {{1, 1, 1, 2}, 3, 3, true, false}};
  for (const Resize& r : cases) {
    Node n = make_node("ResizeBilinear", t,
                       {{"align_corners", r.align}, {"half_pixel_centers", r.half}});
    const std::vector<int64_t> out = {r.in[0], r.oh, r.ow, r.in[3]};
    KernelCase c{n,
                 {random_tensor(t, r.in, 6, -4.0f, 4.0f),
                  Tensor::from_vector<int32_t>(
                      Shape{2}, {static_cast<int32_t>(r.oh), static_cast<int32_t>(r.ow)})},
                 {false, true},
                 {{DType::kFloat, out}}};
    expect_gpu_matches_reference(c, "ResizeBilinear " + Shape(r.in).to_string() + " -> " +
                                        Shape(out).to_string() + (r.align ? " align" : "") +
                                        (r.half ? " half" : ""));
  }
}

INSTANTIATE_TEST_SUITE_P(Dtypes, CudaWindowOps, ::testing::ValuesIn(kTypes),
                         [](const auto& i) { return dtype_name(i.param); });

// Unknown fused_ops fail at Session creation for gpu, naming the node and the entry.
TEST(CudaConvChecks, UnknownFusedOpsAreReportedForGpu) {
  Node n = make_node("FusedDepthwiseConv2dNative", DType::kFloat,
                     {{"fused_ops", string_list({"BiasAdd", "Foo"})}});
  n.inputs = {"x", "w", "b"};
  expect_error([&] { KernelRegistry::global().check_node(n, DeviceKind::kGPU); },
               ErrorCode::kUnimplemented,
               {"'test_FusedDepthwiseConv2dNative'", "unsupported fused op 'Foo'"});
  n.attrs["fused_ops"] = string_list({"BiasAdd", "Relu6"});
  EXPECT_NO_THROW(KernelRegistry::global().check_node(n, DeviceKind::kGPU));
}

}  // namespace
}  // namespace aamp::testing
