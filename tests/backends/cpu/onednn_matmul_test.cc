// oneDNN MatMul / BatchMatMul kernels against the reference kernels.
#include <gtest/gtest.h>

#include "backends/cpu/kernel_test_util.h"

namespace aamp {
namespace {

using testing::KernelCase;

struct MatMulSpec {
  const char* op;
  std::vector<int64_t> a, b;  // operand shapes as stored
  bool ta, tb;
  bool const_b;
  std::vector<std::string> fused;
  DType dtype;
};

std::vector<int64_t> out_shape(const MatMulSpec& s) {
  const size_t ra = s.a.size(), rb = s.b.size(), r = std::max(ra, rb);
  std::vector<int64_t> o(r, 1);
  for (size_t i = 0; i + 2 < r; ++i) {
    const int64_t x = i + ra >= r ? s.a[i + ra - r] : 1;
    const int64_t y = i + rb >= r ? s.b[i + rb - r] : 1;
    o[i] = x == 1 ? y : x;
  }
  o[r - 2] = s.ta ? s.a[ra - 1] : s.a[ra - 2];
  o[r - 1] = s.tb ? s.b[rb - 2] : s.b[rb - 1];
  return o;
}

KernelCase matmul_case(const MatMulSpec& s) {
  const bool plain = std::string(s.op) == "MatMul" || std::string(s.op) == "_FusedMatMul";
  AttrMap attrs;
  attrs[plain ? "transpose_a" : "adj_x"] = s.ta;
  attrs[plain ? "transpose_b" : "adj_y"] = s.tb;
  KernelCase c{testing::make_node(s.op, s.dtype, attrs), {}, {}, {}, 2};
  c.inputs.push_back(testing::random_tensor(s.dtype, s.a, 1));
  c.inputs.push_back(testing::random_tensor(s.dtype, s.b, 2));
  c.is_const = {false, s.const_b};
  const std::vector<int64_t> o = out_shape(s);
  c.outputs.push_back({s.dtype, o});
  if (!s.fused.empty()) testing::add_fused_ops(c, s.fused, o, o.back(), true, 3);
  return c;
}

class OnednnMatMulTest : public ::testing::TestWithParam<MatMulSpec> {};

TEST_P(OnednnMatMulTest, MatchesReference) {
  testing::expect_matches_reference(matmul_case(GetParam()));
}

std::vector<MatMulSpec> matmul_specs() {
  std::vector<MatMulSpec> v;
  for (DType t : {DType::kFloat, DType::kBFloat16}) {
    for (bool ta : {false, true})
      for (bool tb : {false, true})
        for (bool cb : {false, true}) {
          v.push_back({"MatMul",
                       ta ? std::vector<int64_t>{33, 17} : std::vector<int64_t>{17, 33},
                       tb ? std::vector<int64_t>{29, 33} : std::vector<int64_t>{33, 29},
                       ta,
                       tb,
                       cb,
                       {},
                       t});
        }
    // The fused forms seen in the models and produced by the remapper.
    for (auto f : std::vector<std::vector<std::string>>{{"BiasAdd"},
                                                        {"BiasAdd", "Relu"},
                                                        {"BiasAdd", "Relu6"},
                                                        {"BiasAdd", "Elu"},
                                                        {"BiasAdd", "LeakyRelu"},
                                                        {"BiasAdd", "Sigmoid"},
                                                        {"BiasAdd", "Tanh"},
                                                        {"BiasAdd", "Add"},
                                                        {"BiasAdd", "Add", "Relu"},
                                                        {"BiasAdd", "GeluExact"},
                                                        {"BiasAdd", "GeluApproximate"},
                                                        {"BiasAdd", "Swish"},
                                                        {"BiasAdd", "Mish"},
                                                        {"BiasAdd", "HardSwish"}}) {
      v.push_back({"_FusedMatMul", {8, 64}, {64, 48}, false, false, true, f, t});
      v.push_back({"_FusedMatMul", {64, 8}, {48, 64}, true, true, true, f, t});
    }
    // Batched, with broadcasting batch dims and adjoints.
    v.push_back({"BatchMatMulV2", {3, 5, 7}, {3, 7, 4}, false, false, false, {}, t});
    v.push_back({"BatchMatMulV2", {3, 7, 5}, {3, 4, 7}, true, true, false, {}, t});
    v.push_back({"BatchMatMulV2", {2, 1, 5, 7}, {3, 7, 4}, false, false, false, {}, t});
    v.push_back({"BatchMatMulV2", {2, 3, 5, 7}, {7, 4}, false, false, true, {}, t});
    v.push_back({"BatchMatMulV2", {2, 3, 7, 5}, {4, 7}, true, true, true, {}, t});
    v.push_back({"BatchMatMulV2", {5, 7}, {2, 3, 7, 4}, false, false, false, {}, t});
    v.push_back({"BatchMatMul", {4, 6, 9}, {4, 9, 3}, false, false, false, {}, t});
    v.push_back({"_AampFusedBatchMatMulV2",
                 {2, 4, 6, 8},
                 {2, 4, 8, 6},
                 false,
                 false,
                 false,
                 {"Mul", "Add"},
                 t});
    v.push_back(
        {"_AampFusedBatchMatMulV2", {2, 6, 8}, {8, 5}, false, false, true, {"BiasAdd", "Relu"}, t});
  }
  return v;
}

INSTANTIATE_TEST_SUITE_P(All, OnednnMatMulTest, ::testing::ValuesIn(matmul_specs()));

// A folded input cast (KernelInit::cast_from): A arrives in float32, the kernel converts blocks of
// rows to the node's dtype and multiplies each (the last block overlaps the one before). Checked
// against the reference kernel on A already converted. 700 rows of 1024: 128-row blocks (256 KiB
// of bfloat16), five of them and an overlapping sixth. The float32 "conversion" runs the same
// blocking on any CPU; bfloat16 where oneDNN has a bfloat16 matmul.
TEST(OnednnCastMatMul, BlocksOfRowsMatchTheCastThenMatMul) {
  for (DType t : {DType::kFloat, DType::kBFloat16}) {
    for (bool fused : {false, true}) {
      KernelCase c{testing::make_node(fused ? "_FusedMatMul" : "MatMul", t,
                                      {{"transpose_a", false}, {"transpose_b", false}}),
                   {},
                   {},
                   {},
                   2};
      const Tensor a32 = testing::random_tensor(DType::kFloat, {700, 1024}, 11);
      c.inputs.push_back(a32.cast_float(t));
      c.inputs.push_back(testing::random_tensor(t, {1024, 24}, 12));
      c.is_const = {false, true};
      c.outputs.push_back({t, {700, 24}});
      if (fused) testing::add_fused_ops(c, {"BiasAdd", "Relu"}, {700, 24}, 24, true, 13);
      const KernelRegistration* ref = testing::find_kernel(c, "reference");
      ASSERT_NE(ref, nullptr);
      const std::vector<Tensor> want = testing::run_kernel(c, *ref);
      KernelCase folded = c;
      folded.node = c.node;
      KernelInit init = folded.init();
      init.node = &folded.node;
      init.cast_from.assign(init.inputs.size(), DType::kInvalid);
      init.cast_from[0] = DType::kFloat;
      const KernelRegistration* fast = nullptr;
      for (const KernelRegistration* r :
           KernelRegistry::global().all(folded.node.op, DeviceKind::kCPU))
        if (r->name == "onednn" && r->folds_input_casts && (!r->supports || r->supports(init)))
          fast = r;
      if (!fast) {
        if (t == DType::kBFloat16) continue;  // no oneDNN bfloat16 matmul on this CPU
        FAIL() << "the oneDNN matmul does not fold a float32 input cast";
      }
      std::unique_ptr<Kernel> k = fast->factory(init);
      Tensor y(t, Shape({700, 24}));
      KernelContext ctx;
      ctx.threads = 2;
      ctx.inputs.push_back({DType::kFloat, {700, 1024}, const_cast<uint8_t*>(a32.raw()), nullptr});
      for (size_t i = 1; i < folded.inputs.size(); ++i)
        ctx.inputs.push_back({folded.inputs[i].dtype(), folded.inputs[i].shape().dims,
                              const_cast<uint8_t*>(folded.inputs[i].raw()), nullptr});
      ctx.outputs.push_back({t, {700, 24}, y.mutable_raw(), nullptr});
      k->run(ctx);
      EXPECT_LE(testing::scaled_max_err(y, want[0]), testing::tolerance(t))
          << dtype_name(t) << (fused ? " fused" : "");
    }
  }
}

}  // namespace
}  // namespace aamp
