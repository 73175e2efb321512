// oneDNN MaxPool / AvgPool / Softmax / FusedBatchNorm kernels against the reference kernels.
#include <gtest/gtest.h>

#include "aamp/backends/cpu/ref_linalg_params.h"
#include "backends/cpu/kernel_test_util.h"

namespace aamp {
namespace {

using testing::KernelCase;

struct PoolSpec {
  const char* op;
  std::vector<int64_t> in;  // NHWC or NCHW per nchw
  int64_t k, stride;
  const char* padding;
  bool nchw;
  DType dtype;
};

class OnednnPoolTest : public ::testing::TestWithParam<PoolSpec> {};

TEST_P(OnednnPoolTest, MatchesReference) {
  const PoolSpec& s = GetParam();
  AttrMap attrs;
  attrs["ksize"] = int_list(s.nchw ? std::vector<int64_t>{1, 1, s.k, s.k}
                                   : std::vector<int64_t>{1, s.k, s.k, 1});
  attrs["strides"] = int_list(s.nchw ? std::vector<int64_t>{1, 1, s.stride, s.stride}
                                     : std::vector<int64_t>{1, s.stride, s.stride, 1});
  attrs["padding"] = std::string(s.padding);
  attrs["data_format"] = std::string(s.nchw ? "NCHW" : "NHWC");
  KernelCase c{testing::make_node(s.op, s.dtype, attrs), {}, {}, {}, 2};
  c.inputs.push_back(testing::random_tensor(s.dtype, s.in, 5));
  c.outputs.push_back({s.dtype, linalg::geom_output_shape(linalg::pool_geom(c.node, s.in))});
  testing::expect_matches_reference(c);
}

std::vector<PoolSpec> pool_specs() {
  std::vector<PoolSpec> v;
  for (DType t : {DType::kFloat, DType::kBFloat16})
    for (const char* op : {"MaxPool", "AvgPool"})
      for (bool nchw : {false, true})
        for (const char* pad : {"SAME", "VALID"}) {
          const std::vector<int64_t> in =
              nchw ? std::vector<int64_t>{2, 5, 11, 10} : std::vector<int64_t>{2, 11, 10, 5};
          v.push_back({op, in, 3, 2, pad, nchw, t});
          v.push_back({op, in, 2, 2, pad, nchw, t});
          v.push_back({op, in, 3, 1, pad, nchw, t});
        }
  return v;
}

INSTANTIATE_TEST_SUITE_P(All, OnednnPoolTest, ::testing::ValuesIn(pool_specs()));

class OnednnSoftmaxTest : public ::testing::TestWithParam<std::tuple<std::vector<int64_t>, DType>> {
};

TEST_P(OnednnSoftmaxTest, MatchesReference) {
  const auto& [shape, t] = GetParam();
  KernelCase c{testing::make_node("Softmax", t), {}, {}, {}, 2};
  c.inputs.push_back(testing::random_tensor(t, shape, 6, -8.0f, 8.0f));
  c.outputs.push_back({t, shape});
  testing::expect_matches_reference(c);
}

INSTANTIATE_TEST_SUITE_P(All, OnednnSoftmaxTest,
                         ::testing::Combine(::testing::Values(std::vector<int64_t>{7},
                                                              std::vector<int64_t>{3, 10},
                                                              std::vector<int64_t>{2, 4, 1001},
                                                              std::vector<int64_t>{2, 3, 4, 5}),
                                            ::testing::Values(DType::kFloat, DType::kBFloat16)));

class OnednnBatchNormTest : public ::testing::TestWithParam<std::tuple<const char*, bool, DType>> {
};

TEST_P(OnednnBatchNormTest, MatchesReference) {
  const auto& [op, nchw, t] = GetParam();
  AttrMap attrs;
  attrs["is_training"] = false;
  attrs["epsilon"] = 1e-3f;
  attrs["data_format"] = std::string(nchw ? "NCHW" : "NHWC");
  if (std::string(op) != "FusedBatchNorm") attrs["U"] = DType::kFloat;
  const int64_t C = 6;
  const std::vector<int64_t> x =
      nchw ? std::vector<int64_t>{2, C, 5, 7} : std::vector<int64_t>{2, 5, 7, C};
  KernelCase c{testing::make_node(op, t, attrs), {}, {}, {}, 2};
  c.inputs.push_back(testing::random_tensor(t, x, 7));
  c.inputs.push_back(testing::random_tensor(DType::kFloat, {C}, 8, 0.5f, 1.5f));
  c.inputs.push_back(testing::random_tensor(DType::kFloat, {C}, 9));
  c.inputs.push_back(testing::random_tensor(DType::kFloat, {C}, 10));
  c.inputs.push_back(testing::random_tensor(DType::kFloat, {C}, 11, 0.5f, 2.0f));
  c.is_const = {false, true, true, true, true};
  c.outputs.push_back({t, x});
  for (int i = 0; i < 4; ++i) c.outputs.push_back({DType::kFloat, {C}});
  if (std::string(op) == "FusedBatchNormV3") c.outputs.push_back({DType::kFloat, {0}});
  testing::expect_matches_reference(c);
}

INSTANTIATE_TEST_SUITE_P(All, OnednnBatchNormTest,
                         ::testing::Combine(::testing::Values("FusedBatchNorm", "FusedBatchNormV3"),
                                            ::testing::Bool(),
                                            ::testing::Values(DType::kFloat, DType::kBFloat16)));

TEST(OnednnRegistration, RefusesTrainingBatchNorm) {
  AttrMap attrs;
  attrs["is_training"] = true;
  KernelCase c{testing::make_node("FusedBatchNormV3", DType::kFloat, attrs), {}, {}, {}, 1};
  c.inputs.push_back(testing::random_tensor(DType::kFloat, {1, 2, 2, 3}, 1));
  for (int i = 0; i < 4; ++i) c.inputs.push_back(testing::random_tensor(DType::kFloat, {3}, 2));
  c.outputs.push_back({DType::kFloat, {1, 2, 2, 3}});
  EXPECT_EQ(testing::find_kernel(c, "onednn"), nullptr);
  EXPECT_NE(testing::find_kernel(c, "reference"), nullptr);
}

TEST(OnednnRegistration, PicksOnednnForFloat32) {
  AttrMap attrs;
  attrs["transpose_a"] = false;
  attrs["transpose_b"] = false;
  KernelCase c{testing::make_node("MatMul", DType::kFloat, attrs), {}, {}, {}, 1};
  c.inputs.push_back(testing::random_tensor(DType::kFloat, {2, 3}, 1));
  c.inputs.push_back(testing::random_tensor(DType::kFloat, {3, 4}, 2));
  c.outputs.push_back({DType::kFloat, {2, 4}});
  const KernelRegistration* r =
      KernelRegistry::global().lookup("MatMul", DeviceKind::kCPU, DType::kFloat, c.init());
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->name, "onednn");
  EXPECT_EQ(r->priority, 10);
  const KernelRegistration* ref =
      KernelRegistry::global().lookup("MatMul", DeviceKind::kCPU, DType::kFloat, c.init(), true);
  ASSERT_NE(ref, nullptr);
  EXPECT_EQ(ref->name, "reference");
}

}  // namespace
}  // namespace aamp
