// Golden-graph tests of the Advanced AMP pass (spec section 3): each rule alone, Cast handling,
// Const weights, fetch preservation, force-all, "nothing to do" and kernel checks.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "aamp/io/graph_io.h"
#include "aamp/ops/registry.h"
#include "aamp/passes/auto_mixed_precision.h"
#include "passes/amp_test_util.h"

namespace aamp {
namespace {

using namespace amp_test;  // NOLINT(build/namespaces): the helpers of amp_test_util.h

// A float32 node with attr T and the given inputs.
std::string node(const std::string& name, const std::string& op,
                 const std::vector<std::string>& inputs, const std::string& extra = "") {
  std::string s = "node { name: \"" + name + "\" op: \"" + op + "\"";
  for (const auto& i : inputs) s += " input: \"" + i + "\"";
  return s + " attr { key: \"T\" value { type: DT_FLOAT } } " + extra + "}\n";
}

std::string typed_placeholder(const std::string& name, const std::string& dtype = "DT_FLOAT") {
  return "node { name: \"" + name +
         "\" op: \"Placeholder\" attr { key: \"dtype\" value { type: " + dtype +
         " } } attr { key: \"shape\" value { shape { dim { size: -1 } dim { size: 4 } } } "
         "} }\n";
}

// A float32 [4, 4] (or [4] when vec) Const.
std::string weight(const std::string& name, bool vec = false) {
  std::string s = "node { name: \"" + name +
                  "\" op: \"Const\" attr { key: \"dtype\" value { type: DT_FLOAT } } attr { key: "
                  "\"value\" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 4 } ";
  if (!vec) s += "dim { size: 4 } ";
  s += "} ";
  int n = vec ? 4 : 16;
  for (int i = 0; i < n; ++i) s += "float_val: " + std::to_string(0.25 * (i % 5) - 0.5) + " ";
  return s + "} } } }\n";
}

struct Amp {
  Graph g;
  AmpReport r;
  WarningSink warnings;
};

Amp amp(const std::string& text, AmpOptions o = {}, std::vector<std::string> fetches = {},
        bool check_kernels = true) {
  Amp a{parse(text), {}, {}};
  PassContext ctx;
  ctx.fetches = std::move(fetches);
  ctx.check_kernels = check_kernels;
  ctx.warnings = &a.warnings;
  a.r = run_amp(a.g, o, ctx);
  a.g.check_structure();
  return a;
}

TEST(AmpTest, MatMulChainOneCastInOneCastOut) {
  Amp a =
      amp(typed_placeholder("x") + weight("w1") + weight("w2") + node("m1", "MatMul", {"x", "w1"}) +
          node("m2", "MatMul", {"m1", "w2"}) + node("out", "Identity", {"m2"}));
  const Graph& g = a.g;
  EXPECT_EQ(g.at("m1").attr_type("T"), kBF16);
  EXPECT_EQ(g.at("m2").attr_type("T"), kBF16);
  EXPECT_EQ(g.at("out").attr_type("T"), kF32);  // fetch keeps float32
  EXPECT_EQ(count_op(g, "Cast"), 2);
  std::string in = cast_name("x", 0, "CastToBf16"), out = cast_name("m2", 0, "CastToFp32");
  expect_cast(g, in, "x", kF32, kBF16);
  expect_cast(g, out, "m2", kBF16, kF32);
  EXPECT_EQ(g.at("m1").inputs, (std::vector<std::string>{in, "w1"}));
  EXPECT_EQ(g.at("m2").inputs, (std::vector<std::string>{"m1", "w2"}));
  EXPECT_EQ(g.at("out").inputs, std::vector<std::string>{out});
  // Weights are stored in bf16: no Cast node for them, half the bytes.
  EXPECT_EQ(g.at("w1").attr_type("dtype"), kBF16);
  EXPECT_EQ(g.at("w1").attr_tensor("value").dtype(), kBF16);
  EXPECT_EQ(g.at("w2").attr_tensor("value").dtype(), kBF16);
  EXPECT_EQ(a.r.casts_inserted, 2);
  EXPECT_EQ(a.r.const_casts, 0);
  EXPECT_EQ(a.r.consts_converted, 2);
  EXPECT_EQ(a.r.weight_bytes_before, 2 * 16 * 4);
  EXPECT_EQ(a.r.weight_bytes_after, 2 * 16 * 2);
  EXPECT_EQ(a.r.converted_nodes, 2);
  EXPECT_EQ(a.r.float_nodes, 4);  // x, m1, m2, out (Consts excluded)
  EXPECT_EQ(a.r.message(),
            "Converted 2/4 nodes to bfloat16 precision using 2 cast(s) (excluding Const and "
            "Variable casts)");
  EXPECT_EQ(rule_of(a.r, "m1"), "allowlist");
  EXPECT_EQ(rule_of(a.r, "w1"), "const-weight");
  EXPECT_EQ(rule_of(a.r, "out"), "preserved-fetch");
}

// Prelu (TF.js's op) is infer like LeakyRelu: between two allow ops it converts, so no Cast sits
// around it (in no list it kept two casts per Prelu in iris and facemesh).
TEST(AmpTest, PreluBetweenAllowOpsConverts) {
  Amp a = amp(typed_placeholder("x") + weight("w1") + weight("w2") + weight("alpha") +
              node("m1", "MatMul", {"x", "w1"}) + node("p", "Prelu", {"m1", "alpha"}) +
              node("m2", "MatMul", {"p", "w2"}) + node("out", "Identity", {"m2"}));
  const Graph& g = a.g;
  EXPECT_EQ(g.at("p").attr_type("T"), kBF16);
  EXPECT_EQ(rule_of(a.r, "p"), "between-allow");
  EXPECT_EQ(g.at("alpha").attr_tensor("value").dtype(), kBF16);
  EXPECT_EQ(count_op(g, "Cast"), 2);  // x in, m2 out
  EXPECT_EQ(g.at("p").inputs, (std::vector<std::string>{"m1", "alpha"}));
  EXPECT_EQ(g.at("m2").inputs, (std::vector<std::string>{"p", "w2"}));
}

TEST(AmpTest, DenyOpBetweenAllowOpsStaysFloat) {
  Amp a = amp(typed_placeholder("x") + weight("w1") + weight("w2") +
              node("m1", "MatMul", {"x", "w1"}) + node("e", "Exp", {"m1"}) +
              node("m2", "MatMul", {"e", "w2"}) + node("out", "Identity", {"m2"}));
  const Graph& g = a.g;
  EXPECT_EQ(g.at("m1").attr_type("T"), kBF16);
  EXPECT_EQ(g.at("e").attr_type("T"), kF32);
  EXPECT_EQ(g.at("m2").attr_type("T"), kBF16);
  EXPECT_EQ(count_op(g, "Cast"), 4);
  expect_cast(g, cast_name("m1", 0, "CastToFp32"), "m1", kBF16, kF32);
  expect_cast(g, cast_name("e", 0, "CastToBf16"), "e", kF32, kBF16);
  EXPECT_EQ(g.at("e").inputs, std::vector<std::string>{cast_name("m1", 0, "CastToFp32")});
  EXPECT_EQ(rule_of(a.r, "e"), "deny");
  EXPECT_EQ(a.r.casts_inserted, 4);
}

TEST(AmpTest, InferFollowsAllowAndClearPropagates) {
  Amp a = amp(typed_placeholder("x") + weight("w") + weight("bias", true) +
              node("m", "MatMul", {"x", "w"}) + node("b", "BiasAdd", {"m", "bias"}) +
              node("r", "Relu", {"b"}) + node("out", "Identity", {"r"}));
  const Graph& g = a.g;
  EXPECT_EQ(g.at("b").attr_type("T"), kBF16);
  EXPECT_EQ(g.at("r").attr_type("T"), kBF16);
  EXPECT_EQ(g.at("bias").attr_type("dtype"), kBF16);
  EXPECT_EQ(rule_of(a.r, "b"), "infer-follows-allow");
  EXPECT_EQ(rule_of(a.r, "r"), "clear-propagation");
  EXPECT_EQ(count_op(g, "Cast"), 2);
  expect_cast(g, cast_name("r", 0, "CastToFp32"), "r", kBF16, kF32);
}

TEST(AmpTest, ClearOpBeforeAllowIsPaintedBackwards) {
  Amp a = amp(typed_placeholder("x") + weight("w") + node("r", "Relu", {"x"}) +
              node("m", "MatMul", {"r", "w"}) + node("out", "Identity", {"m"}));
  EXPECT_EQ(a.g.at("r").attr_type("T"), kBF16);
  EXPECT_EQ(rule_of(a.r, "r"), "clear-propagation");
  expect_cast(a.g, cast_name("x", 0, "CastToBf16"), "x", kF32, kBF16);
  EXPECT_EQ(a.g.at("r").inputs, std::vector<std::string>{cast_name("x", 0, "CastToBf16")});
  EXPECT_EQ(count_op(a.g, "Cast"), 2);
}

TEST(AmpTest, InferBetweenAllowOps) {
  Amp a = amp(typed_placeholder("x") + typed_placeholder("y") + weight("w1") + weight("w2") +
              node("m1", "MatMul", {"x", "w1"}) + node("add", "AddV2", {"m1", "y"}) +
              node("m2", "MatMul", {"add", "w2"}) + node("out", "Identity", {"m2"}));
  EXPECT_EQ(a.g.at("add").attr_type("T"), kBF16);
  EXPECT_EQ(rule_of(a.r, "add"), "between-allow");
  // x and y each get one cast to bf16, m2 one back.
  EXPECT_EQ(count_op(a.g, "Cast"), 3);
  expect_cast(a.g, cast_name("y", 0, "CastToBf16"), "y", kF32, kBF16);
}

// Spec: deny -> infer -> clear -> infer -> clear -> allow -> infer becomes
// deny, deny, deny, deny, (clear), allow, infer; the clear before allow then joins allow.
TEST(AmpTest, DenyPropagationExample) {
  Amp a =
      amp(typed_placeholder("x") + weight("w") + node("d", "Exp", {"x"}) +
          node("i1", "Sigmoid", {"d"}) + node("c1", "Relu", {"i1"}) + node("i2", "Tanh", {"c1"}) +
          node("c2", "Relu", {"i2"}) + node("a", "MatMul", {"c2", "w"}) +
          node("i3", "Sigmoid", {"a"}) + node("out", "Identity", {"i3"}));
  const Graph& g = a.g;
  for (const char* n : {"d", "i1", "c1", "i2"}) EXPECT_EQ(g.at(n).attr_type("T"), kF32) << n;
  EXPECT_EQ(rule_of(a.r, "d"), "deny");
  EXPECT_EQ(rule_of(a.r, "i1"), "deny-propagation from d");
  EXPECT_EQ(rule_of(a.r, "c1"), "deny-propagation from d");
  EXPECT_EQ(rule_of(a.r, "i2"), "deny-propagation from d");
  EXPECT_EQ(g.at("c2").attr_type("T"), kBF16);
  EXPECT_EQ(rule_of(a.r, "c2"), "clear-propagation");
  EXPECT_EQ(g.at("a").attr_type("T"), kBF16);
  EXPECT_EQ(g.at("i3").attr_type("T"), kBF16);
  EXPECT_EQ(rule_of(a.r, "i3"), "infer-follows-allow");
  EXPECT_EQ(count_op(g, "Cast"), 2);
  expect_cast(g, cast_name("i2", 0, "CastToBf16"), "i2", kF32, kBF16);
  expect_cast(g, cast_name("i3", 0, "CastToFp32"), "i3", kBF16, kF32);
}

TEST(AmpTest, FetchedAllowNodeKeepsFloatOutputAndNothingToDo) {
  std::string text = typed_placeholder("x") + weight("w") + node("m", "MatMul", {"x", "w"});
  Graph before = parse(text);
  Amp a = amp(text);
  EXPECT_FALSE(a.r.changed);
  EXPECT_EQ(serialize_graphdef_binary(a.g), serialize_graphdef_binary(before));
  EXPECT_EQ(rule_of(a.r, "m"), "preserved-fetch");
  // The same graph with an explicit fetch elsewhere converts m.
  Amp b = amp(text + node("out", "Identity", {"m"}), {}, {"out"});
  EXPECT_EQ(b.g.at("m").attr_type("T"), kBF16);
}

TEST(AmpTest, ExplicitFetchOfInnerNodeKeepsItsOutput) {
  Amp a =
      amp(typed_placeholder("x") + weight("w1") + weight("w2") + node("m1", "MatMul", {"x", "w1"}) +
              node("m2", "MatMul", {"m1", "w2"}) + node("out", "Identity", {"m2"}),
          {}, {"m1", "out"});
  EXPECT_EQ(a.g.at("m1").attr_type("T"), kF32);
  EXPECT_EQ(a.g.at("m2").attr_type("T"), kBF16);
  expect_cast(a.g, cast_name("m1", 0, "CastToBf16"), "m1", kF32, kBF16);
}

TEST(AmpTest, IntegerAndBoolPartsUntouched) {
  std::string shape =
      "node { name: \"shape\" op: \"Const\" attr { key: \"dtype\" value { type: DT_INT32 } } "
      "attr { key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 2 } } "
      "int_val: -1 int_val: 4 } } } }\n";
  std::string reshape =
      "node { name: \"rs\" op: \"Reshape\" input: \"m1\" input: \"shape\" attr { key: \"T\" value "
      "{ type: DT_FLOAT } } attr { key: \"Tshape\" value { type: DT_INT32 } } }\n";
  std::string argmax =
      "node { name: \"am\" op: \"ArgMax\" input: \"m2\" input: \"axis\" attr { key: \"T\" value { "
      "type: DT_FLOAT } } attr { key: \"Tidx\" value { type: DT_INT32 } } attr { key: "
      "\"output_type\" value { type: DT_INT64 } } }\n";
  std::string axis =
      "node { name: \"axis\" op: \"Const\" attr { key: \"dtype\" value { type: DT_INT32 } } attr "
      "{ key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape { } int_val: 1 } } } }\n";
  std::string cmp =
      "node { name: \"gt\" op: \"Greater\" input: \"m2\" input: \"x\" attr { key: \"T\" value { "
      "type: DT_FLOAT } } }\n";
  Amp a = amp(typed_placeholder("x") + weight("w1") + weight("w2") + shape + axis +
              node("m1", "MatMul", {"x", "w1"}) + reshape + node("m2", "MatMul", {"rs", "w2"}) +
              argmax + cmp);
  const Graph& g = a.g;
  EXPECT_EQ(g.at("rs").attr_type("T"), kBF16) << a.r.decisions_tsv();
  EXPECT_EQ(g.at("rs").attr_type("Tshape"), DType::kInt32);
  EXPECT_EQ(g.at("shape").attr_type("dtype"), DType::kInt32);
  EXPECT_EQ(g.at("shape").attr_tensor("value").dtype(), DType::kInt32);
  EXPECT_EQ(g.at("axis").attr_tensor("value").dtype(), DType::kInt32);
  EXPECT_EQ(g.at("am").attr_type("output_type"), DType::kInt64);  // fetch: int output kept
  EXPECT_EQ(g.at("am").attr_type("Tidx"), DType::kInt32);
  EXPECT_EQ(rule_of(a.r, "shape"), "not-float");
}

TEST(AmpTest, FusedBatchNormV3PaintsTButNotU) {
  std::string filter =
      "node { name: \"f\" op: \"Const\" attr { key: \"dtype\" value { type: DT_FLOAT } } attr { "
      "key: \"value\" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 1 } dim { size: "
      "1 } dim { size: 4 } dim { size: 4 } } float_val: 0.5 } } } }\n";
  std::string conv =
      "node { name: \"conv\" op: \"Conv2D\" input: \"x\" input: \"f\" attr { key: \"T\" value { "
      "type: DT_FLOAT } } attr { key: \"strides\" value { list { i: 1 i: 1 i: 1 i: 1 } } } attr { "
      "key: \"padding\" value { s: \"SAME\" } } }\n";
  std::string bn =
      "node { name: \"bn\" op: \"FusedBatchNormV3\" input: \"conv\" input: \"s\" input: \"o\" "
      "input: \"mu\" input: \"var\" attr { key: \"T\" value { type: DT_FLOAT } } attr { key: \"U\" "
      "value { type: DT_FLOAT } } attr { key: \"is_training\" value { b: false } } attr { key: "
      "\"epsilon\" value { f: 0.001 } } }\n";
  Amp a = amp(typed_placeholder("x") + filter + weight("s", true) + weight("o", true) +
              weight("mu", true) + weight("var", true) + conv + bn + node("r", "Relu", {"bn"}) +
              node("out", "Identity", {"r"}));
  const Graph& g = a.g;
  EXPECT_EQ(g.at("conv").attr_type("T"), kBF16);
  EXPECT_EQ(g.at("f").attr_type("dtype"), kBF16);
  EXPECT_EQ(g.at("bn").attr_type("T"), kBF16);
  EXPECT_EQ(g.at("bn").attr_type("U"), kF32);
  for (const char* c : {"s", "o", "mu", "var"}) {
    EXPECT_EQ(g.at(c).attr_type("dtype"), kF32) << c;
    EXPECT_EQ(g.at("bn").inputs[1 + (c[0] == 'o') + 2 * (c[0] == 'm') + 3 * (c[0] == 'v')], c);
  }
  EXPECT_EQ(g.at("r").attr_type("T"), kBF16);
  EXPECT_EQ(count_op(g, "Cast"), 2);
}

TEST(AmpTest, OneCastPerPortSharedByConsumers) {
  Amp a = amp(typed_placeholder("x") + weight("w1") + weight("w2") +
              node("m1", "MatMul", {"x", "w1"}) + node("m2", "MatMul", {"x", "w2"}) +
              node("e1", "Exp", {"m1"}) + node("e2", "Exp", {"m1"}) +
              node("s", "AddV2", {"e1", "e2"}) + node("o2", "Identity", {"m2"}));
  const Graph& g = a.g;
  std::string xin = cast_name("x", 0, "CastToBf16"), m1out = cast_name("m1", 0, "CastToFp32");
  EXPECT_EQ(g.at("m1").inputs[0], xin);
  EXPECT_EQ(g.at("m2").inputs[0], xin);
  EXPECT_EQ(g.at("e1").inputs[0], m1out);
  EXPECT_EQ(g.at("e2").inputs[0], m1out);
  EXPECT_EQ(count_op(g, "Cast"), 3);  // x in, m1 out (shared), m2 out
  EXPECT_EQ(g.at("s").attr_type("T"), kF32);
  EXPECT_EQ(rule_of(a.r, "s"), "deny-propagation from e1");
}

TEST(AmpTest, ExistingCastToFloatFeedingAllowBecomesNoOpAndIsRemoved) {
  std::string cast =
      "node { name: \"c\" op: \"Cast\" input: \"xb\" attr { key: \"SrcT\" value { type: "
      "DT_BFLOAT16 } } attr { key: \"DstT\" value { type: DT_FLOAT } } attr { key: \"Truncate\" "
      "value { b: false } } }\n";
  Amp a = amp(typed_placeholder("xb", "DT_BFLOAT16") + weight("w") + cast +
              node("m", "MatMul", {"c", "w"}) + node("out", "Identity", {"m"}));
  const Graph& g = a.g;
  EXPECT_EQ(g.find("c"), nullptr);
  EXPECT_EQ(g.at("m").inputs[0], "xb");
  EXPECT_EQ(g.at("m").attr_type("T"), kBF16);
  EXPECT_EQ(count_op(g, "Cast"), 1);  // only m's output cast
  EXPECT_EQ(a.r.casts_removed, 1);
  EXPECT_EQ(rule_of(a.r, "c"), "removed-redundant-cast");
}

TEST(AmpTest, InsertedCastCollapsesIntoExistingCast) {
  std::string cast =
      "node { name: \"c\" op: \"Cast\" input: \"m\" attr { key: \"SrcT\" value { type: DT_FLOAT } "
      "} attr { key: \"DstT\" value { type: DT_INT32 } } attr { key: \"Truncate\" value { b: false "
      "} } }\n";
  Amp a = amp(typed_placeholder("x") + weight("w") + node("m", "MatMul", {"x", "w"}) + cast);
  const Graph& g = a.g;
  EXPECT_EQ(g.at("m").attr_type("T"), kBF16);
  EXPECT_EQ(g.at("c").inputs, std::vector<std::string>{"m"});
  EXPECT_EQ(g.at("c").attr_type("SrcT"), kBF16);
  EXPECT_EQ(g.at("c").attr_type("DstT"), DType::kInt32);
  EXPECT_EQ(g.find(cast_name("m", 0, "CastToFp32")), nullptr);
  EXPECT_EQ(count_op(g, "Cast"), 2);  // x's cast and c
  EXPECT_EQ(a.r.casts_inserted, 1);
}

TEST(AmpTest, ConstWithMixedReadersGetsOneConstCast) {
  Amp a = amp(typed_placeholder("x") + weight("w") + node("m", "MatMul", {"x", "w"}) +
              node("e", "Exp", {"w"}) + node("out", "Identity", {"m"}));
  const Graph& g = a.g;
  EXPECT_EQ(g.at("w").attr_type("dtype"), kF32);
  expect_cast(g, cast_name("w", 0, "CastToBf16"), "w", kF32, kBF16);
  EXPECT_EQ(a.r.const_casts, 1);
  EXPECT_EQ(a.r.casts_inserted, 2);  // x in, m out
}

TEST(AmpTest, UnsafeForceAllConvertsEveryFloatOp) {
  AmpOptions o;
  o.unsafe_force_all = true;
  Amp a = amp(typed_placeholder("x") + node("e", "Exp", {"x"}) + node("t", "Tanh", {"e"}) +
                  node("out", "Identity", {"t"}),
              o);
  EXPECT_EQ(a.g.at("e").attr_type("T"), kBF16);
  EXPECT_EQ(a.g.at("t").attr_type("T"), kBF16);
  EXPECT_EQ(a.g.at("out").attr_type("T"), kF32);
  EXPECT_EQ(rule_of(a.r, "e"), "force-all");
  EXPECT_EQ(count_op(a.g, "Cast"), 2);
  // Without force-all the same graph has nothing to convert.
  Amp b = amp(typed_placeholder("x") + node("e", "Exp", {"x"}) + node("t", "Tanh", {"e"}) +
              node("out", "Identity", {"t"}));
  EXPECT_FALSE(b.r.changed);
}

TEST(AmpTest, NothingToConvertIsByteIdentical) {
  std::string text = typed_placeholder("x") + weight("w", true) + node("e", "Exp", {"x"}) +
                     node("a", "AddV2", {"e", "w"}) + node("r", "Relu", {"a"});
  Graph before = parse(text);
  Amp a = amp(text);
  EXPECT_FALSE(a.r.changed);
  EXPECT_EQ(a.r.converted_nodes, 0);
  EXPECT_EQ(a.r.casts_inserted, 0);
  EXPECT_EQ(serialize_graphdef_binary(a.g), serialize_graphdef_binary(before));
  EXPECT_EQ(serialize_graphdef_text(a.g), serialize_graphdef_text(before));
}

TEST(AmpTest, Float16Target) {
  AmpOptions o;
  o.target = DType::kHalf;
  Amp a = amp(typed_placeholder("x") + weight("w") + node("m", "MatMul", {"x", "w"}) +
                  node("out", "Identity", {"m"}),
              o, {}, /*check_kernels=*/false);
  EXPECT_EQ(a.g.at("m").attr_type("T"), DType::kHalf);
  expect_cast(a.g, cast_name("x", 0, "CastToFp16"), "x", kF32, DType::kHalf);
  EXPECT_EQ(a.g.at("w").attr_type("dtype"), DType::kHalf);
}

TEST(AmpTest, ListEditsChangeTheOutcome) {
  // Edits of AmpLists themselves (amp_lists_config_test.cc edits them through AmpConfig): a
  // Softmax reading a Placeholder has no ALLOW fan-in and no allowlisted op is in the graph, so
  // by default there is nothing to do; moved from infer to allow it converts.
  std::string text =
      typed_placeholder("x") + node("sm", "Softmax", {"x"}) + node("out", "Identity", {"sm"});
  Amp a = amp(text);
  EXPECT_FALSE(a.r.changed);
  AmpOptions o;
  o.lists = AmpLists::defaults(DeviceKind::kCPU);
  o.lists->infer.erase("Softmax");
  o.lists->allow.insert("Softmax");
  Amp b = amp(text, o);
  EXPECT_EQ(b.g.at("sm").attr_type("T"), kBF16);
  EXPECT_EQ(rule_of(b.r, "sm"), "allowlist");
  EXPECT_EQ(count_op(b.g, "Cast"), 2);
  expect_cast(b.g, cast_name("x", 0, "CastToBf16"), "x", kF32, kBF16);
  expect_cast(b.g, cast_name("sm", 0, "CastToFp32"), "sm", kBF16, kF32);
}

// IdentityN's T is a list(type): each element is its own (node, attr, element) vertex. Element 0
// sits between two MatMuls and converts; element 1 (int32) is never touched; element 2 carries
// a Placeholder into an Exp and stays float32 -- so no Cast is needed on elements 1 and 2.
TEST(AmpTest, ListTypeAttrIsPaintedPerElement) {
  const std::string text =
      typed_placeholder("x") + typed_placeholder("y") + weight("w1") + weight("w2") + R"(
node { name: "k" op: "Placeholder" attr { key: "dtype" value { type: DT_INT32 } } }
node { name: "m1" op: "MatMul" input: "x" input: "w1" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "idn" op: "IdentityN" input: "m1" input: "k" input: "y"
  attr { key: "T" value { list { type: DT_FLOAT type: DT_INT32 type: DT_FLOAT } } } }
node { name: "m2" op: "MatMul" input: "idn" input: "w2"
  attr { key: "T" value { type: DT_FLOAT } } }
node { name: "out" op: "Identity" input: "m2" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "ko" op: "Identity" input: "idn:1" attr { key: "T" value { type: DT_INT32 } } }
node { name: "e" op: "Exp" input: "idn:2" attr { key: "T" value { type: DT_FLOAT } } }
)";
  Amp a = amp(text);
  const Graph& g = a.g;
  EXPECT_EQ(g.at("m1").attr_type("T"), kBF16);
  EXPECT_EQ(g.at("m2").attr_type("T"), kBF16);
  EXPECT_EQ(g.at("idn").attr_list("T").type, (std::vector<DType>{kBF16, DType::kInt32, kF32}))
      << a.r.decisions_tsv();
  EXPECT_EQ(rule_of(a.r, "idn"), "between-allow");  // the decision of element 0
  EXPECT_EQ(g.at("idn").inputs, (std::vector<std::string>{"m1", "k", "y"}));
  EXPECT_EQ(g.at("ko").attr_type("T"), DType::kInt32);
  EXPECT_EQ(g.at("ko").inputs, std::vector<std::string>{"idn:1"});
  EXPECT_EQ(g.at("e").attr_type("T"), kF32);
  EXPECT_EQ(g.at("e").inputs, std::vector<std::string>{"idn:2"});
  EXPECT_EQ(count_op(g, "Cast"), 2);
  expect_cast(g, cast_name("x", 0, "CastToBf16"), "x", kF32, kBF16);
  expect_cast(g, cast_name("m2", 0, "CastToFp32"), "m2", kBF16, kF32);
  EXPECT_EQ(g.at("m1").inputs, (std::vector<std::string>{cast_name("x", 0, "CastToBf16"), "w1"}));
  EXPECT_EQ(g.at("out").inputs, std::vector<std::string>{cast_name("m2", 0, "CastToFp32")});
  EXPECT_EQ(a.r.message(),
            "Converted 3/7 nodes to bfloat16 precision using 2 cast(s) (excluding Const and "
            "Variable casts)");
}

// The same IdentityN with element 2 also feeding the second MatMul: element 2 now converts too
// (clear, read by ALLOW), so y gets its own Cast and e reads a Cast back to float32.
TEST(AmpTest, ListTypeAttrElementsConvertIndependently) {
  const std::string text = typed_placeholder("x") + typed_placeholder("y") + weight("w1") + R"(
node { name: "m1" op: "MatMul" input: "x" input: "w1" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "idn" op: "IdentityN" input: "m1" input: "y"
  attr { key: "T" value { list { type: DT_FLOAT type: DT_FLOAT } } } }
node { name: "m2" op: "MatMul" input: "idn" input: "idn:1"
  attr { key: "T" value { type: DT_FLOAT } } }
node { name: "out" op: "Identity" input: "m2" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "e" op: "Exp" input: "idn:1" attr { key: "T" value { type: DT_FLOAT } } }
)";
  Amp a = amp(text);
  const Graph& g = a.g;
  EXPECT_EQ(g.at("idn").attr_list("T").type, (std::vector<DType>{kBF16, kBF16}))
      << a.r.decisions_tsv();
  EXPECT_EQ(g.at("idn").inputs, (std::vector<std::string>{"m1", cast_name("y", 0, "CastToBf16")}));
  EXPECT_EQ(g.at("m2").inputs, (std::vector<std::string>{"idn", "idn:1"}));
  EXPECT_EQ(g.at("e").attr_type("T"), kF32);
  EXPECT_EQ(g.at("e").inputs, std::vector<std::string>{cast_name("idn", 1, "CastToFp32")});
  EXPECT_EQ(count_op(g, "Cast"), 4);
  expect_cast(g, cast_name("x", 0, "CastToBf16"), "x", kF32, kBF16);
  expect_cast(g, cast_name("y", 0, "CastToBf16"), "y", kF32, kBF16);
  expect_cast(g, cast_name("idn", 1, "CastToFp32"), "idn:1", kBF16, kF32);
  expect_cast(g, cast_name("m2", 0, "CastToFp32"), "m2", kBF16, kF32);
}

