// Session creation checks and the plan cache on small golden graphs: the unsupported-op message
// with several op types, fused_ops entries no kernel accepts, float16 on a CPU without native
// float16, one plan per input-shape signature and fetch list, GatherV2 index range errors.
#include "aamp/runtime/session.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "aamp/core/cpu_features.h"
#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"
#include "tensor_test_util.h"

namespace aamp {
namespace {

using testing::values;

std::string dims_pbtxt(const std::vector<int64_t>& dims) {
  std::string s;
  for (int64_t d : dims) s += " dim { size: " + std::to_string(d) + " }";
  return s;
}

std::string placeholder(const std::string& name, const std::string& dtype,
                        const std::vector<int64_t>& dims) {
  return "node { name: \"" + name +
         "\" op: \"Placeholder\" attr { key: \"dtype\" value { type: " + dtype +
         " } } attr { key: \"shape\" value { shape {" + dims_pbtxt(dims) + " } } } }\n";
}

std::string const_f32(const std::string& name, const std::vector<int64_t>& dims,
                      const std::vector<float>& v) {
  std::string vals;
  for (float x : v) vals += " float_val: " + std::to_string(x);
  return "node { name: \"" + name +
         "\" op: \"Const\" attr { key: \"dtype\" value { type: DT_FLOAT } } attr { key: \"value\" "
         "value { tensor { dtype: DT_FLOAT tensor_shape {" +
         dims_pbtxt(dims) + " }" + vals + " } } } }\n";
}

std::string const_i32(const std::string& name, const std::vector<int64_t>& dims,
                      const std::vector<int>& v) {
  std::string vals;
  for (int x : v) vals += " int_val: " + std::to_string(x);
  return "node { name: \"" + name +
         "\" op: \"Const\" attr { key: \"dtype\" value { type: DT_INT32 } } attr { key: \"value\" "
         "value { tensor { dtype: DT_INT32 tensor_shape {" +
         dims_pbtxt(dims) + " }" + vals + " } } } }\n";
}

// A node with attr T = `dtype` (plus `extra` attrs).
std::string typed_node(const std::string& name, const std::string& op,
                       const std::vector<std::string>& inputs,
                       const std::string& dtype = "DT_FLOAT", const std::string& extra = "") {
  std::string s = "node { name: \"" + name + "\" op: \"" + op + "\"";
  for (const auto& i : inputs) s += " input: \"" + i + "\"";
  return s + " attr { key: \"T\" value { type: " + dtype + " } }" + extra + " }\n";
}

std::string fused_ops(const std::vector<std::string>& ops, int num_args) {
  std::string l;
  for (const auto& o : ops) l += " s: \"" + o + "\"";
  return " attr { key: \"fused_ops\" value { list {" + l +
         " } } } attr { key: \"num_args\" value { i: " + std::to_string(num_args) + " } }";
}

// The Error thrown by creating a Session on `pbtxt` (fails the test when none is thrown).
Error creation_error(const std::string& pbtxt) {
  try {
    Session s(parse_graphdef_text(pbtxt, "golden.pbtxt"));
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "Session creation succeeded";
  return Error(ErrorCode::kInternal, "no error");
}

// ---- unsupported ops ------------------------------------------------------------------------

// Several unsupported types, listed in order of first appearance with counts and first nodes:
// unknown ops, an op with a signature but no CPU kernel, and a kernel missing for the dtype.
TEST(Session, UnsupportedOpsMessageListsEveryTypeWithCountAndFirstNode) {
  const std::string g = placeholder("x", "DT_FLOAT", {2, 2}) +
                        placeholder("d", "DT_DOUBLE", {2, 2}) + typed_node("f1", "FooOp", {"x"}) +
                        typed_node("m", "MatMul", {"d", "d"}, "DT_DOUBLE") +
                        typed_node("f2", "FooOp", {"f1"}) + typed_node("c1", "Cholesky", {"x"}) +
                        typed_node("r", "Relu", {"x"}) + typed_node("f3", "FooOp", {"r"}) +
                        typed_node("c2", "Cholesky", {"x"});
  const std::string want =
      "graph has 3 unsupported op types on cpu: FooOp (3 nodes, first 'f1'), MatMul in float64 (1 "
      "node, first 'm'), Cholesky (2 nodes, first 'c1')";
  const Graph graph = parse_graphdef_text(g, "unsupported.pbtxt");
  EXPECT_EQ(unsupported_ops_message(graph, DeviceKind::kCPU), want);
  const Error e = creation_error(g);
  EXPECT_EQ(e.code(), ErrorCode::kUnimplemented);
  EXPECT_EQ(std::string(e.what()), want);
}

// ---- fused_ops checked at creation ----------------------------------------------------------

const char* kSupportedFused =
    "(supported: BiasAdd, Add, Mul, Prelu, FusedBatchNorm, Relu, Relu6, Elu, LeakyRelu, "
    "Sigmoid, Tanh, Swish, Mish, HardSwish, GeluExact, GeluApproximate)";

TEST(Session, UnknownFusedOpEntryFailsAtCreationNamingNodeAndOp) {
  const std::string conv_attrs =
      " attr { key: \"strides\" value { list { i: 1 i: 1 i: 1 i: 1 } } }"
      " attr { key: \"padding\" value { s: \"SAME\" } }";
  struct Case {
    std::string op, extra;
  };
  for (const Case& c : {Case{"_FusedMatMul", ""}, Case{"_FusedConv2D", conv_attrs},
                        Case{"FusedDepthwiseConv2dNative", conv_attrs}}) {
    SCOPED_TRACE(c.op);
    const std::string g = placeholder("x", "DT_FLOAT", {1, 2, 2, 2}) +
                          const_f32("w", {1, 1, 2, 2}, {1, 2, 3, 4}) +
                          const_f32("b", {2}, {0.5f, -0.5f}) +
                          typed_node("f", c.op, {"x", "w", "b"}, "DT_FLOAT",
                                     fused_ops({"BiasAdd", "Softplus"}, 1) + c.extra);
    const Error e = creation_error(g);
    EXPECT_EQ(e.code(), ErrorCode::kUnimplemented);
    EXPECT_EQ(std::string(e.what()), "node 'f' (" + c.op +
                                         "): unsupported fused op 'Softplus' in fused_ops "
                                         "[BiasAdd, Softplus] " +
                                         kSupportedFused);
  }
}

TEST(Session, FusedOpsArgumentCountCheckedAtCreation) {
  // FusedBatchNorm takes 4 args; the node has only the bias.
  const std::string g = placeholder("x", "DT_FLOAT", {2, 2}) +
                        const_f32("w", {2, 2}, {1, 2, 3, 4}) + const_f32("b", {2}, {1, 1}) +
                        typed_node("mm", "_FusedMatMul", {"x", "w", "b"}, "DT_FLOAT",
                                   fused_ops({"BiasAdd", "FusedBatchNorm"}, 1));
  const Error e = creation_error(g);
  EXPECT_EQ(e.code(), ErrorCode::kInvalidGraph);
  EXPECT_EQ(
      std::string(e.what()),
      "node 'mm' (_FusedMatMul): fused_ops [BiasAdd, FusedBatchNorm] need 5 args, node has 1");
}

TEST(Session, SupportedFusedOpsStillRun) {
  const std::string g = placeholder("x", "DT_FLOAT", {2, 2}) +
                        const_f32("w", {2, 2}, {1, 2, 3, 4}) + const_f32("b", {2}, {-8, 1}) +
                        typed_node("mm", "_FusedMatMul", {"x", "w", "b"}, "DT_FLOAT",
                                   fused_ops({"BiasAdd", "Relu"}, 1));
  Session s(parse_graphdef_text(g, "fused_ok.pbtxt"));
  // [[1,1],[2,1]] x [[1,2],[3,4]] = [[4,6],[5,8]]; + [-8,1]; Relu.
  const Tensor x = Tensor::from_vector<float>(Shape{2, 2}, {1, 1, 2, 1});
  EXPECT_EQ(values(s.run({{"x", x}}, {"mm"}).at(0)), (std::vector<float>{0, 7, 0, 9}));
}

// ---- plan cache -----------------------------------------------------------------------------

// On the CPU, run_resident's views point at host copies of the fetches (the constant one
// included), valid until the next run.
TEST(Session, ResidentFetchesOnTheCpuAreHostViews) {
  const std::string g = placeholder("x", "DT_FLOAT", {-1, 2}) + const_f32("c", {2}, {10, 20}) +
                        typed_node("y", "AddV2", {"x", "c"});
  Session s(parse_graphdef_text(g, "resident.pbtxt"));
  const Tensor x = Tensor::from_vector<float>(Shape{2, 2}, {1, 2, 3, 4});
  const std::vector<ResidentTensor> r = s.run_resident({{"x", x}}, {"y", "c"});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_FALSE(r[0].on_device);
  EXPECT_EQ(r[0].dtype, DType::kFloat);
  EXPECT_EQ(r[0].shape, Shape({2, 2}));
  const float* y = static_cast<const float*>(r[0].data);
  EXPECT_EQ(std::vector<float>(y, y + 4), (std::vector<float>{11, 22, 13, 24}));
  const float* c = static_cast<const float*>(r[1].data);
  EXPECT_EQ(std::vector<float>(c, c + 2), (std::vector<float>{10, 20}));
}

TEST(Session, OnePlanPerInputShapeSignatureAndFetchList) {
  const std::string g = placeholder("x", "DT_FLOAT", {-1, 2}) + const_f32("c", {2}, {10, 20}) +
                        typed_node("y", "AddV2", {"x", "c"}) + typed_node("z", "Neg", {"y"});
  Session s(parse_graphdef_text(g, "cache.pbtxt"));
  EXPECT_EQ(s.cached_plans(), 0u);
  const Tensor b2 = Tensor::from_vector<float>(Shape{2, 2}, {1, 2, 3, 4});
  const Tensor b4 = Tensor::from_vector<float>(Shape{4, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  const Tensor b2b = Tensor::from_vector<float>(Shape{2, 2}, {-1, -2, -3, -4});
  EXPECT_EQ(values(s.run({{"x", b2}}, {"y"}).at(0)), (std::vector<float>{11, 22, 13, 24}));
  EXPECT_EQ(s.cached_plans(), 1u);
  const std::vector<Tensor> r4 = s.run({{"x", b4}}, {"y"});
  EXPECT_EQ(r4.at(0).shape().dims, (std::vector<int64_t>{4, 2}));
  EXPECT_EQ(values(r4.at(0)), (std::vector<float>{11, 22, 13, 24, 15, 26, 17, 28}));
  EXPECT_EQ(s.cached_plans(), 2u);
  // Batch 2 again (other values): the first plan is reused.
  EXPECT_EQ(values(s.run({{"x", b2b}}, {"y"}).at(0)), (std::vector<float>{9, 18, 7, 16}));
  EXPECT_EQ(s.cached_plans(), 2u);
  // Another fetch list for the same shapes compiles another plan.
  const std::vector<Tensor> yz = s.run({{"x", b2}}, {"z", "y"});
  ASSERT_EQ(yz.size(), 2u);
  EXPECT_EQ(values(yz[0]), (std::vector<float>{-11, -22, -13, -24}));
  EXPECT_EQ(values(yz[1]), (std::vector<float>{11, 22, 13, 24}));
  EXPECT_EQ(s.cached_plans(), 3u);
  EXPECT_EQ(values(s.run({{"x", b4}}, {"y"}).at(0)),
            (std::vector<float>{11, 22, 13, 24, 15, 26, 17, 28}));
  EXPECT_EQ(s.cached_plans(), 3u);
}

// ---- GatherV2 index range -------------------------------------------------------------------

TEST(Session, GatherV2OutOfRangeIndexIsAnErrorNamingNodeIndexAndRange) {
  const std::string g =
      placeholder("p", "DT_FLOAT", {3, 2}) + placeholder("i", "DT_INT32", {2}) +
      const_i32("axis", {}, {0}) +
      "node { name: \"g\" op: \"GatherV2\" input: \"p\" input: \"i\" input: \"axis\" "
      "attr { key: \"Tparams\" value { type: DT_FLOAT } } "
      "attr { key: \"Tindices\" value { type: DT_INT32 } } "
      "attr { key: \"Taxis\" value { type: DT_INT32 } } }\n";
  Session s(parse_graphdef_text(g, "gather.pbtxt"));
  const Tensor p = Tensor::from_vector<float>(Shape{3, 2}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(
      values(s.run({{"p", p}, {"i", Tensor::from_vector<int32_t>(Shape{2}, {2, 0})}}, {"g"}).at(0)),
      (std::vector<float>{5, 6, 1, 2}));
  for (const auto& [bad, msg] : std::vector<std::pair<std::vector<int32_t>, std::string>>{
           {{0, 3}, "indices[1] = 3 is not in [0, 3)"},
           {{-1, 1}, "indices[0] = -1 is not in [0, 3)"}}) {
    try {
      s.run({{"p", p}, {"i", Tensor::from_vector<int32_t>(Shape{2}, bad)}}, {"g"});
      ADD_FAILURE() << "no error for " << msg;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
      EXPECT_EQ(std::string(e.what()),
                "node 'g' (GatherV2): " + msg + " (params dim 0 has 3 entries)");
    }
  }
}

// ---- float16 on a CPU without native float16 ------------------------------------------------

class Float16Test : public ::testing::Test {
 protected:
  void SetUp() override { unsetenv("AAMP_ALLOW_EMULATED_FP16"); }
  void TearDown() override { unsetenv("AAMP_ALLOW_EMULATED_FP16"); }
};

const std::string kHalfGraph = placeholder("x", "DT_HALF", {3}) +
                               typed_node("r", "Relu", {"x"}, "DT_HALF") +
                               typed_node("a", "AddV2", {"r", "r"}, "DT_HALF");

TEST_F(Float16Test, RefusedAtCreationWithoutNativeFloat16) {
  if (cpu_has_native_fp16()) {
    Session s(parse_graphdef_text(kHalfGraph, "half.pbtxt"));
    SUCCEED() << "this CPU has AVX512-FP16";
    return;
  }
  const Error e = creation_error(kHalfGraph);
  EXPECT_EQ(e.code(), ErrorCode::kUnimplemented);
  EXPECT_EQ(std::string(e.what()),
            "node 'r' (Relu) computes in float16, but this CPU has no native float16 "
            "(AVX512-FP16): convert the model to bfloat16 for the CPU (or run it on the GPU); "
            "AAMP_ALLOW_EMULATED_FP16=1 runs float16 in the slow reference kernels");
  setenv("AAMP_ALLOW_EMULATED_FP16", "0", 1);
  EXPECT_EQ(creation_error(kHalfGraph).code(), ErrorCode::kUnimplemented);
}

TEST_F(Float16Test, EmulatedWhenAllowedByTheEnvironment) {
  setenv("AAMP_ALLOW_EMULATED_FP16", "1", 1);
  Session s(parse_graphdef_text(kHalfGraph, "half.pbtxt"));
  const Tensor x = Tensor::from_vector<float>(Shape{3}, {-1.5f, 0.25f, 3}).cast_float(DType::kHalf);
  const std::vector<Tensor> out = s.run({{"x", x}}, {"a"});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dtype(), DType::kHalf);
  EXPECT_EQ(values(out[0]), (std::vector<float>{0, 0.5f, 6}));
}

// Casts to and from float16 (and float16 constants) do not compute in float16.
TEST_F(Float16Test, CastsAndConstantsInFloat16AreAllowed) {
  const std::string g =
      placeholder("x", "DT_FLOAT", {2}) +
      "node { name: \"h\" op: \"Cast\" input: \"x\" attr { key: \"SrcT\" value { type: DT_FLOAT "
      "} } attr { key: \"DstT\" value { type: DT_HALF } } }\n"
      "node { name: \"c\" op: \"Const\" attr { key: \"dtype\" value { type: DT_HALF } } "
      "attr { key: \"value\" value { tensor { dtype: DT_HALF tensor_shape { dim { size: 2 } } "
      "half_val: 15360 half_val: 16384 } } } }\n"
      "node { name: \"f\" op: \"Cast\" input: \"h\" attr { key: \"SrcT\" value { type: DT_HALF } "
      "} attr { key: \"DstT\" value { type: DT_FLOAT } } }\n"
      "node { name: \"cf\" op: \"Cast\" input: \"c\" attr { key: \"SrcT\" value { type: DT_HALF "
      "} } attr { key: \"DstT\" value { type: DT_FLOAT } } }\n" +
      typed_node("y", "Mul", {"f", "cf"});
  Session s(parse_graphdef_text(g, "half_casts.pbtxt"));
  const Tensor x = Tensor::from_vector<float>(Shape{2}, {0.5f, -3});
  // half_val 15360 = 1.0, 16384 = 2.0.
  EXPECT_EQ(values(s.run({{"x", x}}, {"y"}).at(0)), (std::vector<float>{0.5f, -6}));
}

}  // namespace
}  // namespace aamp
