// Golden-graph tests of aamp's const-rooted rule (AmpPainter::allow_const_rooted, not in TF):
// clear/infer nodes upstream of ALLOW whose float inputs all come from Consts (embedding
// lookups, their sums) are converted with their tables; anything reading a graph input, or an
// integer cast to float, is left to TF's rules.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aamp/passes/auto_mixed_precision.h"
#include "passes/amp_test_util.h"

namespace aamp {
namespace {

using namespace amp_test;  // NOLINT(build/namespaces): the helpers of amp_test_util.h

std::string f32_const(const std::string& name, int rows) {
  std::string s = "node { name: \"" + name +
                  "\" op: \"Const\" attr { key: \"dtype\" value { type: DT_FLOAT } } attr { key: "
                  "\"value\" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: " +
                  std::to_string(rows) + " } dim { size: 4 } } ";
  for (int i = 0; i < rows * 4; ++i) s += "float_val: " + std::to_string(0.125 * (i % 7)) + " ";
  return s + "} } } }\n";
}

const char* kIdsAndAxis =
    "node { name: \"ids\" op: \"Placeholder\" attr { key: \"dtype\" value { type: DT_INT32 } } "
    "attr { key: \"shape\" value { shape { dim { size: 2 } } } } }\n"
    "node { name: \"axis\" op: \"Const\" attr { key: \"dtype\" value { type: DT_INT32 } } "
    "attr { key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape { } int_val: 0 } } } }\n";

std::string op(const std::string& name, const std::string& type,
               const std::vector<std::string>& inputs) {
  std::string s = "node { name: \"" + name + "\" op: \"" + type + "\"";
  for (const auto& i : inputs) s += " input: \"" + i + "\"";
  return s + " attr { key: \"T\" value { type: DT_FLOAT } } }\n";
}

std::string gather(const std::string& name, const std::string& table) {
  return "node { name: \"" + name + "\" op: \"GatherV2\" input: \"" + table +
         "\" input: \"ids\" input: \"axis\" attr { key: \"Tparams\" value { type: DT_FLOAT } } "
         "attr { key: \"Tindices\" value { type: DT_INT32 } } attr { key: \"Taxis\" value { type: "
         "DT_INT32 } } attr { key: \"batch_dims\" value { i: 0 } } }\n";
}

AmpReport run_const_rooted(Graph& g) {
  PassContext ctx;
  ctx.fetches = {"out"};
  return run_amp(g, AmpOptions{}, ctx);
}

// emb[ids] + pos -> MatMul: the lookup and the sum convert (TF leaves both float32, nothing ALLOW
// being upstream); the only Cast left is the fetch's way back to float32.
TEST(AmpConstRootedTest, EmbeddingLookupAndSumConvertWithTheirTables) {
  Graph g = parse(std::string(kIdsAndAxis) + f32_const("emb", 10) + f32_const("pos", 2) +
                  f32_const("w", 4) + gather("g", "emb") + op("sum", "AddV2", {"g", "pos"}) +
                  op("m", "MatMul", {"sum", "w"}) + op("out", "Identity", {"m"}));
  const AmpReport r = run_const_rooted(g);
  EXPECT_EQ(g.at("g").attr_type("Tparams"), kBF16);
  EXPECT_EQ(g.at("g").attr_type("Tindices"), DType::kInt32);
  EXPECT_EQ(rule_of(r, "g"), "const-rooted");
  EXPECT_EQ(g.at("sum").attr_type("T"), kBF16);
  EXPECT_EQ(rule_of(r, "sum"), "const-rooted");
  EXPECT_EQ(g.at("m").attr_type("T"), kBF16);
  for (const auto& n : g.nodes())
    if (n->op == "Cast") {
      EXPECT_EQ(n->name, cast_name("m", 0, "CastToFp32"));
    }
  EXPECT_EQ(g.at("out").attr_type("T"), kF32);
}

// A graph input in the sum: TF's rules apply unchanged (the Add stays float32, one Cast into
// the MatMul).
TEST(AmpConstRootedTest, SumWithAGraphInputDoesNotChange) {
  Graph g = parse(std::string(kIdsAndAxis) +
                  "node { name: \"x\" op: \"Placeholder\" attr { key: \"dtype\" value { type: "
                  "DT_FLOAT } } attr { key: \"shape\" value { shape { dim { size: 2 } dim { size: "
                  "4 } } } } }\n" +
                  f32_const("emb", 10) + f32_const("w", 4) + gather("g", "emb") +
                  op("sum", "AddV2", {"g", "x"}) + op("m", "MatMul", {"sum", "w"}) +
                  op("out", "Identity", {"m"}));
  const AmpReport r = run_const_rooted(g);
  EXPECT_EQ(g.at("g").attr_type("Tparams"), kF32);
  EXPECT_EQ(g.at("sum").attr_type("T"), kF32);
  EXPECT_NE(rule_of(r, "sum"), "const-rooted");
  ASSERT_NE(g.find(cast_name("sum", 0, "CastToBf16")), nullptr);
  EXPECT_EQ(g.at("m").inputs[0], cast_name("sum", 0, "CastToBf16"));
}

// An integer cast to float is not a root: bfloat16 rounds integers above 256.
TEST(AmpConstRootedTest, IntegerCastToFloatIsNotARoot) {
  Graph g = parse(std::string(kIdsAndAxis) + f32_const("scale", 2) + f32_const("w", 4) +
                  "node { name: \"f\" op: \"Cast\" input: \"ids\" attr { key: \"SrcT\" value { "
                  "type: DT_INT32 } } attr { key: \"DstT\" value { type: DT_FLOAT } } attr { key: "
                  "\"Truncate\" value { b: false } } }\n" +
                  op("mul", "Mul", {"f", "scale"}) + op("m", "MatMul", {"mul", "w"}) +
                  op("out", "Identity", {"m"}));
  const AmpReport r = run_const_rooted(g);
  EXPECT_EQ(g.at("mul").attr_type("T"), kF32);
  EXPECT_NE(rule_of(r, "mul"), "const-rooted");
  EXPECT_EQ(g.at("f").attr_type("DstT"), kF32);
}

}  // namespace
}  // namespace aamp