TEST(AmpTest, OpWithoutLowPrecisionKernelStaysFloat) {
  // An allowlisted op only the test declares, with a float32-only CPU kernel.
  OpRegistry& reg = OpRegistry::global();
  if (!reg.find("AmpTestFloatOnly")) {
    OpDef def;
    def.name = "AmpTestFloatOnly";
    ArgDef x, y;
    x.name = "x";
    x.type_attr = "T";
    y.name = "y";
    y.type_attr = "T";
    def.inputs.push_back(x);
    def.outputs.push_back(y);
    AttrDef t;
    t.name = "T";
    t.type = "type";
    def.attrs.push_back(t);
    reg.register_op(def);
    reg.register_kernel("AmpTestFloatOnly", DeviceKind::kCPU, {DType::kFloat});
  }
  std::string text = typed_placeholder("x") + weight("w") + node("m", "MatMul", {"x", "w"}) +
                     node("f", "AmpTestFloatOnly", {"m"}) + node("out", "Identity", {"f"});
  AmpOptions o;
  o.lists = AmpLists::defaults(DeviceKind::kCPU);
  o.lists->allow.insert("AmpTestFloatOnly");
  Amp a = amp(text, o);
  EXPECT_EQ(a.g.at("m").attr_type("T"), kBF16);
  EXPECT_EQ(a.g.at("f").attr_type("T"), kF32);
  EXPECT_EQ(rule_of(a.r, "f"), "no-kernel");
  EXPECT_EQ(count_op(a.g, "Cast"), 2);
  expect_cast(a.g, cast_name("m", 0, "CastToFp32"), "m", kBF16, kF32);
  // Without the kernel check the signature alone decides: f converts too.
  Amp b = amp(text, o, {}, /*check_kernels=*/false);
  EXPECT_EQ(b.g.at("f").attr_type("T"), kBF16);
}

