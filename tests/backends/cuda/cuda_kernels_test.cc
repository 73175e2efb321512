// Every CUDA kernel against the CPU reference kernel on random inputs, in float32, float16 and
// bfloat16, over a few shapes (skipped without a CUDA device). Plus the GPU's fused_ops check,
// which needs no device.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "backends/cuda/cuda_test_util.h"
#include "test_util.h"

namespace aamp::testing {
namespace {

const DType kTypes[] = {DType::kFloat, DType::kHalf, DType::kBFloat16};

std::string label(const std::string& op, DType t, const std::vector<int64_t>& shape) {
  return op + " " + dtype_name(t) + " " + Shape(shape).to_string();
}

std::vector<int64_t> broadcast_shape(std::vector<int64_t> a, std::vector<int64_t> b) {
  if (a.size() < b.size()) std::swap(a, b);
  for (size_t i = 0; i < b.size(); ++i) {
    int64_t& d = a[a.size() - b.size() + i];
    d = std::max(d, b[i]);
  }
  return a;
}

class CudaTyped : public ::testing::TestWithParam<DType> {
 protected:
  void SetUp() override { AAMP_SKIP_WITHOUT_GPU(); }
};

TEST_P(CudaTyped, UnaryOpsMatchReference) {
  const DType t = GetParam();
  for (const char* op : {"Relu", "Relu6", "Sigmoid", "Tanh", "Mish", "HardSwish", "Swish"})
    for (const auto& shape : std::vector<std::vector<int64_t>>{{7}, {3, 129}, {2, 3, 1000}}) {
      KernelCase c{make_node(op, t), {random_tensor(t, shape, 11, -8.0f, 8.0f)}, {}, {{t, shape}}};
      expect_gpu_matches_reference(c, label(op, t, shape));
    }
  // aamp's Swish with its beta attr.
  KernelCase c{make_node("Swish", t, {{"beta", 1.7f}}),
               {random_tensor(t, {5, 33}, 12, -6.0f, 6.0f)},
               {},
               {{t, {5, 33}}}};
  expect_gpu_matches_reference(c, label("Swish beta 1.7", t, {5, 33}));
}

TEST_P(CudaTyped, BinaryOpsBroadcastLikeNumPy) {
  const DType t = GetParam();
  const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> shapes = {
      {{4, 5}, {4, 5}}, {{2, 3, 4}, {4}}, {{2, 1, 3}, {3}}, {{2, 1}, {1, 4}},
      {{5, 3}, {}},     {{}, {6, 2}},     {{3}, {2, 4, 3}}, {{300, 70}, {300, 1}}};
  for (const char* op : {"AddV2", "Add", "Sub", "Mul", "RealDiv"})
    for (const auto& [sa, sb] : shapes) {
      const std::vector<int64_t> out = broadcast_shape(sa, sb);
      KernelCase c{make_node(op, t),
                   {random_tensor(t, sa, 3), random_tensor(t, sb, 4, 0.5f, 2.0f)},
                   {false, true},  // a constant operand reads from device memory too
                   {{t, out}}};
      expect_gpu_matches_reference(c, label(op, t, sa) + " with " + Shape(sb).to_string());
    }
}

TEST_P(CudaTyped, BiasAddNhwcAndNchw) {
  const DType t = GetParam();
  for (const std::string fmt : {"NHWC", "NCHW"})
    for (const auto& shape : std::vector<std::vector<int64_t>>{{8, 16}, {2, 3, 4, 5}}) {
      const int64_t ch = fmt == "NCHW" && shape.size() > 2 ? shape[1] : shape.back();
      KernelCase c{make_node("BiasAdd", t, {{"data_format", fmt}}),
                   {random_tensor(t, shape, 5), random_tensor(t, {ch}, 6)},
                   {false, true},
                   {{t, shape}}};
      expect_gpu_matches_reference(c, label("BiasAdd " + fmt, t, shape));
    }
}

TEST_P(CudaTyped, SoftmaxOverLastAxis) {
  const DType t = GetParam();
  for (const auto& shape :
       std::vector<std::vector<int64_t>>{{4, 10}, {3, 1000}, {2, 3, 4096}, {5}}) {
    KernelCase c{
        make_node("Softmax", t), {random_tensor(t, shape, 9, -6.0f, 6.0f)}, {}, {{t, shape}}};
    expect_gpu_matches_reference(c, label("Softmax", t, shape));
  }
}

TEST_P(CudaTyped, CastToEveryGpuFloatType) {
  const DType src = GetParam();
  for (DType dst : kTypes) {
    Node n;
    n.name = "test_Cast";
    n.op = "Cast";
    n.attrs["SrcT"] = src;
    n.attrs["DstT"] = dst;
    // 3003 elements: groups of four and a tail of three; 4096: groups only; 3: the tail only.
    for (const std::vector<int64_t>& shape :
         {std::vector<int64_t>{3, 1001}, std::vector<int64_t>{64, 64}, std::vector<int64_t>{3}}) {
      KernelCase c{n, {random_tensor(src, shape, 21, -300.0f, 300.0f)}, {}, {{dst, shape}}};
      expect_gpu_matches_reference(c, "Cast " + dtype_name(src) + " -> " + dtype_name(dst) +
                                          " of " + std::to_string(c.inputs[0].num_elements()));
    }
  }
}

TEST_P(CudaTyped, IdentityCopiesBytes) {
  const DType t = GetParam();
  KernelCase c{make_node("Identity", t), {random_tensor(t, {4, 33}, 2)}, {}, {{t, {4, 33}}}};
  const std::vector<Tensor> got = run_gpu(c);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(scaled_max_err(got[0], c.inputs[0]), 0.0);
}

INSTANTIATE_TEST_SUITE_P(Dtypes, CudaTyped, ::testing::ValuesIn(kTypes),
                         [](const auto& i) { return dtype_name(i.param); });

// (dtype, m, k, n, transpose_a, transpose_b)
using MatMulParam = std::tuple<DType, int64_t, int64_t, int64_t, bool, bool>;

class CudaMatMul : public ::testing::TestWithParam<MatMulParam> {
 protected:
  void SetUp() override { AAMP_SKIP_WITHOUT_GPU(); }

