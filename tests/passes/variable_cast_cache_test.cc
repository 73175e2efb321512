// Golden-graph tests of VariableCastCachePass: a float32 -> bfloat16 Cast of a variable's value
// becomes CachedCast when the host asks for it, and nothing else changes.
#include "aamp/passes/variable_cast_cache.h"

#include <gtest/gtest.h>

#include <string>

#include "passes/pass_check_util.h"

namespace aamp {
namespace {

using testing::parse;

std::string cast(const std::string& name, const std::string& in, const char* dst = "DT_BFLOAT16") {
  return "node { name: \"" + name + "\" op: \"Cast\" input: \"" + in +
         "\" attr { key: \"SrcT\" value { type: DT_FLOAT } } attr { key: \"DstT\" value { type: " +
         dst + " } } attr { key: \"Truncate\" value { b: false } } }\n";
}

const char* kVariables = R"(
node { name: "h" op: "VarHandleOp" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "shape" value { shape { dim { size: 4 } dim { size: 4 } } } } }
node { name: "r" op: "ReadVariableOp" input: "h" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "ri" op: "Identity" input: "r" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
)";

std::string consumer(const std::string& name, const std::string& in) {
  return "node { name: \"" + name + "\" op: \"Identity\" input: \"" + in +
         "\" attr { key: \"T\" value { type: DT_BFLOAT16 } } }\n";
}

Graph run(const std::string& text, bool asked, std::vector<std::string> fetches = {}) {
  Graph g = parse(text);
  PassContext ctx;
  ctx.hooks.cache_variable_casts = asked;
  ctx.fetches = std::move(fetches);
  PassManager pm(testing::checked_passes());
  pm.add(std::make_unique<VariableCastCachePass>());
  pm.run(g, ctx);
  return g;
}

TEST(VariableCastCache, CastOfVariableReadBecomesCachedCast) {
  const std::string text = std::string(kVariables) + cast("c1", "r") + cast("c2", "ri") +
                           consumer("o1", "c1") + consumer("o2", "c2");
  Graph g = run(text, true);
  for (const char* c : {"c1", "c2"}) {
    SCOPED_TRACE(c);
    const Node& n = g.at(c);
    EXPECT_EQ(n.op, "CachedCast");
    EXPECT_EQ(n.attr_type("T"), DType::kBFloat16);
    EXPECT_EQ(n.attrs.size(), 1u);  // SrcT, DstT and Truncate are gone
  }
  EXPECT_EQ(g.at("c1").inputs, std::vector<std::string>{"r"});
  EXPECT_EQ(g.at("c2").inputs, std::vector<std::string>{"ri"});
}

TEST(VariableCastCache, OtherCastsDoNotChange) {
  // An activation's cast, a float16 target, and a cast that is a fetch.
  const std::string text = std::string(kVariables) + cast("ca", "x") + cast("ch", "r", "DT_HALF") +
                           cast("cf", "r") + consumer("o1", "ca");
  Graph g = run(text, true, {"o1", "ch", "cf"});
  for (const char* c : {"ca", "ch", "cf"}) {
    SCOPED_TRACE(c);
    EXPECT_EQ(g.at(c).op, "Cast");
    EXPECT_EQ(g.at(c).attrs.size(), 3u);
  }
  EXPECT_EQ(g.at("ch").attr_type("DstT"), DType::kHalf);
}

// A training step (the same function updates the variable): left alone.
TEST(VariableCastCache, TrainingStepIsLeftAlone) {
  const std::string text =
      std::string(kVariables) + cast("c1", "r") + consumer("o1", "c1") +
      "node { name: \"upd\" op: \"AssignSubVariableOp\" input: \"h\" input: \"x\" "
      "attr { key: \"dtype\" value { type: DT_FLOAT } } }\n";
  Graph g = run(text, true);
  EXPECT_EQ(g.at("c1").op, "Cast");
}

TEST(VariableCastCache, NothingChangesUnlessTheHostAsks) {
  const std::string text = std::string(kVariables) + cast("c1", "r") + consumer("o1", "c1");
  Graph g = run(text, false);
  EXPECT_EQ(g.at("c1").op, "Cast");
  EXPECT_EQ(g.at("c1").attrs.size(), 3u);
}

}  // namespace
}  // namespace aamp