// v1 while loop: Enter -> Merge -> Switch -> MatMul -> NextIteration -> Merge; Switch -> Exit.
std::string loop_graph() {
  return typed_placeholder("x") + typed_placeholder("p", "DT_BOOL") + weight("w") +
         node("enter", "Enter", {"x"}, "attr { key: \"frame_name\" value { s: \"f\" } } ") +
         node("merge", "Merge", {"enter", "next"}, "attr { key: \"N\" value { i: 2 } } ") +
         node("sw", "Switch", {"merge", "p"}) + node("m", "MatMul", {"sw:1", "w"}) +
         node("next", "NextIteration", {"m"}) + node("exit", "Exit", {"sw"}) +
         node("out", "Identity", {"exit"});
}

TEST(AmpTest, LoopIsPaintedConsistently) {
  Amp a = amp(loop_graph());
  const Graph& g = a.g;
  for (const char* n : {"enter", "merge", "sw", "m", "next", "exit"})
    EXPECT_EQ(g.at(n).attr_type("T"), kBF16) << n << "\n" << a.r.decisions_tsv();
  EXPECT_EQ(count_op(g, "Cast"), 2);
  expect_cast(g, cast_name("x", 0, "CastToBf16"), "x", kF32, kBF16);
  expect_cast(g, cast_name("exit", 0, "CastToFp32"), "exit", kBF16, kF32);
  EXPECT_EQ(g.at("p").attr_type("dtype"), DType::kBool);
}

