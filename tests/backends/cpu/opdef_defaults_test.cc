// CPU kernels take an attr the node lacks from its op's OpDef (ops/attrs.h), one case per attr
// kind (int, float, bool, string), and refuse a node that lacks a required attr (one whose OpDef
// declares no default) as TensorFlow does, naming the node.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "aamp/core/error.h"
#include "backends/cpu/kernel_test_util.h"
#include "tensor_test_util.h"

namespace aamp {
namespace {

using testing::f32;
using testing::i32;

using ::testing::HasSubstr;
using testing::KernelCase;

// A float32 case of `op`; the inputs from `first_const` on are plan-time constants.
KernelCase opdef_case(const std::string& op, std::vector<Tensor> inputs,
                      std::vector<std::vector<int64_t>> outs, AttrMap attrs = {},
                      size_t first_const = 1) {
  KernelCase c{
      testing::make_node(op, DType::kFloat, std::move(attrs)), std::move(inputs), {}, {}, 1};
  for (size_t i = 0; i < c.inputs.size(); ++i) c.is_const.push_back(i >= first_const);
  for (auto& s : outs) c.outputs.push_back({DType::kFloat, std::move(s)});
  return c;
}

std::vector<float> run_opdef_ref(const KernelCase& c) {
  const KernelRegistration* r = testing::find_kernel(c, "reference");
  EXPECT_NE(r, nullptr) << "no reference kernel for " << c.node.op;
  if (!r) return {};
  return testing::to_float_vec(testing::run_kernel(c, *r).at(0));
}

void expect_near(const std::vector<float>& got, const std::vector<float>& want, float tol) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "element " << i;
}

// The kernel factory's error for a node without a required attr.
std::string factory_error(const KernelCase& c) {
  const KernelRegistration* r = testing::find_kernel(c, "reference");
  if (!r) return "no reference kernel";
  try {
    r->factory(c.init());
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidGraph);
    return e.what();
  }
  return "no error";
}

// FusedBatchNormV3 over x [1,1,n,1] with scale 1, offset 0 and the given mean / variance.
KernelCase batch_norm(std::vector<float> x, float mean, float var, AttrMap attrs) {
  attrs["U"] = DType::kFloat;
  const int64_t n = static_cast<int64_t>(x.size());
  KernelCase c = opdef_case(
      "FusedBatchNormV3",
      {f32({1, 1, n, 1}, x), f32({1}, {1}), f32({1}, {0}), f32({1}, {mean}), f32({1}, {var})},
      {{1, 1, n, 1}, {1}, {1}, {1}, {1}}, attrs);
  return c;
}

// ---- int --------------------------------------------------------------------------------------

TEST(OpDefDefaults, PackAxisIsZero) {
  KernelCase c = opdef_case("Pack", {f32({2}, {1, 2}), f32({2}, {3, 4})}, {{2, 2}},
                            {{"N", int64_t{2}}}, /*first_const=*/2);
  expect_near(run_opdef_ref(c), {1, 2, 3, 4}, 0);  // axis 1 would give 1, 3, 2, 4
}

TEST(OpDefDefaults, OneHotAxisIsLast) {
  KernelCase c = opdef_case(
      "OneHot",
      {i32({2}, {1, 0}), i32({}, {3}), Tensor::scalar<float>(1), Tensor::scalar<float>(0)},
      {{2, 3}});
  c.is_const = {false, true, false, false};
  expect_near(run_opdef_ref(c), {0, 1, 0, 1, 0, 0}, 0);  // axis 0 would be [3, 2]
}

// ---- float ------------------------------------------------------------------------------------

TEST(OpDefDefaults, LeakyReluAlphaIsPointTwo) {
  expect_near(run_opdef_ref(opdef_case("LeakyRelu", {f32({2}, {-1, 2})}, {{2}})), {-0.2f, 2},
              1e-7f);
}

TEST(OpDefDefaults, BatchNormEpsilonIsTensorFlowsOneEMinusFour) {
  // Variance 0: y = x / sqrt(epsilon), 100 for TensorFlow's 1e-4 (31.6 for 1e-3).
  KernelCase c = batch_norm({1}, 0, 0, {{"is_training", false}});
  expect_near(run_opdef_ref(c), {100}, 1e-3f);
  const KernelRegistration* onednn = testing::find_kernel(c, "onednn");
  ASSERT_NE(onednn, nullptr);
  expect_near(testing::to_float_vec(testing::run_kernel(c, *onednn).at(0)), {100}, 1e-2f);
}

