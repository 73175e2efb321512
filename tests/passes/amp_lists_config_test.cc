// List add/remove through AmpConfig changes the AMP outcome (spec sections 1, 2 and 4): the
// config's edited lists, run through optimize() as the C++ API and the CLI do, on golden graphs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aamp/api/config.h"
#include "aamp/api/optimize.h"
#include "aamp/core/error.h"
#include "aamp/ops/registry.h"
#include "aamp/passes/amp_lists.h"
#include "passes/amp_test_util.h"
#include "passes/pass_check_util.h"

namespace aamp {
namespace {

using namespace amp_test;  // NOLINT(build/namespaces): the helpers of amp_test_util.h

// m = MatMul(x, w) is the only allowlisted node. The Softmax reads Exp (deny), the AvgPool reads
// a Placeholder: by the default rules neither follows an ALLOW node, so both stay float32.
const char* kSoftmaxAvgPool = R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "shape" value { shape { dim { size: -1 } dim { size: 4 } } } } }
node { name: "img" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "shape" value { shape { dim { size: -1 } dim { size: 4 } dim { size: 4 }
  dim { size: 2 } } } } }
node { name: "w" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT
  tensor_shape { dim { size: 4 } dim { size: 4 } } float_val: 0.5 } } } }
node { name: "m" op: "MatMul" input: "x" input: "w" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "out_m" op: "Identity" input: "m" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "e" op: "Exp" input: "x" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "sm" op: "Softmax" input: "e" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "out_sm" op: "Identity" input: "sm" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "pool" op: "AvgPool" input: "img" attr { key: "T" value { type: DT_FLOAT } }
  attr { key: "ksize" value { list { i: 1 i: 2 i: 2 i: 1 } } }
  attr { key: "strides" value { list { i: 1 i: 2 i: 2 i: 1 } } }
  attr { key: "padding" value { s: "VALID" } } }
node { name: "out_pool" op: "Identity" input: "pool" attr { key: "T" value { type: DT_FLOAT } } }
)";

OptimizeResult run_lists(Graph& g, const AmpConfig& c) {
  OptimizeResult r = optimize(g, testing::checked(c), DeviceKind::kCPU);
  g.check_structure();
  return r;
}

TEST(AmpListsConfigTest, SoftmaxAndAvgPoolStayFloatByDefault) {
  Graph g = parse(kSoftmaxAvgPool);
  OptimizeResult r = run_lists(g, AmpConfig{});
  ASSERT_TRUE(r.amp_ran);
  EXPECT_EQ(g.at("m").attr_type("T"), kBF16);
  EXPECT_EQ(g.at("e").attr_type("T"), kF32);
  EXPECT_EQ(g.at("sm").attr_type("T"), kF32);
  EXPECT_EQ(g.at("pool").attr_type("T"), kF32);
  EXPECT_EQ(rule_of(r.amp, "sm"), "deny-propagation from e");
  EXPECT_EQ(rule_of(r.amp, "pool"), "infer");
  EXPECT_EQ(g.at("sm").inputs, std::vector<std::string>{"e"});
  EXPECT_EQ(g.at("pool").inputs, std::vector<std::string>{"img"});
  EXPECT_EQ(count_op(g, "Cast"), 2);
  expect_cast(g, cast_name("x", 0, "CastToBf16"), "x", kF32, kBF16);
  expect_cast(g, cast_name("m", 0, "CastToFp32"), "m", kBF16, kF32);
  EXPECT_EQ(r.amp.message(),
            "Converted 1/9 nodes to bfloat16 precision using 2 cast(s) (excluding Const and "
            "Variable casts)");
}