TEST(AmpTest, NextIterationFollowsItsMerge) {
  // The Merge is fetched, so it keeps float32; the NextIteration feeding it must match.
  Amp a = amp(loop_graph(), {}, {"merge", "out"});
  const Graph& g = a.g;
  EXPECT_EQ(g.at("merge").attr_type("T"), kF32);
  EXPECT_EQ(g.at("next").attr_type("T"), kF32) << a.r.decisions_tsv();
  EXPECT_EQ(rule_of(a.r, "next"), "loop-colour-match with next");
  EXPECT_EQ(g.at("m").attr_type("T"), kBF16);
  expect_cast(g, cast_name("m", 0, "CastToFp32"), "m", kBF16, kF32);
}

// An 11-node chain with deny 1,11; infer 2,4,7,10; clear 3,5,8; allow 6,9.
TEST(AmpTest, ElevenNodeChain) {
  Amp a = amp(typed_placeholder("x") + weight("w6") + weight("w9") + weight("b7", true) +
              node("n1", "Exp", {"x"}) + node("n2", "Sigmoid", {"n1"}) +
              node("n3", "Relu", {"n2"}) + node("n4", "Tanh", {"n3"}) + node("n5", "Relu", {"n4"}) +
              node("n6", "MatMul", {"n5", "w6"}) + node("n7", "BiasAdd", {"n6", "b7"}) +
              node("n8", "Relu", {"n7"}) + node("n9", "MatMul", {"n8", "w9"}) +
              node("n10", "Sigmoid", {"n9"}) + node("n11", "Exp", {"n10"}) +
              node("out", "Identity", {"n11"}));
  const Graph& g = a.g;
  for (const char* n : {"n1", "n2", "n3", "n4", "n11"})
    EXPECT_EQ(g.at(n).attr_type("T"), kF32) << n << "\n" << a.r.decisions_tsv();
  for (const char* n : {"n5", "n6", "n7", "n8", "n9", "n10"})
    EXPECT_EQ(g.at(n).attr_type("T"), kBF16) << n << "\n" << a.r.decisions_tsv();
  EXPECT_EQ(rule_of(a.r, "n4"), "deny-propagation from n1");
  EXPECT_EQ(rule_of(a.r, "n5"), "clear-propagation");
  EXPECT_EQ(rule_of(a.r, "n7"), "between-allow");
  EXPECT_EQ(rule_of(a.r, "n8"), "between-allow");
  EXPECT_EQ(rule_of(a.r, "n10"), "infer-follows-allow");
  EXPECT_EQ(rule_of(a.r, "n11"), "deny");
  EXPECT_EQ(count_op(g, "Cast"), 2);
  expect_cast(g, cast_name("n4", 0, "CastToBf16"), "n4", kF32, kBF16);
  expect_cast(g, cast_name("n10", 0, "CastToFp32"), "n10", kBF16, kF32);
  EXPECT_EQ(a.r.message(),
            "Converted 6/13 nodes to bfloat16 precision using 2 cast(s) (excluding Const and "
            "Variable casts)");
}