TEST(OpDefDefaults, LayerNormEpsilonIsAampsOneEMinusThree) {
  // x = +-0.01: variance 1e-4, y = 0.01 / sqrt(1e-4 + epsilon).
  KernelCase c =
      opdef_case("LayerNorm", {f32({1, 2}, {0.01f, -0.01f}), f32({2}, {1, 1}), f32({2}, {0, 0})},
                 {{1, 2}}, {{"U", DType::kFloat}});
  const float y = 0.01f / std::sqrt(1e-4f + 1e-3f);
  expect_near(run_opdef_ref(c), {y, -y}, 1e-5f);
}

// ---- bool -------------------------------------------------------------------------------------

TEST(OpDefDefaults, BatchNormIsTrainingByDefault) {
  // is_training (TensorFlow's default true): the batch's own statistics (mean 2, variance 1),
  // not the given mean 0 / variance 1.
  KernelCase c = batch_norm({1, 3}, 0, 1, {});
  const float y = 1.0f / std::sqrt(1.0f + 1e-4f);
  expect_near(run_opdef_ref(c), {-y, y}, 1e-6f);
  EXPECT_EQ(testing::find_kernel(c, "onednn"), nullptr);  // inference-only
}

TEST(OpDefDefaults, MatMulTransposesNothing) {
  // [1,2] x [2,1]: with transpose_a / transpose_b the shapes would not even match.
  expect_near(run_opdef_ref(opdef_case("MatMul", {f32({1, 2}, {1, 2}), f32({2, 1}, {3, 4})},
                                       {{1, 1}}, {}, 2)),
              {11}, 0);
}

// ---- string -----------------------------------------------------------------------------------

TEST(OpDefDefaults, BiasAddIsNhwc) {
  const Tensor x = f32({1, 2, 2}, {0, 0, 0, 0});
  const Tensor b = f32({2}, {1, 2});
  expect_near(run_opdef_ref(opdef_case("BiasAdd", {x, b}, {{1, 2, 2}}, {}, 2)), {1, 2, 1, 2}, 0);
  expect_near(run_opdef_ref(opdef_case("BiasAdd", {x, b}, {{1, 2, 2}},
                                       {{"data_format", std::string("NCHW")}}, 2)),
              {1, 1, 2, 2}, 0);
  // BiasAddV1 declares no data_format: always over the last axis.
  expect_near(run_opdef_ref(opdef_case("BiasAddV1", {x, b}, {{1, 2, 2}}, {}, 2)), {1, 2, 1, 2}, 0);
}

TEST(OpDefDefaults, InstanceNormIsNhwc) {
  // x [1,1,2,2] NHWC: channel 0 is {0, 2}, channel 1 is {4, 4} (normalised to 0). NCHW would
  // read one channel of all four values.
  KernelCase c = opdef_case("InstanceNorm",
                            {f32({1, 1, 2, 2}, {0, 4, 2, 4}), f32({2}, {1, 1}), f32({2}, {0, 0})},
                            {{1, 1, 2, 2}}, {{"U", DType::kFloat}});
  const float y = 1.0f / std::sqrt(1.0f + 1e-3f);
  expect_near(run_opdef_ref(c), {-y, 0, y, 0}, 1e-5f);
}

// ---- required attrs (no OpDef default) ---------------------------------------------------------
// These kernels used to assume a value (REFLECT, block size 2, VALID); TensorFlow rejects such a
// node, and so do they now.

TEST(OpDefDefaults, MirrorPadWithoutModeIsAnError) {
  KernelCase c = opdef_case("MirrorPad", {f32({3}, {1, 2, 3}), i32({1, 2}, {1, 1})}, {{5}});
  EXPECT_EQ(factory_error(c),
            "node 'test_MirrorPad' (MirrorPad): missing attr 'mode' (its op declares no default)");
}

TEST(OpDefDefaults, DepthToSpaceAndSpaceToDepthWithoutBlockSizeAreErrors) {
  EXPECT_THAT(
      factory_error(opdef_case("DepthToSpace", {f32({1, 1, 1, 4}, {0, 1, 2, 3})}, {{1, 2, 2, 1}})),
      HasSubstr("(DepthToSpace): missing attr 'block_size'"));
  EXPECT_THAT(
      factory_error(opdef_case("SpaceToDepth", {f32({1, 2, 2, 1}, {0, 1, 2, 3})}, {{1, 1, 1, 4}})),
      HasSubstr("(SpaceToDepth): missing attr 'block_size'"));
}

TEST(OpDefDefaults, PoolWithoutPaddingIsAnError) {
  KernelCase c =
      opdef_case("MaxPool", {f32({1, 2, 2, 1}, {0, 1, 2, 3})}, {{1, 1, 1, 1}},
                 {{"ksize", int_list({1, 2, 2, 1})}, {"strides", int_list({1, 1, 1, 1})}});
  EXPECT_THAT(factory_error(c), HasSubstr("(MaxPool): missing attr 'padding'"));
}

}  // namespace
}  // namespace aamp
