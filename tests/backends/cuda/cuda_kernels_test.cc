// What the CUDA kernels do beyond the results the backend harness compares with the CPU
// reference kernels (tests/backends/harness; on the GPU: cuda_backend_ops_test.cc): GatherV2's
// out-of-range index, reported after the run's synchronization; the cuDNN convolution chosen and
// re-runnable; and the GPU's Session-creation checks of fused_ops and of batch broadcasts, which
// need no device.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "backends/cuda/cuda_test_util.h"
#include "test_util.h"

namespace aamp::testing {
namespace {

using Dims = std::vector<int64_t>;

Tensor ints32(const Dims& v) {
  std::vector<int32_t> w(v.begin(), v.end());
  return Tensor::from_vector<int32_t>(Shape{static_cast<int64_t>(w.size())}, w);
}

Tensor host_data(DType t, const Dims& shape, uint32_t seed) {
  if (t != DType::kInt32) return random_tensor(t, shape, seed, -3.0f, 3.0f);
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<int32_t> v(static_cast<size_t>(n));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int32_t>((i * 7919 + seed) % 100003);
  return Tensor::from_vector<int32_t>(Shape(shape), v);
}

// Moves must be exact: compare with zero tolerance.
void expect_exact(const KernelCase& c, const std::string& what) {
  const std::vector<Tensor> want = run_reference(c);
  const std::vector<Tensor> got = run_gpu(c, 2);
  ASSERT_EQ(want.size(), got.size()) << what;
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(got[i].byte_size(), want[i].byte_size()) << what;
    EXPECT_EQ(std::memcmp(got[i].raw(), want[i].raw(), want[i].byte_size()), 0) << what;
  }
}

class CudaMove : public ::testing::TestWithParam<DType> {
 protected:
  void SetUp() override { AAMP_SKIP_WITHOUT_GPU(); }
};

TEST_P(CudaMove, GatherV2OutOfRangeIndexIsAnError) {
  const DType t = GetParam();
  for (int32_t bad : {50, -1}) {
    Node n = make_node("GatherV2", t, {{"batch_dims", int64_t{0}}});
    KernelCase c{n,
                 {host_data(t, {50, 8}, 2), Tensor::from_vector<int32_t>(Shape{4}, {1, 2, bad, 3}),
                  ints32({0})},
                 {true, false, true},
                 {{t, {4, 8}}}};
    expect_error([&] { run_gpu(c); }, ErrorCode::kInvalidArgument,
                 {"'test_GatherV2'", "indices[2] = " + std::to_string(bad), "not in [0, 50)"});
    // The record is cleared: a good run on a fresh kernel passes.
    c.inputs[1] = Tensor::from_vector<int32_t>(Shape{4}, {1, 2, 49, 3});
    expect_exact(c, "GatherV2 after an error");
  }
}

INSTANTIATE_TEST_SUITE_P(Dtypes, CudaMove,
                         ::testing::Values(DType::kFloat, DType::kHalf, DType::kBFloat16,
                                           DType::kInt32),
                         [](const auto& i) { return dtype_name(i.param); });

class CudaConv : public ::testing::TestWithParam<DType> {
 protected:
  void SetUp() override {
    AAMP_SKIP_WITHOUT_GPU();
#ifndef AAMP_HAVE_CUDNN
    GTEST_SKIP() << "built without cuDNN: no GPU convolution kernels";
#endif
  }
};

// An NHWC SAME _FusedConv2D of x with the filter w (a constant) and a bias + residual + Relu
// epilogue, output `out`.
KernelCase fused_conv_case(DType t, int64_t stride, Tensor x, Tensor w, const Dims& out,
                           uint32_t seed) {
  const int64_t channels = out.back();
  KernelCase c{make_node("_FusedConv2D", t,
                         {{"strides", int_list({1, stride, stride, 1})},
                          {"dilations", int_list({1, 1, 1, 1})},
                          {"padding", std::string("SAME")},
                          {"data_format", std::string("NHWC")}}),
               {std::move(x), std::move(w)},
               {false, true},
               {{t, out}}};
  add_fused_ops(c, {"BiasAdd", "Add", "Relu"}, c.outputs[0].shape, channels, false, seed);
  return c;
}

TEST_P(CudaConv, ConvKernelsAreCudnnAndRerunnable) {
  const DType t = GetParam();
  // A tensor-core friendly 3x3 / 2 convolution with a residual epilogue.
  KernelCase c =
      fused_conv_case(t, 2, random_tensor(t, {2, 8, 8, 32}, 1),
                      random_tensor(t, {3, 3, 32, 32}, 2, -0.5f, 0.5f), {2, 4, 4, 32}, 9);
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

// float16 / bfloat16: with AAMP_CUDNN_ENGINES=force the convolution and its whole epilogue (bias,
// residual, Relu) run on a cuDNN graph-API plan (AAMP_CUDNN_LOG=1 says which) and match the
// reference like the legacy call.
// (float32 stays on the legacy calls: engines may use TF32.)
class CudaConvGraphApi : public CudaConv {};

TEST_P(CudaConvGraphApi, PlanRunsTheFusedEpilogue) {
  const DType t = GetParam();
  ScopedEnv engines("AAMP_CUDNN_ENGINES", "force"), log("AAMP_CUDNN_LOG", "1");
  const KernelCase c =
      fused_conv_case(t, 1, random_tensor(t, {4, 14, 14, 64}, 3),
                      random_tensor(t, {3, 3, 64, 64}, 4, -0.2f, 0.2f), {4, 14, 14, 64}, 5);
  ::testing::internal::CaptureStderr();
  const std::vector<Tensor> got = run_gpu(c, 2);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("+bias+z"), std::string::npos) << err;
  EXPECT_NE(err.find("-> graph"), std::string::npos) << err;
  const std::vector<Tensor> want = run_reference(c);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_LE(scaled_max_err(got[0], want[0]), gpu_tolerance(t));
}

INSTANTIATE_TEST_SUITE_P(Dtypes, CudaConv,
                         ::testing::Values(DType::kFloat, DType::kHalf, DType::kBFloat16),
                         [](const auto& i) { return dtype_name(i.param); });
INSTANTIATE_TEST_SUITE_P(Dtypes, CudaConvGraphApi,
                         ::testing::Values(DType::kHalf, DType::kBFloat16),
                         [](const auto& i) { return dtype_name(i.param); });

// fused_ops the GPU cannot run fail when the Session is created, listing what it supports.
TEST(CudaChecks, UnsupportedFusedOpsNameTheGpuList) {
  // Any one activation follows the bias; two do not.
  Node n = make_node("_FusedMatMul", DType::kFloat,
                     {{"fused_ops", string_list({"BiasAdd", "Elu", "Relu"})}});
  n.inputs = {"a", "b", "bias"};
  expect_error(
      [&] { KernelRegistry::global().check_node(n, DeviceKind::kGPU); }, ErrorCode::kUnimplemented,
      {"'test__FusedMatMul'", "[BiasAdd, Elu, Relu]", "not supported on gpu", "GeluExact"});
  n.attrs["fused_ops"] = string_list({"BiasAdd", "Elu"});
  EXPECT_NO_THROW(KernelRegistry::global().check_node(n, DeviceKind::kGPU));
  n.attrs["fused_ops"] = string_list({"BiasAdd", "Relu"});
  EXPECT_NO_THROW(KernelRegistry::global().check_node(n, DeviceKind::kGPU));
}

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

// Batch dims broadcast both ways ([2,1] x [1,3]) need more than one strided GEMM: refused, so the
// plan reports the node instead of computing wrong values.
TEST(CudaBertChecks, MixedBatchBroadcastIsRefused) {
  Node n = make_node("BatchMatMulV2", DType::kFloat);
  KernelInit init;
  init.node = &n;
  init.device = DeviceKind::kGPU;
  init.inputs = {{DType::kFloat, {2, 1, 5, 7}}, {DType::kFloat, {1, 3, 7, 4}}};
  init.outputs = {{DType::kFloat, {2, 3, 5, 4}}};
  init.const_inputs = {nullptr, nullptr};
  EXPECT_EQ(KernelRegistry::global().lookup("BatchMatMulV2", DeviceKind::kGPU, DType::kFloat, init),
            nullptr);
  init.inputs[1].shape = {2, 3, 7, 4};
  init.inputs[0].shape = {1, 1, 5, 7};
  EXPECT_NE(KernelRegistry::global().lookup("BatchMatMulV2", DeviceKind::kGPU, DType::kFloat, init),
            nullptr);
}

TEST(CudaBertChecks, UnsupportedBatchMatMulFusionFailsAtSessionCreation) {
  // Every activation runs after a GPU batch matmul; a batch norm does not.
  Node n = make_node("_AampFusedBatchMatMulV2", DType::kFloat,
                     {{"fused_ops", string_list({"FusedBatchNorm"})}});
  n.inputs = {"a", "b", "scale", "offset", "mean", "var"};
  expect_error(
      [&] { KernelRegistry::global().check_node(n, DeviceKind::kGPU); }, ErrorCode::kUnimplemented,
      {"'test__AampFusedBatchMatMulV2'", "[FusedBatchNorm]", "not supported on gpu", "Mish"});
  n.attrs["fused_ops"] = string_list({"Mish"});
  n.inputs = {"a", "b"};
  EXPECT_NO_THROW(KernelRegistry::global().check_node(n, DeviceKind::kGPU));
  n.attrs["fused_ops"] = string_list({"Mul"});
  n.inputs = {"a", "b", "scale"};
  EXPECT_NO_THROW(KernelRegistry::global().check_node(n, DeviceKind::kGPU));
}

}  // namespace
}  // namespace aamp::testing