// One round of steps 4 and 5, as TensorFlow: the clear Relu converts in step 5, after step 4
// ran, so the infer Mul behind it stays float32 (TF paints it so; the parity test,
// python/tests/parity, checks aamp against TF's own pass on real graphs).
TEST(AmpTest, InferBehindClearPropagationStaysFloat) {
  Amp a = amp(typed_placeholder("x") + weight("w") + weight("s", true) +
              node("m", "MatMul", {"x", "w"}) + node("r", "Relu", {"m"}) +
              node("mul", "Mul", {"r", "s"}) + node("out", "Identity", {"mul"}));
  EXPECT_EQ(a.g.at("r").attr_type("T"), kBF16);
  EXPECT_EQ(rule_of(a.r, "r"), "clear-propagation");
  EXPECT_EQ(a.g.at("mul").attr_type("T"), kF32) << a.r.decisions_tsv();
  EXPECT_EQ(rule_of(a.r, "mul"), "infer");
  EXPECT_EQ(a.g.at("s").attr_type("dtype"), kF32);
  EXPECT_EQ(count_op(a.g, "Cast"), 2);
  expect_cast(a.g, cast_name("x", 0, "CastToBf16"), "x", kF32, kBF16);
  expect_cast(a.g, cast_name("r", 0, "CastToFp32"), "r", kBF16, kF32);
  EXPECT_EQ(a.g.at("mul").inputs, (std::vector<std::string>{cast_name("r", 0, "CastToFp32"), "s"}));
}