TEST(AmpListsConfigTest, MovingSoftmaxAndAvgPoolToAllowConvertsThem) {
  Graph g = parse(kSoftmaxAvgPool);
  AmpConfig c;
  c.inferlist_remove = "Softmax,AvgPool";
  c.allowlist_add = "Softmax, AvgPool";
  OptimizeResult r = run_lists(g, c);
  ASSERT_TRUE(r.amp_ran);
  EXPECT_TRUE(r.amp.lists.allow.count("Softmax") && r.amp.lists.allow.count("AvgPool"));
  EXPECT_FALSE(r.amp.lists.infer.count("Softmax") || r.amp.lists.infer.count("AvgPool"));
  EXPECT_EQ(g.at("m").attr_type("T"), kBF16);
  EXPECT_EQ(g.at("e").attr_type("T"), kF32);
  EXPECT_EQ(g.at("sm").attr_type("T"), kBF16);
  EXPECT_EQ(g.at("pool").attr_type("T"), kBF16);
  EXPECT_EQ(rule_of(r.amp, "sm"), "allowlist");
  EXPECT_EQ(rule_of(r.amp, "pool"), "allowlist");
  EXPECT_EQ(rule_of(r.amp, "e"), "deny");
  for (const char* out : {"out_m", "out_sm", "out_pool"}) EXPECT_EQ(g.at(out).attr_type("T"), kF32);
  // One Cast per (port, dtype): x's is shared by m only (e reads x in float32).
  EXPECT_EQ(count_op(g, "Cast"), 6);
  expect_cast(g, cast_name("x", 0, "CastToBf16"), "x", kF32, kBF16);
  expect_cast(g, cast_name("e", 0, "CastToBf16"), "e", kF32, kBF16);
  expect_cast(g, cast_name("img", 0, "CastToBf16"), "img", kF32, kBF16);
  expect_cast(g, cast_name("m", 0, "CastToFp32"), "m", kBF16, kF32);
  expect_cast(g, cast_name("sm", 0, "CastToFp32"), "sm", kBF16, kF32);
  expect_cast(g, cast_name("pool", 0, "CastToFp32"), "pool", kBF16, kF32);
  EXPECT_EQ(g.at("e").inputs, std::vector<std::string>{"x"});
  EXPECT_EQ(g.at("sm").inputs, std::vector<std::string>{cast_name("e", 0, "CastToBf16")});
  EXPECT_EQ(g.at("pool").inputs, std::vector<std::string>{cast_name("img", 0, "CastToBf16")});
  EXPECT_EQ(g.at("out_sm").inputs, std::vector<std::string>{cast_name("sm", 0, "CastToFp32")});
  EXPECT_EQ(g.at("out_pool").inputs, std::vector<std::string>{cast_name("pool", 0, "CastToFp32")});
  EXPECT_EQ(r.amp.message(),
            "Converted 3/9 nodes to bfloat16 precision using 6 cast(s) (excluding Const and "
            "Variable casts)");
}

// Without an allowlisted op in the graph the default lists have nothing to do; moved to allow,
// the Softmax alone converts. Added to allow but not removed from infer is an error.
TEST(AmpListsConfigTest, MovedSoftmaxConvertsAGraphWithNoDefaultAllowOp) {
  const std::string text = R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "sm" op: "Softmax" input: "x" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "out" op: "Identity" input: "sm" attr { key: "T" value { type: DT_FLOAT } } }
)";
  Graph before = parse(text), g = parse(text);
  OptimizeResult d = run_lists(g, AmpConfig{});
  EXPECT_FALSE(d.amp.changed);
  EXPECT_EQ(serialize_graphdef_binary(g), serialize_graphdef_binary(before));
  AmpConfig c;
  c.inferlist_remove = "Softmax";
  c.allowlist_add = "Softmax";
  OptimizeResult r = run_lists(g, c);
  EXPECT_EQ(g.at("sm").attr_type("T"), kBF16);
  EXPECT_EQ(count_op(g, "Cast"), 2);
  expect_cast(g, cast_name("x", 0, "CastToBf16"), "x", kF32, kBF16);
  expect_cast(g, cast_name("sm", 0, "CastToFp32"), "sm", kBF16, kF32);
  Graph h = parse(text);
  AmpConfig both;
  both.allowlist_add = "Softmax";
  EXPECT_THROW(optimize(h, testing::checked(both), DeviceKind::kCPU), Error);
  EXPECT_EQ(serialize_graphdef_binary(h), serialize_graphdef_binary(before));
}

