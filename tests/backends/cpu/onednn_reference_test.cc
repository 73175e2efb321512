// Hand-computed cases for the reference linear-algebra kernels (the oracle of the oneDNN tests),
// run through both the reference and (where it accepts the case) the oneDNN kernel.
#include <gtest/gtest.h>

#include "backends/cpu/kernel_test_util.h"
#include "tensor_test_util.h"

namespace aamp {
namespace {

using testing::f32;

using testing::KernelCase;

// Runs the case with each implementation available and checks the exact expected values.
void expect_close_values(const KernelCase& c, const std::vector<float>& want, float tol = 1e-5f) {
  int ran = 0;
  for (const char* impl : {"reference", "onednn"}) {
    const KernelRegistration* r = testing::find_kernel(c, impl);
    if (!r) {
      EXPECT_STRNE(impl, "reference") << c.node.op;
      continue;
    }
    ++ran;
    const std::vector<float> got = testing::to_float_vec(testing::run_kernel(c, *r)[0]);
    ASSERT_EQ(got.size(), want.size()) << impl;
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_NEAR(got[i], want[i], tol) << impl << " " << c.node.op << " element " << i;
  }
  EXPECT_EQ(ran, 2) << c.node.op << ": oneDNN refused a float32 case";
}

TEST(LinalgReference, MatMulTransposeB) {
  AttrMap a;
  a["transpose_a"] = false;
  a["transpose_b"] = true;
  KernelCase c{testing::make_node("MatMul", DType::kFloat, a), {}, {}, {}, 1};
  c.inputs = {f32({2, 3}, {1, 2, 3, 4, 5, 6}), f32({2, 3}, {1, 0, -1, 2, 1, 0})};
  c.outputs = {{DType::kFloat, {2, 2}}};
  expect_close_values(c, {-2, 4, -2, 13});
}

TEST(LinalgReference, FusedMatMulBiasRelu6) {
  AttrMap a;
  a["fused_ops"] = string_list({"BiasAdd", "Relu6"});
  a["num_args"] = int64_t{1};
  KernelCase c{testing::make_node("_FusedMatMul", DType::kFloat, a), {}, {}, {}, 1};
  c.inputs = {f32({1, 2}, {1, 2}), f32({2, 3}, {1, 2, 3, 4, 5, 6}), f32({3}, {-10, 0, 1})};
  c.is_const = {false, true, true};
  c.outputs = {{DType::kFloat, {1, 3}}};
  // x*W = [9, 12, 15]; + bias = [-1, 12, 16]; relu6 -> [0, 6, 6]
  expect_close_values(c, {0, 6, 6});
}

TEST(LinalgReference, FusedMatMulLeakyRelu) {
  AttrMap a;
  a["fused_ops"] = string_list({"BiasAdd", "LeakyRelu"});
  a["num_args"] = int64_t{1};
  a["leakyrelu_alpha"] = 0.25f;
  KernelCase c{testing::make_node("_FusedMatMul", DType::kFloat, a), {}, {}, {}, 1};
  c.inputs = {f32({1, 2}, {1, -1}), f32({2, 2}, {1, 0, 0, 1}), f32({2}, {0, -3})};
  c.outputs = {{DType::kFloat, {1, 2}}};
  expect_close_values(c, {1, -1});  // [1, -1-3=-4] -> [1, -1]
}

TEST(LinalgReference, BatchMatMulBroadcast) {
  AttrMap a;
  KernelCase c{testing::make_node("BatchMatMulV2", DType::kFloat, a), {}, {}, {}, 1};
  // a: [2,1,1,2], b: [3,2,1] -> out [2,3,1,1]; out[i,j] = a[i] . b[j]
  c.inputs = {f32({2, 1, 1, 2}, {1, 2, 3, 4}), f32({3, 2, 1}, {1, 0, 0, 1, 1, 1})};
  c.outputs = {{DType::kFloat, {2, 3, 1, 1}}};
  expect_close_values(c, {1, 2, 3, 3, 4, 7});
}

AttrMap conv_attrs(const char* padding, int64_t stride) {
  AttrMap a;
  a["strides"] = int_list({1, stride, stride, 1});
  a["dilations"] = int_list({1, 1, 1, 1});
  a["padding"] = std::string(padding);
  a["data_format"] = std::string("NHWC");
  return a;
}

TEST(LinalgReference, Conv2DValidAndSame) {
  const Tensor x = f32({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const Tensor w = f32({2, 2, 1, 1}, {1, 1, 1, 1});
  KernelCase v{testing::make_node("Conv2D", DType::kFloat, conv_attrs("VALID", 1)),
               {x, w},
               {false, true},
               {{DType::kFloat, {1, 2, 2, 1}}},
               1};
  expect_close_values(v, {12, 16, 24, 28});
  // SAME pads one row/column after (TF puts the odd padding at the end).
  KernelCase s{testing::make_node("Conv2D", DType::kFloat, conv_attrs("SAME", 1)),
               {x, w},
               {false, true},
               {{DType::kFloat, {1, 3, 3, 1}}},
               1};
  expect_close_values(s, {12, 16, 9, 24, 28, 15, 15, 17, 9});
}

TEST(LinalgReference, FusedConvPrelu) {
  AttrMap a = conv_attrs("VALID", 1);
  a["fused_ops"] = string_list({"BiasAdd", "Prelu"});
  a["num_args"] = int64_t{2};
  // 1x1 conv, 2 -> 2 channels, identity filter; bias [-1, 1]; alpha [0.5, 0.25].
  KernelCase c{testing::make_node("_FusedConv2D", DType::kFloat, a),
               {f32({1, 1, 2, 2}, {1, -4, -2, 3}), f32({1, 1, 2, 2}, {1, 0, 0, 1}),
                f32({2}, {-1, 1}), f32({2}, {0.5f, 0.25f})},
               {false, true, true, true},
               {{DType::kFloat, {1, 1, 2, 2}}},
               1};
  // pre-activation [0, -3, -3, 4] -> prelu [0, -0.75, -1.5, 4]
  expect_close_values(c, {0, -0.75f, -1.5f, 4});
}

TEST(LinalgReference, DepthwiseMultiplier) {
  // 1x1 depthwise, 2 channels, multiplier 2: out = [x0*1, x0*2, x1*3, x1*4].
  KernelCase c{testing::make_node("DepthwiseConv2dNative", DType::kFloat, conv_attrs("VALID", 1)),
               {f32({1, 1, 1, 2}, {10, 100}), f32({1, 1, 2, 2}, {1, 2, 3, 4})},
               {false, true},
               {{DType::kFloat, {1, 1, 1, 4}}},
               1};
  expect_close_values(c, {10, 20, 300, 400});
}

TEST(LinalgReference, Conv2DBackpropInputStride2) {
  // Each out_backprop value spreads over its 2x2 block (transposed convolution).
  KernelCase c{testing::make_node("Conv2DBackpropInput", DType::kFloat, conv_attrs("VALID", 2)),
               {Tensor::from_vector<int32_t>(Shape{4}, {1, 4, 4, 1}),
                f32({2, 2, 1, 1}, {1, 2, 3, 4}), f32({1, 2, 2, 1}, {1, 10, 100, 1000})},
               {true, true, false},
               {{DType::kFloat, {1, 4, 4, 1}}},
               1};
  expect_close_values(c, {1, 2, 10, 20, 3, 4, 30, 40, 100, 200, 1000, 2000, 300, 400, 3000, 4000});
}

TEST(LinalgReference, PoolingSameExcludesPadding) {
  AttrMap a;
  a["ksize"] = int_list({1, 2, 2, 1});
  a["strides"] = int_list({1, 1, 1, 1});
  a["padding"] = std::string("SAME");
  const Tensor x = f32({1, 2, 2, 1}, {1, 2, 3, 4});
  KernelCase avg{
      testing::make_node("AvgPool", DType::kFloat, a), {x}, {}, {{DType::kFloat, {1, 2, 2, 1}}}, 1};
  expect_close_values(avg, {2.5f, 3, 3.5f, 4});
  KernelCase mx{
      testing::make_node("MaxPool", DType::kFloat, a), {x}, {}, {{DType::kFloat, {1, 2, 2, 1}}}, 1};
  expect_close_values(mx, {4, 4, 4, 4});
}

TEST(LinalgReference, Softmax) {
  KernelCase c{testing::make_node("Softmax", DType::kFloat),
               {f32({2, 3}, {1, 2, 3, 0, 0, 0})},
               {},
               {{DType::kFloat, {2, 3}}},
               1};
  expect_close_values(c, {0.09003057f, 0.24472847f, 0.66524096f, 1 / 3.0f, 1 / 3.0f, 1 / 3.0f});
}

TEST(LinalgReference, FusedBatchNormInference) {
  AttrMap a;
  a["is_training"] = false;
  a["epsilon"] = 0.0f;
  a["U"] = DType::kFloat;
  KernelCase c{testing::make_node("FusedBatchNormV3", DType::kFloat, a),
               {f32({1, 1, 1, 2}, {1, 2}), f32({2}, {1, 2}), f32({2}, {0, 1}), f32({2}, {0, 1}),
                f32({2}, {1, 4})},
               {false, true, true, true, true},
               {{DType::kFloat, {1, 1, 1, 2}}},
               1};
  // y0 = (1 - 0) * 1 / 1 + 0 = 1; y1 = (2 - 1) * 2 / 2 + 1 = 2
  expect_close_values(c, {1, 2});
}

TEST(LinalgReference, Bfloat16RoundTrip) {
  // bfloat16 in/out with float32 accumulation: 1 + 2^-9 * 256 terms is exact in f32.
  AttrMap a;
  KernelCase c{testing::make_node("MatMul", DType::kBFloat16, a), {}, {}, {}, 1};
  c.inputs = {testing::random_tensor(DType::kBFloat16, {1, 256}, 1, 1.0f, 1.0f),
              testing::random_tensor(DType::kBFloat16, {256, 1}, 2, 0.5f, 0.5f)};
  c.outputs = {{DType::kBFloat16, {1, 1}}};
  const KernelRegistration* r = testing::find_kernel(c, "reference");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(testing::to_float_vec(testing::run_kernel(c, *r)[0]), std::vector<float>{128.0f});
}

// Integer MatMul (reference only: oneDNN runs floats): exact sums, wrapped to the output type.
template <typename T>
std::vector<T> run_int_matmul(const std::string& op, AttrMap a, Tensor x, Tensor y,
                              std::vector<int64_t> out) {
  const DType t = x.dtype();
  KernelCase c{testing::make_node(op, t, std::move(a)), {std::move(x), std::move(y)}, {}, {}, 1};
  c.outputs = {{t, std::move(out)}};
  EXPECT_EQ(testing::find_kernel(c, "onednn"), nullptr) << op;
  const KernelRegistration* r = testing::find_kernel(c, "reference");
  if (!r) {
    ADD_FAILURE() << "no reference " << op << " in " << dtype_name(t);
    return {};
  }
  const Tensor z = testing::run_kernel(c, *r)[0];
  const auto v = z.values<T>();
  return {v.begin(), v.end()};
}

TEST(LinalgReference, MatMulInt32Transposes) {
  // A = [[1,2,3],[4,5,6]], B = [[1,-1],[0,2],[3,1]]: A*B = [[10,6],[22,12]].
  const std::vector<int32_t> a = {1, 2, 3, 4, 5, 6}, at = {1, 4, 2, 5, 3, 6};
  const std::vector<int32_t> b = {1, -1, 0, 2, 3, 1}, bt = {1, 0, 3, -1, 2, 1};
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      AttrMap attrs{{"transpose_a", ta}, {"transpose_b", tb}};
      const Tensor x = Tensor::from_vector<int32_t>(ta ? Shape{3, 2} : Shape{2, 3}, ta ? at : a);
      const Tensor y = Tensor::from_vector<int32_t>(tb ? Shape{2, 3} : Shape{3, 2}, tb ? bt : b);
      EXPECT_EQ(run_int_matmul<int32_t>("MatMul", attrs, x, y, {2, 2}),
                (std::vector<int32_t>{10, 6, 22, 12}))
          << "transpose_a " << ta << " transpose_b " << tb;
    }
}

TEST(LinalgReference, MatMulInt32WrapsAround) {
  // 65536 * 65536 = 2^32 -> 0; 65536 * 32768 + 5 = 2^31 + 5 -> -2^31 + 5.
  const Tensor x = Tensor::from_vector<int32_t>(Shape{2, 2}, {65536, 0, 65536, 1});
  const Tensor y = Tensor::from_vector<int32_t>(Shape{2, 2}, {65536, 32768, 7, 5});
  EXPECT_EQ(run_int_matmul<int32_t>("MatMul", {}, x, y, {2, 2}),
            (std::vector<int32_t>{0, -2147483647 - 1, 7, -2147483643}));
}

TEST(LinalgReference, BatchMatMulInt64Broadcasts) {
  // x [2,1,2] times y [2,1] (broadcast over the batch): [[1*3 + 2*-1], [-4*3 + 10*-1]].
  const Tensor x = Tensor::from_vector<int64_t>(Shape{2, 1, 2}, {1, 2, -4, 10});
  const Tensor y = Tensor::from_vector<int64_t>(Shape{2, 1}, {3, -1});
  EXPECT_EQ(run_int_matmul<int64_t>("BatchMatMulV2", {}, x, y, {2, 1, 1}),
            (std::vector<int64_t>{1, -22}));
}

}  // namespace
}  // namespace aamp