// The shape of a Keras train step's optimizer (RMSprop): the gradient MatMul's IdentityN (clear)
// converts with it, the update math behind it (Square, Mul with the float32 accumulator, AddV2,
// RealDiv) stays float32 between the variable reads and writes: one Cast back to float32 per
// gradient, as in TensorFlow (repeating steps 4 and 5 until nothing changes painted the update
// bfloat16 and took 34 casts instead of TF's 14 in the seed MLP's train step).
TEST(AmpTest, OptimizerUpdateBehindGradientIdentityNStaysFloat) {
  Amp a = amp(R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "dy" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "rms" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "rho" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "grad" op: "MatMul" input: "x" input: "dy" attr { key: "T" value { type: DT_FLOAT } }
  attr { key: "transpose_a" value { b: true } } }
node { name: "idn" op: "IdentityN" input: "grad"
  attr { key: "T" value { list { type: DT_FLOAT } } } }
node { name: "sq" op: "Square" input: "idn" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "decay" op: "Mul" input: "rms" input: "rho"
  attr { key: "T" value { type: DT_FLOAT } } }
node { name: "acc" op: "AddV2" input: "decay" input: "sq"
  attr { key: "T" value { type: DT_FLOAT } } }
node { name: "step" op: "RealDiv" input: "idn" input: "acc"
  attr { key: "T" value { type: DT_FLOAT } } }
node { name: "new_rms" op: "Identity" input: "acc" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "update" op: "Identity" input: "step" attr { key: "T" value { type: DT_FLOAT } } }
)");
  const Graph& g = a.g;
  EXPECT_EQ(g.at("grad").attr_type("T"), kBF16);
  EXPECT_EQ(g.at("idn").attr_list("T").type, std::vector<DType>{kBF16});
  EXPECT_EQ(rule_of(a.r, "idn"), "clear-propagation");
  for (const char* n : {"sq", "decay", "acc", "step", "new_rms", "update"})
    EXPECT_EQ(g.at(n).attr_type("T"), kF32) << n << "\n" << a.r.decisions_tsv();
  EXPECT_EQ(rule_of(a.r, "sq"), "infer");
  EXPECT_EQ(rule_of(a.r, "step"), "infer");
  // x and dy in; the gradient back to float32 once, shared by Square and RealDiv.
  EXPECT_EQ(count_op(g, "Cast"), 3);
  std::string back = cast_name("idn", 0, "CastToFp32");
  expect_cast(g, back, "idn", kBF16, kF32);
  EXPECT_EQ(g.at("sq").inputs, std::vector<std::string>{back});
  EXPECT_EQ(g.at("step").inputs, (std::vector<std::string>{back, "acc"}));
  EXPECT_EQ(a.r.converted_nodes, 2);
}