// MatMul -> Tanh -> BatchMatMulV2: by default all three convert (Tanh between ALLOW nodes).
const char* kMatMulTanhBmm = R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "shape" value { shape { dim { size: -1 } dim { size: 4 } } } } }
node { name: "w1" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT
  tensor_shape { dim { size: 4 } dim { size: 4 } } float_val: 0.5 } } } }
node { name: "w2" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT
  tensor_shape { dim { size: 4 } dim { size: 4 } } float_val: 0.25 } } } }
node { name: "m" op: "MatMul" input: "x" input: "w1" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "t" op: "Tanh" input: "m" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "bm" op: "BatchMatMulV2" input: "t" input: "w2"
  attr { key: "T" value { type: DT_FLOAT } } }
node { name: "out" op: "Identity" input: "bm" attr { key: "T" value { type: DT_FLOAT } } }
)";

TEST(AmpListsConfigTest, AllowOpMovedToDenyStaysFloat) {
  Graph d = parse(kMatMulTanhBmm);
  OptimizeResult rd = run_lists(d, AmpConfig{});
  for (const char* n : {"m", "t", "bm"}) EXPECT_EQ(d.at(n).attr_type("T"), kBF16) << n;
  EXPECT_EQ(rule_of(rd.amp, "t"), "between-allow");
  EXPECT_EQ(count_op(d, "Cast"), 2);

  Graph g = parse(kMatMulTanhBmm);
  AmpConfig c;
  c.allowlist_remove = "MatMul";
  c.denylist_add = "MatMul";
  OptimizeResult r = run_lists(g, c);
  EXPECT_TRUE(r.amp.lists.deny.count("MatMul"));
  EXPECT_FALSE(r.amp.lists.allow.count("MatMul"));
  EXPECT_EQ(g.at("m").attr_type("T"), kF32);
  EXPECT_EQ(rule_of(r.amp, "m"), "deny");
  EXPECT_EQ(g.at("t").attr_type("T"), kF32);
  EXPECT_EQ(rule_of(r.amp, "t"), "deny-propagation from m");
  EXPECT_EQ(g.at("bm").attr_type("T"), kBF16);
  EXPECT_EQ(g.at("m").inputs, (std::vector<std::string>{"x", "w1"}));
  EXPECT_EQ(g.at("w1").attr_type("dtype"), kF32);  // read by the float32 MatMul: untouched
  EXPECT_EQ(g.at("w2").attr_type("dtype"), kBF16);
  EXPECT_EQ(count_op(g, "Cast"), 2);
  expect_cast(g, cast_name("t", 0, "CastToBf16"), "t", kF32, kBF16);
  expect_cast(g, cast_name("bm", 0, "CastToFp32"), "bm", kBF16, kF32);
  EXPECT_EQ(g.at("bm").inputs, (std::vector<std::string>{cast_name("t", 0, "CastToBf16"), "w2"}));
  EXPECT_EQ(r.amp.message(),
            "Converted 1/5 nodes to bfloat16 precision using 2 cast(s) (excluding Const and "
            "Variable casts)");
}

// The default lists are cached per registry generation: an op registered (or given a class)
// after a first call shows in the next one, and a second call without changes gives the same.
TEST(AmpListsDefaults, FollowRegistryChanges) {
  const AmpLists before = AmpLists::defaults(DeviceKind::kCPU);
  EXPECT_EQ(AmpLists::defaults(DeviceKind::kCPU).allow, before.allow);
  EXPECT_EQ(before.classify("_AmpListsCacheTestOp"), AmpClass::kNone);
  OpRegistry::global().info("_AmpListsCacheTestOp").amp(AmpClass::kClear);
  const AmpLists after = AmpLists::defaults(DeviceKind::kCPU);
  EXPECT_EQ(after.classify("_AmpListsCacheTestOp"), AmpClass::kClear);
  EXPECT_EQ(after.clear.size(), before.clear.size() + 1);
  EXPECT_EQ(after.allow, before.allow);
}

}  // namespace
}  // namespace aamp
