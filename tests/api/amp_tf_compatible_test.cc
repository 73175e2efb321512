// optimize() with tf_compatible (`aamp convert --tf-compatible`): on a graph where the default
// remapper creates aamp-only fused ops, the tf-compatible result has only stock TensorFlow ops,
// passes validate(tf_compatible) and is still converted to bfloat16 as expected.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aamp/api/config.h"
#include "aamp/api/optimize.h"
#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"
#include "aamp/ops/registry.h"
#include "aamp/ops/validate.h"
#include "passes/amp_test_util.h"
#include "passes/pass_check_util.h"

namespace aamp {
namespace {

using namespace amp_test;  // NOLINT(build/namespaces): the helpers of amp_test_util.h

// Attention scaling (BatchMatMulV2 * scalar) and a dense layer with a sigmoid
// (MatMul + BiasAdd + Sigmoid).
const char* kGraph = R"(
node { name: "q" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "shape" value { shape { dim { size: -1 } dim { size: 4 } dim { size: 4 } } } } }
node { name: "k" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "shape" value { shape { dim { size: -1 } dim { size: 4 } dim { size: 4 } } } } }
node { name: "bm" op: "BatchMatMulV2" input: "q" input: "k"
  attr { key: "T" value { type: DT_FLOAT } } attr { key: "adj_y" value { b: true } } }
node { name: "scale" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { } float_val: 0.5 } } } }
node { name: "mul" op: "Mul" input: "bm" input: "scale"
  attr { key: "T" value { type: DT_FLOAT } } }
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "shape" value { shape { dim { size: -1 } dim { size: 4 } } } } }
node { name: "w" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT
  tensor_shape { dim { size: 4 } dim { size: 4 } } float_val: 0.25 } } } }
node { name: "b" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 4 } }
  float_val: 0.1 float_val: 0.2 float_val: 0.3 float_val: 0.4 } } } }
node { name: "mm" op: "MatMul" input: "x" input: "w" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "ba" op: "BiasAdd" input: "mm" input: "b"
  attr { key: "T" value { type: DT_FLOAT } } }
node { name: "sg" op: "Sigmoid" input: "ba" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "out_attn" op: "Identity" input: "mul" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "out_dense" op: "Identity" input: "sg" attr { key: "T" value { type: DT_FLOAT } } }
)";

std::vector<std::string> aamp_only_ops(const Graph& g) {
  std::vector<std::string> out;
  for (const auto& n : g.nodes()) {
    const OpInfo* info = OpRegistry::global().find(n->op);
    if (info && (info->def.aamp_only || info->def.tfjs_only)) out.push_back(n->name + ":" + n->op);
  }
  return out;
}

TEST(AmpTfCompatibleTest, DefaultModeFusesIntoAampOnlyOps) {
  Graph g = parse_graphdef_text(kGraph, "<tfc>");
  OptimizeResult r = optimize(g, testing::checked(AmpConfig{}), DeviceKind::kCPU);
  ASSERT_TRUE(r.amp_ran);
  EXPECT_EQ(g.at("mul").op, "_AampFusedBatchMatMulV2");
  EXPECT_EQ(aamp_only_ops(g), std::vector<std::string>{"mul:_AampFusedBatchMatMulV2"});
  EXPECT_EQ(g.at("sg").op, "_FusedMatMul");
  EXPECT_EQ(g.at("sg").attr_list("fused_ops").s, (std::vector<std::string>{"BiasAdd", "Sigmoid"}));
  EXPECT_FALSE(validate(g, /*tf_compatible=*/true).ok());
  EXPECT_TRUE(validate(g, /*tf_compatible=*/false).ok()) << validate(g, false).summary();
}