// A LayerNorm written out in ops (Keras's LayerNormalization, BatchNormalization's training
// moments) between two MatMuls.
std::string decomposed_layer_norm() {
  std::string axis =
      "node { name: \"axis\" op: \"Const\" attr { key: \"dtype\" value { type: DT_INT32 } } "
      "attr { key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 1 } } "
      "int_val: -1 } } } }\n";
  auto mean = [](const std::string& name, const std::string& in) {
    return "node { name: \"" + name + "\" op: \"Mean\" input: \"" + in +
           "\" input: \"axis\" attr { key: \"T\" value { type: DT_FLOAT } } attr { key: "
           "\"Tidx\" value { type: DT_INT32 } } attr { key: \"keep_dims\" value { b: true } } }\n";
  };
  return typed_placeholder("x") + weight("w") + weight("w2") + weight("eps", true) + axis +
         node("m", "MatMul", {"x", "w"}) + mean("mu", "m") +
         node("sd", "SquaredDifference", {"m", "mu"}) + mean("var", "sd") +
         node("ve", "AddV2", {"var", "eps"}) + node("rs", "Rsqrt", {"ve"}) +
         node("c", "Sub", {"m", "mu"}) + node("n", "Mul", {"c", "rs"}) +
         node("m2", "MatMul", {"n", "w2"}) + node("out", "Identity", {"m2"});
}

// CPU lists (as TensorFlow's oneDNN ones): Mean is infer like Sum, Rsqrt and SquaredDifference
// infer like Sqrt and Square, so the whole normalisation converts between the MatMuls: the casts
// are the graph's input and output only. (With Mean deny, SquaredDifference and Rsqrt in no
// list, it stayed float32 with two casts more, and the deny spread to everything after it.)
TEST(AmpTest, DecomposedLayerNormConvertsOnCpu) {
  Amp a = amp(decomposed_layer_norm());
  const Graph& g = a.g;
  for (const char* n : {"m", "mu", "sd", "var", "ve", "rs", "c", "n", "m2"})
    EXPECT_EQ(g.at(n).attr_type("T"), kBF16) << n << "\n" << a.r.decisions_tsv();
  EXPECT_EQ(rule_of(a.r, "mu"), "between-allow");
  EXPECT_EQ(rule_of(a.r, "rs"), "between-allow");
  EXPECT_EQ(g.at("eps").attr_tensor("value").dtype(), kBF16);
  EXPECT_EQ(count_op(g, "Cast"), 2);
  expect_cast(g, cast_name("x", 0, "CastToBf16"), "x", kF32, kBF16);
  expect_cast(g, cast_name("m2", 0, "CastToFp32"), "m2", kBF16, kF32);
  EXPECT_EQ(a.r.converted_nodes, 9);
}

// GPU lists (float16 first): Mean stays deny, its statistics float32, and the deny spreads to the
// normalisation's infer ops; SquaredDifference and Rsqrt are in no GPU list.
TEST(AmpTest, DecomposedLayerNormStatisticsStayFloatWithGpuLists) {
  AmpOptions o;
  o.lists = AmpLists::defaults(DeviceKind::kGPU);
  Amp a = amp(decomposed_layer_norm(), o);
  const Graph& g = a.g;
  EXPECT_EQ(g.at("m").attr_type("T"), kBF16);
  EXPECT_EQ(g.at("m2").attr_type("T"), kBF16);
  for (const char* n : {"mu", "sd", "var", "ve", "rs", "c", "n"})
    EXPECT_EQ(g.at(n).attr_type("T"), kF32) << n << "\n" << a.r.decisions_tsv();
  EXPECT_EQ(rule_of(a.r, "mu"), "deny");
  EXPECT_EQ(rule_of(a.r, "sd"), "none-list");
  EXPECT_EQ(rule_of(a.r, "rs"), "none-list");
  EXPECT_EQ(rule_of(a.r, "ve"), "deny-propagation from var");
  EXPECT_EQ(rule_of(a.r, "c"), "deny-propagation from mu");
  // x in; m out to float32 once (mu, sd, c); n back to bfloat16; m2 out.
  EXPECT_EQ(count_op(g, "Cast"), 4);
  expect_cast(g, cast_name("m", 0, "CastToFp32"), "m", kBF16, kF32);
  expect_cast(g, cast_name("n", 0, "CastToBf16"), "n", kF32, kBF16);
}

