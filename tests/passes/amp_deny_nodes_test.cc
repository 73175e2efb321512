// Golden-graph tests of AmpOptions::deny_nodes (the node-level override): the named node stays
// float32 with exactly the casts its low-precision neighbours need; a node that is float32 anyway
// changes nothing.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aamp/io/graph_io.h"
#include "aamp/passes/auto_mixed_precision.h"
#include "passes/amp_test_util.h"

namespace aamp {
namespace {

using namespace amp_test;  // NOLINT(build/namespaces): the helpers of amp_test_util.h

// x -> m1 -> m2 -> m3 -> out: MatMuls with [2, 2] weights w1..w3.
const char* kChain = R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "shape" value { shape { dim { size: -1 } dim { size: 2 } } } } }
node { name: "w1" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } dim { size: 2 } }
  float_val: 1 float_val: 2 float_val: 3 float_val: 4 } } } }
node { name: "w2" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } dim { size: 2 } }
  float_val: 1 float_val: 0 float_val: 0 float_val: 1 } } } }
node { name: "w3" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } dim { size: 2 } }
  float_val: 2 float_val: 0 float_val: 0 float_val: 2 } } } }
node { name: "m1" op: "MatMul" input: "x" input: "w1" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "m2" op: "MatMul" input: "m1" input: "w2" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "m3" op: "MatMul" input: "m2" input: "w3" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "out" op: "Identity" input: "m3" attr { key: "T" value { type: DT_FLOAT } } }
)";

AmpReport run_deny(Graph& g, const AmpOptions& o) {
  PassContext ctx;
  AmpReport r = run_amp(g, o, ctx);
  g.check_structure();
  return r;
}

TEST(AmpDenyNodesTest, NamedNodeStaysFloat32WithTheCastsItNeeds) {
  Graph g = parse(kChain);
  AmpOptions o;
  o.deny_nodes = {{"m2", "deny-node"}};
  AmpReport r = run_deny(g, o);
  EXPECT_EQ(g.at("m1").attr_type("T"), kBF16);
  EXPECT_EQ(g.at("m2").attr_type("T"), kF32);
  EXPECT_EQ(g.at("m3").attr_type("T"), kBF16);
  // x in, m1 back to float32 for m2, m2 to bf16 for m3, m3 out: four casts, nothing else.
  EXPECT_EQ(count_op(g, "Cast"), 4);
  EXPECT_EQ(r.casts_inserted, 4);
  expect_cast(g, cast_name("x", 0, "CastToBf16"), "x", kF32, kBF16);
  expect_cast(g, cast_name("m1", 0, "CastToFp32"), "m1", kBF16, kF32);
  expect_cast(g, cast_name("m2", 0, "CastToBf16"), "m2", kF32, kBF16);
  expect_cast(g, cast_name("m3", 0, "CastToFp32"), "m3", kBF16, kF32);
  EXPECT_EQ(g.at("m2").inputs, (std::vector<std::string>{cast_name("m1", 0, "CastToFp32"), "w2"}));
  EXPECT_EQ(g.at("m3").inputs, (std::vector<std::string>{cast_name("m2", 0, "CastToBf16"), "w3"}));
  // m2's weight stays float32; the others are stored in bf16.
  EXPECT_EQ(g.at("w2").attr_tensor("value").dtype(), kF32);
  EXPECT_EQ(g.at("w1").attr_tensor("value").dtype(), kBF16);
  EXPECT_EQ(g.at("w3").attr_tensor("value").dtype(), kBF16);
  EXPECT_EQ(r.converted_nodes, 2);
  EXPECT_EQ(rule_of(r, "m2"), "deny-node");
  EXPECT_EQ(rule_of(r, "m1"), "allowlist");
  EXPECT_TRUE(r.unknown_deny_nodes.empty());
}

TEST(AmpDenyNodesTest, RuleNameComesFromTheOption) {
  Graph g = parse(kChain);
  AmpOptions o;
  o.deny_nodes = {{"m3", "accuracy-guard"}};
  AmpReport r = run_deny(g, o);
  EXPECT_EQ(g.at("m3").attr_type("T"), kF32);
  EXPECT_EQ(rule_of(r, "m3"), "accuracy-guard");
  EXPECT_EQ(count_op(g, "Cast"), 2);  // x in, m2 out (m3 reads float32, out is float32)
}

TEST(AmpDenyNodesTest, OverridesUnsafeForceAll) {
  Graph g = parse(kChain);
  AmpOptions o;
  o.unsafe_force_all = true;
  o.deny_nodes = {{"m1", "deny-node"}};
  run_deny(g, o);
  EXPECT_EQ(g.at("m1").attr_type("T"), kF32);
  EXPECT_EQ(g.at("m2").attr_type("T"), kBF16);
}

// Exp is denylisted: naming it changes nothing in the graph, only the decision's rule.
TEST(AmpDenyNodesTest, NodeThatIsFloat32AnywayDoesNotChangeTheGraph) {
  const std::string text = std::string(kChain) + R"(
node { name: "e" op: "Exp" input: "m3" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "out2" op: "Identity" input: "e" attr { key: "T" value { type: DT_FLOAT } } }
)";
  Graph plain = parse(text), named = parse(text);
  run_deny(plain, AmpOptions{});
  AmpOptions o;
  o.deny_nodes = {{"e", "deny-node"}};
  AmpReport r = run_deny(named, o);
  EXPECT_EQ(serialize_graphdef_text(named), serialize_graphdef_text(plain));
  EXPECT_EQ(named.at("e").attr_type("T"), kF32);
  EXPECT_EQ(rule_of(r, "e"), "deny-node");
}

// Every allowlisted node named: nothing to do, the graph stays byte-identical.
TEST(AmpDenyNodesTest, AllAllowNodesNamedLeavesTheGraphByteIdentical) {
  Graph g = parse(kChain);
  const std::string before = serialize_graphdef_binary(g);
  AmpOptions o;
  o.deny_nodes = {{"m1", "deny-node"}, {"m2", "deny-node"}, {"m3", "deny-node"}};
  AmpReport r = run_deny(g, o);
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(serialize_graphdef_binary(g), before);
}

TEST(AmpDenyNodesTest, UnknownNamesAreReportedAndIgnored) {
  Graph g = parse(kChain);
  AmpOptions o;
  o.deny_nodes = {{"nope", "deny-node"}};
  AmpReport r = run_deny(g, o);
  EXPECT_EQ(r.unknown_deny_nodes, std::vector<std::string>{"nope"});
  EXPECT_EQ(r.converted_nodes, 3);
}

}  // namespace
}  // namespace aamp
