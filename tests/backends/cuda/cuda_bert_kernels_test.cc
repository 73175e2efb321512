// The CUDA kernels BERT needs beyond MatMul, against the CPU reference kernels in float32,
// float16 and bfloat16: LayerNorm, _AampFusedAddSoftmax (mask broadcast like NumPy),
// BatchMatMul / BatchMatMulV2 / _AampFusedBatchMatMulV2 over cuBLASLt (adjoints, broadcast batch
// dims, fused Mul / Add / BiasAdd / activations), and the element-wise ops added with them.
// Skipped without a CUDA device, except the checks that need none.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "backends/cuda/cuda_test_util.h"
#include "test_util.h"

namespace aamp::testing {
namespace {

const DType kTypes[] = {DType::kFloat, DType::kHalf, DType::kBFloat16};

using Dims = std::vector<int64_t>;

std::string label(const std::string& op, DType t, const Dims& shape) {
  return op + " " + dtype_name(t) + " " + Shape(shape).to_string();
}

Dims broadcast(Dims a, Dims b) {
  if (a.size() < b.size()) std::swap(a, b);
  for (size_t i = 0; i < b.size(); ++i) {
    int64_t& d = a[a.size() - b.size() + i];
    d = std::max(d, b[i]);
  }
  return a;
}

class CudaBert : public ::testing::TestWithParam<DType> {
 protected:
  void SetUp() override { AAMP_SKIP_WITHOUT_GPU(); }
};

// ---- LayerNorm ------------------------------------------------------------------------------

TEST_P(CudaBert, LayerNormMatchesReference) {
  const DType t = GetParam();
  // 768: BERT (vector loads, a warp per row; 13 rows: a partial block of warps); 520 and 1024:
  // the other warp sizes (ragged and full); 13 and 1001: odd rows (scalar path); 5000: more than
  // a warp's registers (a block per row).
  for (const Dims& shape : std::vector<Dims>{
           {4, 768}, {13, 768}, {3, 520}, {5, 1024}, {2, 3, 13}, {3, 1001}, {2, 5000}, {1, 8}})
    for (DType gt : {DType::kFloat, t}) {
      Node n = make_node("LayerNorm", t, {{"U", gt}, {"epsilon", 1e-5f}});
      const int64_t c = shape.back();
      KernelCase k{n,
                   {random_tensor(t, shape, 3, -4.0f, 6.0f), random_tensor(gt, {c}, 4, 0.5f, 1.5f),
                    random_tensor(gt, {c}, 5)},
                   {false, true, true},
                   {{t, shape}}};
      expect_gpu_matches_reference(k, label("LayerNorm gamma " + dtype_name(gt), t, shape));
    }
}

// ---- _AampFusedAddSoftmax -------------------------------------------------------------------

TEST_P(CudaBert, AddSoftmaxBroadcastsTheMask) {
  const DType t = GetParam();
  const std::vector<std::pair<Dims, Dims>> shapes = {
      {{2, 12, 16, 128}, {2, 1, 1, 128}},  // BERT: [B,H,S,S] + [B,1,1,S]
      {{2, 3, 5, 7}, {2, 3, 5, 7}},        // same shape
      {{3, 2000}, {2000}},                 // block per row
      {{3, 33}, {33}},                     // rows in registers: 2 per lane, a ragged last one
      {{2, 300}, {1}},                     //   16 per lane
      {{2, 1024}, {1024}},                 //   32 per lane, full
      {{4, 9}, {4, 1}},                    // mask broadcast along the softmax axis
      {{1, 7}, {3, 7}},                    // the logits broadcast
      {{5}, {}}};
  for (const auto& [sx, sm] : shapes) {
    const Dims out = broadcast(sx, sm);
    KernelCase c{make_node("_AampFusedAddSoftmax", t),
                 {random_tensor(t, sx, 7, -5.0f, 5.0f), random_tensor(t, sm, 8, -3.0f, 0.0f)},
                 {false, true},
                 {{t, out}}};
    expect_gpu_matches_reference(
        c, label("_AampFusedAddSoftmax", t, sx) + " + " + Shape(sm).to_string());
  }
}

// ---- BatchMatMul ----------------------------------------------------------------------------

struct BmmShape {
  Dims a, b;  // as stored (adjoints applied by the attrs)
  bool adj_x = false, adj_y = false;
};

Dims bmm_out(const BmmShape& s) {
  Dims ba(s.a.begin(), s.a.end() - 2), bb(s.b.begin(), s.b.end() - 2);
  Dims out = broadcast(ba, bb);
  const int64_t m = s.adj_x ? s.a.back() : s.a[s.a.size() - 2];
  const int64_t n = s.adj_y ? s.b[s.b.size() - 2] : s.b.back();
  out.push_back(m);
  out.push_back(n);
  return out;
}

const std::vector<BmmShape> kBmmShapes = {
    {{2, 3, 5, 7}, {2, 3, 7, 4}},
    {{2, 3, 5, 7}, {2, 3, 4, 7}, false, true},  // BERT's Q K^T
    {{2, 3, 7, 5}, {2, 3, 7, 4}, true, false},
    {{2, 3, 7, 5}, {2, 3, 4, 7}, true, true},
    {{2, 4, 16, 16}, {2, 4, 16, 8}},         // BERT's P V
    {{2, 3, 5, 7}, {7, 4}},                  // b broadcast: folded into M
    {{2, 3, 7, 5}, {1, 7, 4}, true, false},  // b broadcast under adj_x: stride 0
    {{5, 7}, {6, 7, 4}},                     // a broadcast
    {{3, 1, 13}, {3, 13, 1}},                // odd sizes
    {{4, 9}, {9, 3}}};                       // no batch dims

TEST_P(CudaBert, BatchMatMulMatchesReference) {
  const DType t = GetParam();
  for (const char* op : {"BatchMatMulV2", "BatchMatMul"})
    for (const BmmShape& s : kBmmShapes) {
      if (std::string(op) == "BatchMatMul" && s.a.size() != s.b.size()) continue;
      KernelCase c{make_node(op, t, {{"adj_x", s.adj_x}, {"adj_y", s.adj_y}}),
                   {random_tensor(t, s.a, 1), random_tensor(t, s.b, 2)},
                   {false, false},
                   {{t, bmm_out(s)}}};
      expect_gpu_matches_reference(c, label(op, t, s.a) + " x " + Shape(s.b).to_string() +
                                          (s.adj_x ? " adj_x" : "") + (s.adj_y ? " adj_y" : ""));
    }
}

TEST_P(CudaBert, FusedBatchMatMulEpiloguesMatchReference) {
  const DType t = GetParam();
  const BmmShape s{{2, 3, 5, 8}, {2, 3, 6, 8}, false, true};
  const Dims out = bmm_out(s);
  const std::vector<std::vector<std::string>> fusions = {
      {"Mul"}, {"Mul", "Add"}, {"BiasAdd", "Relu"}, {"Add", "GeluApproximate"}, {"Mul", "Tanh"}};
  for (const auto& ops : fusions)
    for (bool const_args : {true, false}) {  // a non-constant Mul runs after the GEMM
      KernelCase c{make_node("_AampFusedBatchMatMulV2", t, {{"adj_x", false}, {"adj_y", true}}),
                   {random_tensor(t, s.a, 11), random_tensor(t, s.b, 12)},
                   {false, false},
                   {{t, out}}};
      add_fused_ops(c, ops, out, out.back(), const_args, 13);
      std::string name = label("_AampFusedBatchMatMulV2", t, s.a);
      for (const auto& o : ops) name += " " + o;
      expect_gpu_matches_reference(c, name + (const_args ? " const" : ""));
    }
}

INSTANTIATE_TEST_SUITE_P(Dtypes, CudaBert, ::testing::ValuesIn(kTypes),
                         [](const auto& i) { return dtype_name(i.param); });

// Batch dims broadcast both ways ([2,1] x [1,3]) need more than one strided GEMM: refused, so the
// plan reports the node instead of computing wrong values. No device needed.
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

// ---- element-wise ---------------------------------------------------------------------------

class CudaElementwise : public ::testing::TestWithParam<DType> {
 protected:
  void SetUp() override { AAMP_SKIP_WITHOUT_GPU(); }
};

TEST_P(CudaElementwise, UnaryOpsMatchReference) {
  const DType t = GetParam();
  struct U {
    const char* op;
    float lo, hi;
    AttrMap attrs;
  };
  const std::vector<U> ops = {{"Erf", -3, 3, {}},
                              {"Rsqrt", 0.1f, 4, {}},
                              {"Sqrt", 0.0f, 9, {}},
                              {"Exp", -4, 4, {}},
                              {"Log", 0.05f, 20, {}},
                              {"Neg", -5, 5, {}},
                              {"Square", -5, 5, {}},
                              {"Abs", -5, 5, {}},
                              {"Elu", -5, 5, {}},
                              {"LeakyRelu", -5, 5, {{"alpha", 0.1f}}},
                              {"Gelu", -5, 5, {{"approximate", false}}},
                              {"Gelu", -5, 5, {{"approximate", true}}}};
  for (const U& u : ops)
    for (const Dims& shape : std::vector<Dims>{{7}, {3, 129}}) {
      KernelCase c{
          make_node(u.op, t, u.attrs), {random_tensor(t, shape, 17, u.lo, u.hi)}, {}, {{t, shape}}};
      expect_gpu_matches_reference(c, label(u.op, t, shape));
    }
}

TEST_P(CudaElementwise, BinaryOpsBroadcastLikeNumPy) {
  const DType t = GetParam();
  const std::vector<std::pair<Dims, Dims>> shapes = {
      {{4, 5}, {4, 5}}, {{2, 3, 4}, {4}}, {{2, 1}, {1, 4}}, {{5, 3}, {}}};
  for (const char* op : {"Maximum", "Minimum", "Pow", "SquaredDifference"})
    for (const auto& [sa, sb] : shapes) {
      KernelCase c{make_node(op, t),
                   {random_tensor(t, sa, 3, 0.5f, 2.0f), random_tensor(t, sb, 4, -2.0f, 2.0f)},
                   {false, true},
                   {{t, broadcast(sa, sb)}}};
      expect_gpu_matches_reference(c, label(op, t, sa) + " with " + Shape(sb).to_string());
    }
}

TEST_P(CudaElementwise, CastFromIntegersAndBool) {
  const DType dst = GetParam();
  for (DType src : {DType::kInt32, DType::kInt64, DType::kBool}) {
    Node n;
    n.name = "test_Cast";
    n.op = "Cast";
    n.attrs["SrcT"] = src;
    n.attrs["DstT"] = dst;
    const Dims shape = {3, 257};
    std::vector<int32_t> v(3 * 257);
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int32_t>(i * 37 % 501) - 250;
    Tensor x = Tensor::from_vector<int32_t>(Shape(shape), v);
    if (src == DType::kBool) {
      std::vector<uint8_t> b(v.size());
      for (size_t i = 0; i < v.size(); ++i) b[i] = v[i] > 0;
      x = Tensor::from_bytes(DType::kBool, Shape(shape), b);
    } else if (src == DType::kInt64) {
      std::vector<int64_t> w(v.begin(), v.end());
      x = Tensor::from_vector<int64_t>(Shape(shape), w);
    }
    KernelCase c{n, {x}, {}, {{dst, shape}}};
    expect_gpu_matches_reference(c, "Cast " + dtype_name(src) + " -> " + dtype_name(dst));
  }
}

INSTANTIATE_TEST_SUITE_P(Dtypes, CudaElementwise, ::testing::ValuesIn(kTypes),
                         [](const auto& i) { return dtype_name(i.param); });

}  // namespace
}  // namespace aamp::testing