// Conv2D -> ResizeBilinear (upsampling) -> Conv2D, as in movenet and selfie.
std::string conv_upsample_conv() {
  auto filter = [](const std::string& name) {
    return "node { name: \"" + name +
           "\" op: \"Const\" attr { key: \"dtype\" value { type: DT_FLOAT } } attr { key: "
           "\"value\" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 1 } dim { size: "
           "1 } dim { size: 4 } dim { size: 4 } } float_val: 0.5 } } } }\n";
  };
  auto conv = [](const std::string& name, const std::string& in, const std::string& f) {
    return "node { name: \"" + name + "\" op: \"Conv2D\" input: \"" + in + "\" input: \"" + f +
           "\" attr { key: \"T\" value { type: DT_FLOAT } } attr { key: \"strides\" value { list "
           "{ i: 1 i: 1 i: 1 i: 1 } } } attr { key: \"padding\" value { s: \"SAME\" } } }\n";
  };
  std::string size =
      "node { name: \"size\" op: \"Const\" attr { key: \"dtype\" value { type: DT_INT32 } } "
      "attr { key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 2 } } "
      "int_val: 8 int_val: 8 } } } }\n";
  return typed_placeholder("x") + filter("f1") + filter("f2") + size + conv("c1", "x", "f1") +
         node("up", "ResizeBilinear", {"c1", "size"}) + conv("c2", "up", "f2") +
         node("out", "Identity", {"c2"});
}

// ResizeBilinear is clear on the CPU (TF's oneDNN lists): its input T converts with the conv
// before it, so no Cast sits there. Its output is float32 whatever T is (TF's signature), so
// the second conv still reads it through a Cast, as in TF. The GPU lists have it in no list:
// it stays float32 with a Cast on each side.
TEST(AmpTest, ResizeBilinearAfterConvIsClearOnCpu) {
  Amp cpu = amp(conv_upsample_conv());
  EXPECT_EQ(cpu.g.at("up").attr_type("T"), kBF16) << cpu.r.decisions_tsv();
  EXPECT_EQ(rule_of(cpu.r, "up"), "clear-propagation");
  EXPECT_EQ(cpu.g.at("up").inputs, (std::vector<std::string>{"c1", "size"}));
  EXPECT_EQ(cpu.g.at("size").attr_type("dtype"), DType::kInt32);
  EXPECT_EQ(count_op(cpu.g, "Cast"), 3);
  expect_cast(cpu.g, cast_name("x", 0, "CastToBf16"), "x", kF32, kBF16);
  expect_cast(cpu.g, cast_name("up", 0, "CastToBf16"), "up", kF32, kBF16);
  expect_cast(cpu.g, cast_name("c2", 0, "CastToFp32"), "c2", kBF16, kF32);

  AmpOptions o;
  o.lists = AmpLists::defaults(DeviceKind::kGPU);
  Amp gpu = amp(conv_upsample_conv(), o);
  EXPECT_EQ(gpu.g.at("up").attr_type("T"), kF32);
  EXPECT_EQ(rule_of(gpu.r, "up"), "none-list");
  EXPECT_EQ(count_op(gpu.g, "Cast"), 4);
  expect_cast(gpu.g, cast_name("c1", 0, "CastToFp32"), "c1", kBF16, kF32);
  expect_cast(gpu.g, cast_name("up", 0, "CastToBf16"), "up", kF32, kBF16);
}

TEST(AmpTest, DecisionsTsvHasOneLinePerNode) {
  Amp a = amp(typed_placeholder("x") + weight("w") + node("m", "MatMul", {"x", "w"}) +
              node("out", "Identity", {"m"}));
  std::string tsv = a.r.decisions_tsv();
  EXPECT_EQ(tsv.rfind("node\top\tdtype\trule\n", 0), 0u);
  EXPECT_NE(tsv.find("m\tMatMul\tbfloat16\tallowlist\n"), std::string::npos) << tsv;
  EXPECT_NE(tsv.find("w\tConst\tbfloat16\tconst-weight\n"), std::string::npos) << tsv;
  EXPECT_NE(tsv.find("out\tIdentity\tfloat32\tpreserved-fetch\n"), std::string::npos) << tsv;
}

TEST(AmpTest, PaintbucketsText) {
  AmpLists l;
  l.allow = {"MatMul", "Conv2D"};
  l.deny = {"Exp"};
  l.clear = {"Relu"};
  EXPECT_EQ(l.paintbuckets_text(),
            "AllowList:\nConv2D\nMatMul\n\nDenyList:\nExp\n\nInferList:\n\nClearList:\nRelu\n");
  AmpLists d = AmpLists::defaults(DeviceKind::kCPU);
  EXPECT_TRUE(d.allow.count("MatMul"));
  EXPECT_TRUE(d.infer.count("Sum"));  // CPU moves Sum to infer
  EXPECT_FALSE(d.deny.count("Sum"));
  AmpLists gpu = AmpLists::defaults(DeviceKind::kGPU);
  EXPECT_TRUE(gpu.deny.count("Sum"));
  // CPU as TensorFlow's oneDNN lists: Mean infer (deny on the GPU), Rsqrt and SquaredDifference
  // infer, ResizeBilinear clear (in no GPU list).
  for (const char* op : {"Mean", "Rsqrt", "SquaredDifference"})
    EXPECT_TRUE(d.infer.count(op)) << op;
  EXPECT_TRUE(d.clear.count("ResizeBilinear"));
  EXPECT_TRUE(gpu.deny.count("Mean"));
  for (const char* op : {"Rsqrt", "SquaredDifference", "ResizeBilinear"})
    EXPECT_EQ(gpu.classify(op), AmpClass::kNone) << op;
}

}  // namespace
}  // namespace aamp