TEST(AmpTfCompatibleTest, TfCompatibleModeValidatesAndConverts) {
  Graph g = parse_graphdef_text(kGraph, "<tfc>");
  AmpConfig c;
  c.tf_compatible = true;
  OptimizeResult r = optimize(g, testing::checked(c), DeviceKind::kCPU);
  ASSERT_TRUE(r.amp_ran);
  ValidationResult v = validate(g, /*tf_compatible=*/true);
  EXPECT_TRUE(v.ok()) << v.summary();
  EXPECT_TRUE(aamp_only_ops(g).empty());
  // BatchMatMulV2 + Mul stay apart (stock TF has no fused form); MatMul + BiasAdd fuse into TF's
  // own _FusedMatMul, the Sigmoid (not a stock fused activation) stays a node of its own.
  EXPECT_EQ(g.at("bm").op, "BatchMatMulV2");
  EXPECT_EQ(g.at("mul").op, "Mul");
  EXPECT_EQ(g.find("mm"), nullptr);
  EXPECT_EQ(g.at("ba").op, "_FusedMatMul");
  EXPECT_EQ(g.at("ba").attr_list("fused_ops").s, std::vector<std::string>{"BiasAdd"});
  EXPECT_EQ(g.at("sg").op, "Sigmoid");
  for (const char* n : {"bm", "mul", "ba", "sg"})
    EXPECT_EQ(g.at(n).attr_type("T"), kBF16) << n << "\n" << r.amp.decisions_tsv();
  for (const char* n : {"scale", "w", "b"}) EXPECT_EQ(g.at(n).attr_type("dtype"), kBF16) << n;
  for (const char* n : {"out_attn", "out_dense"}) EXPECT_EQ(g.at(n).attr_type("T"), kF32) << n;
  EXPECT_EQ(count_op(g, "Cast"), 5);
  expect_cast(g, cast_name("q", 0, "CastToBf16"), "q", kF32, kBF16);
  expect_cast(g, cast_name("k", 0, "CastToBf16"), "k", kF32, kBF16);
  expect_cast(g, cast_name("x", 0, "CastToBf16"), "x", kF32, kBF16);
  expect_cast(g, cast_name("mul", 0, "CastToFp32"), "mul", kBF16, kF32);
  expect_cast(g, cast_name("sg", 0, "CastToFp32"), "sg", kBF16, kF32);
  EXPECT_EQ(g.at("bm").inputs, (std::vector<std::string>{cast_name("q", 0, "CastToBf16"),
                                                         cast_name("k", 0, "CastToBf16")}));
  EXPECT_EQ(g.at("ba").inputs,
            (std::vector<std::string>{cast_name("x", 0, "CastToBf16"), "w", "b"}));
  EXPECT_EQ(g.at("mul").inputs, (std::vector<std::string>{"bm", "scale"}));
  EXPECT_EQ(g.at("out_attn").inputs, std::vector<std::string>{cast_name("mul", 0, "CastToFp32")});
  EXPECT_EQ(g.at("out_dense").inputs, std::vector<std::string>{cast_name("sg", 0, "CastToFp32")});
  // The graph saved as a .pb and read back is still tf-compatible.
  Graph back = parse_graphdef_binary(serialize_graphdef_binary(g), "<tfc.pb>");
  EXPECT_TRUE(validate(back, /*tf_compatible=*/true).ok());
}

// optimize() gives each _FusedConv2D the TArgs TensorFlow requires, one dtype per num_args arg.
// num_args is required too (its OpDef declares no default): a fused conv without it is an error
// naming the node, not an empty TArgs (TensorFlow would reject the node either way).
TEST(AmpTfCompatibleTest, FusedConvTArgsFollowNumArgs) {
  const std::string conv = R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "shape" value { shape { dim { size: 1 } dim { size: 4 } dim { size: 4 } dim { size: 2 } } } } }
node { name: "w" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT
  tensor_shape { dim { size: 1 } dim { size: 1 } dim { size: 2 } dim { size: 2 } } float_val: 0.5 } } } }
node { name: "b" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } } float_val: 0.1 } } } }
node { name: "c" op: "_FusedConv2D" input: "x" input: "w" input: "b"
  attr { key: "T" value { type: DT_FLOAT } } NUM_ARGS
  attr { key: "strides" value { list { i: 1 i: 1 i: 1 i: 1 } } } attr { key: "padding" value { s: "SAME" } }
  attr { key: "fused_ops" value { list { s: "BiasAdd" } } } }
node { name: "out" op: "Identity" input: "c" attr { key: "T" value { type: DT_FLOAT } } }
)";
  auto with = [&](const std::string& num_args) {
    std::string s = conv;
    s.replace(s.find("NUM_ARGS"), 8, num_args);
    return parse_graphdef_text(s, "<tfc>");
  };
  AmpConfig c;
  c.tf_compatible = true;
  Graph g = with("attr { key: \"num_args\" value { i: 1 } }");
  optimize(g, c, DeviceKind::kCPU);
  EXPECT_EQ(g.at("c").attr_list("TArgs").type.size(), 1u);
  Graph bad = with("");
  try {
    optimize(bad, c, DeviceKind::kCPU);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidGraph);
    EXPECT_EQ(std::string(e.what()),
              "node 'c' (_FusedConv2D): missing attr 'num_args' (its op declares no default)");
  }
}

}  // namespace
}  // namespace aamp