  KernelCase make(const std::string& op, bool const_b) const {
    const auto [t, m, k, n, ta, tb] = GetParam();
    KernelCase c{
        make_node(op, t, {{"transpose_a", ta}, {"transpose_b", tb}}),
        {random_tensor(t, ta ? std::vector<int64_t>{k, m} : std::vector<int64_t>{m, k}, 1),
         random_tensor(t, tb ? std::vector<int64_t>{n, k} : std::vector<int64_t>{k, n}, 2)},
        {false, const_b},
        {{t, {m, n}}}};
    return c;
  }
  std::string what(const std::string& op) const {
    const auto [t, m, k, n, ta, tb] = GetParam();
    return op + " " + dtype_name(t) + " m" + std::to_string(m) + " k" + std::to_string(k) + " n" +
           std::to_string(n) + (ta ? " ta" : "") + (tb ? " tb" : "");
  }
};

TEST_P(CudaMatMul, MatMulMatchesReference) {
  for (bool const_b : {false, true})
    expect_gpu_matches_reference(make("MatMul", const_b), what("MatMul"));
}

TEST_P(CudaMatMul, FusedMatMulEpiloguesMatchReference) {
  const int64_t n = std::get<3>(GetParam());
  const std::vector<std::vector<std::string>> fusions = {{"BiasAdd"},
                                                         {"BiasAdd", "Relu"},
                                                         {"BiasAdd", "GeluExact"},
                                                         {"BiasAdd", "GeluApproximate"},
                                                         {"BiasAdd", "Relu6"},
                                                         {"BiasAdd", "Tanh"},
                                                         {"BiasAdd", "Sigmoid"},
                                                         {"BiasAdd", "Add"},
                                                         {"BiasAdd", "Add", "Relu"},
                                                         {"BiasAdd", "Add", "GeluExact"}};
  for (const auto& ops : fusions) {
    KernelCase c = make("_FusedMatMul", true);
    add_fused_ops(c, ops, c.outputs[0].shape, n, /*const_args=*/true, 7);
    std::string name = what("_FusedMatMul");
    for (const auto& o : ops) name += " " + o;
    expect_gpu_matches_reference(c, name);
  }
}

std::string matmul_name(const ::testing::TestParamInfo<MatMulParam>& i) {
  const auto [t, m, k, n, ta, tb] = i.param;
  return dtype_name(t) + "_m" + std::to_string(m) + "_k" + std::to_string(k) + "_n" +
         std::to_string(n) + (ta ? "_ta" : "") + (tb ? "_tb" : "");
}

INSTANTIATE_TEST_SUITE_P(Shapes, CudaMatMul,
                         ::testing::Combine(::testing::ValuesIn(kTypes),
                                            ::testing::Values(1, 7, 64), ::testing::Values(13, 256),
                                            ::testing::Values(5, 96), ::testing::Bool(),
                                            ::testing::Bool()),
                         matmul_name);

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

}  // namespace
}  // namespace aamp::testing
