// PassManager: passes run in order; a failing or structure-breaking pass is rolled back with a
// warning and the following passes still run. verify_each_pass also blames a pass for the
// validation problems it introduces (not for those the input had); strict turns every failure
// into an Error naming the pass.
#include "aamp/passes/pass_manager.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"
#include "aamp/ops/validate.h"
#include "aamp/passes/auto_mixed_precision.h"
#include "test_util.h"

namespace aamp {
namespace {

const char* kGraph = R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "w" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "m" op: "MatMul" input: "x" input: "w" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "out" op: "Identity" input: "m" attr { key: "T" value { type: DT_FLOAT } } }
)";

// Renames out's op, then throws: a half-done rewrite.
class ThrowingPass : public Pass {
 public:
  std::string name() const override { return "Throwing"; }
  PassResult run(Graph& g, const PassContext&) override {
    g.at("out").op = "Relu";
    throw Error(ErrorCode::kInternal, "boom in node 'out'");
  }
};

// Leaves a dangling input.
class BreakingPass : public Pass {
 public:
  std::string name() const override { return "Breaking"; }
  PassResult run(Graph& g, const PassContext&) override {
    g.at("out").inputs[0] = "nowhere";
    return {true, "broke it"};
  }
};

// Paints m bfloat16 without the Casts its float32 inputs need: structurally fine, but m's
// inputs no longer match its signature (the bug verify_each_pass is for).
class DtypeBreakingPass : public Pass {
 public:
  std::string name() const override { return "DtypeBreaking"; }
  PassResult run(Graph& g, const PassContext&) override {
    g.at("m").attrs["T"] = AttrValue(DType::kBFloat16);
    return {true, "painted m"};
  }
};

// Marks out with an internal attr (valid: names starting with '_' are allowed): a pass that
// changes the graph but not a pre-existing problem of it.
class TouchOutPass : public Pass {
 public:
  std::string name() const override { return "TouchOut"; }
  PassResult run(Graph& g, const PassContext&) override {
    g.at("out").attrs["_touched"] = AttrValue(true);
    return {true, "touched out"};
  }
};

class CountingPass : public Pass {
 public:
  explicit CountingPass(int* runs) : runs_(runs) {}
  std::string name() const override { return "Counting"; }
  PassResult run(Graph&, const PassContext&) override {
    ++*runs_;
    return {false, "counted"};
  }

 private:
  int* runs_;
};

TEST(PassManagerTest, FailingPassIsRolledBackAndOthersRun) {
  Graph g = parse_graphdef_text(kGraph, "<pm>");
  std::string before = serialize_graphdef_binary(g);
  int runs = 0;
  PassManager pm;
  pm.add(std::make_unique<ThrowingPass>());
  pm.add(std::make_unique<BreakingPass>());
  pm.add(std::make_unique<CountingPass>(&runs));
  std::vector<std::string> dumped;
  pm.set_dump([&](int i, const std::string& pass, const Graph& dg) {
    dumped.push_back(std::to_string(i) + ":" + pass);
    EXPECT_EQ(serialize_graphdef_binary(dg), before) << pass;
  });
  WarningSink sink;
  PassContext ctx;
  ctx.warnings = &sink;
  std::vector<PassRecord> rec = pm.run(g, ctx);
  EXPECT_EQ(serialize_graphdef_binary(g), before);
  ASSERT_EQ(rec.size(), 3u);
  EXPECT_FALSE(rec[0].ok);
  EXPECT_NE(rec[0].summary.find("boom in node 'out'"), std::string::npos);
  EXPECT_FALSE(rec[1].ok);
  EXPECT_FALSE(rec[1].changed);
  EXPECT_TRUE(rec[2].ok);
  EXPECT_EQ(runs, 1);
  ASSERT_EQ(sink.messages.size(), 2u);
  EXPECT_NE(sink.messages[0].find("pass Throwing failed"), std::string::npos) << sink.messages[0];
  EXPECT_NE(sink.messages[1].find("pass Breaking failed"), std::string::npos) << sink.messages[1];
  EXPECT_EQ(dumped,
            (std::vector<std::string>{"0:input", "1:Throwing", "2:Breaking", "3:Counting"}));
}

TEST(PassManagerTest, AmpPassRunsAndReports) {
  Graph g = parse_graphdef_text(kGraph, "<pm>");
  AmpReport report;
  PassManager pm;
  pm.add(std::make_unique<AutoMixedPrecisionPass>(AmpOptions{}, &report));
  PassContext ctx;
  std::vector<PassRecord> rec = pm.run(g, ctx);
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_TRUE(rec[0].ok);
  EXPECT_TRUE(rec[0].changed);
  EXPECT_EQ(rec[0].summary, report.message());
  EXPECT_EQ(g.at("m").attr_type("T"), DType::kBFloat16);
}

TEST(PassManagerTest, AmpPassFailureLeavesGraphUnchanged) {
  Graph g = parse_graphdef_text(kGraph, "<pm>");
  std::string before = serialize_graphdef_binary(g);
  AmpOptions o;
  o.target = DType::kInt32;  // invalid target: the pass throws
  PassManager pm;
  pm.add(std::make_unique<AutoMixedPrecisionPass>(o));
  WarningSink sink;
  PassContext ctx;
  ctx.warnings = &sink;
  std::vector<PassRecord> rec = pm.run(g, ctx);
  EXPECT_FALSE(rec[0].ok);
  EXPECT_EQ(serialize_graphdef_binary(g), before);
  ASSERT_EQ(sink.messages.size(), 1u);
  EXPECT_NE(sink.messages[0].find("AutoMixedPrecision"), std::string::npos);
}

PassManagerOptions verify(bool strict) {
  PassManagerOptions o;
  o.verify_each_pass = true;
  o.strict = strict;
  return o;
}

TEST(PassManagerTest, WithoutVerificationABadDtypeGoesThrough) {
  Graph g = parse_graphdef_text(kGraph, "<pm>");
  PassManager pm;
  pm.add(std::make_unique<DtypeBreakingPass>());
  PassContext ctx;
  std::vector<PassRecord> rec = pm.run(g, ctx);
  EXPECT_TRUE(rec[0].ok);
  EXPECT_EQ(g.at("m").attr_type("T"), DType::kBFloat16);
}

TEST(PassManagerTest, VerifyEachPassRollsBackAPassThatBreaksDtypes) {
  Graph g = parse_graphdef_text(kGraph, "<pm>");
  std::string before = serialize_graphdef_binary(g);
  int runs = 0;
  PassManager pm(verify(/*strict=*/false));
  pm.add(std::make_unique<DtypeBreakingPass>());
  pm.add(std::make_unique<CountingPass>(&runs));
  WarningSink sink;
  PassContext ctx;
  ctx.warnings = &sink;
  std::vector<PassRecord> rec = pm.run(g, ctx);
  EXPECT_EQ(serialize_graphdef_binary(g), before);
  ASSERT_EQ(rec.size(), 2u);
  EXPECT_FALSE(rec[0].ok);
  EXPECT_TRUE(rec[1].ok);
  EXPECT_EQ(runs, 1);
  // The first new problem, with node and op: m's input 0 is float, m now expects bfloat16.
  EXPECT_NE(rec[0].summary.find("does not validate: node 'm' (MatMul): input 0 ('x') is float"),
            std::string::npos)
      << rec[0].summary;
  EXPECT_NE(rec[0].summary.find("expected bfloat16"), std::string::npos) << rec[0].summary;
  EXPECT_NE(rec[0].summary.find("and 2 more"), std::string::npos) << rec[0].summary;
  ASSERT_EQ(sink.messages.size(), 1u);
  EXPECT_NE(sink.messages[0].find("pass DtypeBreaking failed and was skipped"), std::string::npos)
      << sink.messages[0];
}

TEST(PassManagerTest, StrictThrowsNamingThePassAndTheProblem) {
  Graph g = parse_graphdef_text(kGraph, "<pm>");
  std::string before = serialize_graphdef_binary(g);
  int runs = 0;
  PassManager pm(verify(/*strict=*/true));
  pm.add(std::make_unique<DtypeBreakingPass>());
  pm.add(std::make_unique<CountingPass>(&runs));
  std::vector<std::string> dumped;
  pm.set_dump([&](int i, const std::string& pass, const Graph& dg) {
    dumped.push_back(std::to_string(i) + ":" + pass + ":" + dtype_name(dg.at("m").attr_type("T")));
  });
  PassContext ctx;
  testing::expect_error([&] { pm.run(g, ctx); }, ErrorCode::kInternal,
                        {"pass DtypeBreaking failed (strict mode)", "node 'm' (MatMul)",
                         "expected bfloat16"});
  EXPECT_EQ(runs, 0);                               // the run stopped there
  EXPECT_EQ(serialize_graphdef_binary(g), before);  // and restored the graph
  // The dump saw the failing pass's output, for debugging.
  EXPECT_EQ(dumped, (std::vector<std::string>{"0:input:float32", "1:DtypeBreaking:bfloat16"}));
}

TEST(PassManagerTest, StrictThrowsForAThrowingOrStructureBreakingPass) {
  for (bool structure : {false, true}) {
    Graph g = parse_graphdef_text(kGraph, "<pm>");
    std::string before = serialize_graphdef_binary(g);
    PassManagerOptions o;
    o.strict = true;  // strict alone, no validation
    PassManager pm(o);
    if (structure)
      pm.add(std::make_unique<BreakingPass>());
    else
      pm.add(std::make_unique<ThrowingPass>());
    PassContext ctx;
    testing::expect_error([&] { pm.run(g, ctx); }, ErrorCode::kInternal,
                          {structure ? "pass Breaking failed (strict mode)"
                                     : "pass Throwing failed (strict mode): boom in node 'out'"});
    EXPECT_EQ(serialize_graphdef_binary(g), before);
  }
}

// The input already has problems (an op aamp does not know, a MatMul whose input dtype does not
// match): a pass that keeps them, or touches the bad node, is not blamed; a new one still is.
TEST(PassManagerTest, PreExistingProblemsAreNotBlamedOnAPass) {
  const char* bad = R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "i" op: "Placeholder" attr { key: "dtype" value { type: DT_INT32 } } }
node { name: "w" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "odd" op: "MyCustomOp" input: "x" }
node { name: "m" op: "MatMul" input: "i" input: "w" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "out" op: "Identity" input: "w" attr { key: "T" value { type: DT_FLOAT } } }
)";
  Graph g = parse_graphdef_text(bad, "<pm>");
  ASSERT_FALSE(validate(g).ok());
  PassManager pm(verify(/*strict=*/true));
  pm.add(std::make_unique<TouchOutPass>());
  pm.add(std::make_unique<DtypeBreakingPass>());  // m was invalid before: not its doing
  PassContext ctx;
  std::vector<PassRecord> rec = pm.run(g, ctx);
  ASSERT_EQ(rec.size(), 2u);
  EXPECT_TRUE(rec[0].ok && rec[1].ok);
  EXPECT_TRUE(g.at("out").attr_bool("_touched"));
  EXPECT_EQ(g.at("m").attr_type("T"), DType::kBFloat16);

  // out was valid: breaking its dtype is still the pass's fault.
  class BreakOut : public Pass {
   public:
    std::string name() const override { return "BreakOut"; }
    PassResult run(Graph& h, const PassContext&) override {
      h.at("out").attrs["T"] = AttrValue(DType::kHalf);
      return {true, ""};
    }
  };
  Graph h = parse_graphdef_text(bad, "<pm>");
  PassManager pm2(verify(/*strict=*/true));
  pm2.add(std::make_unique<BreakOut>());
  testing::expect_error([&] { pm2.run(h, ctx); }, ErrorCode::kInternal,
                        {"pass BreakOut failed", "node 'out' (Identity)"});
}

TEST(PassManagerTest, UnknownFetchIsAnError) {
  Graph g = parse_graphdef_text(kGraph, "<pm>");
  PassContext ctx;
  ctx.fetches = {"nope:0"};
  EXPECT_THROW(ctx.fetch_nodes(g), Error);
  ctx.fetches = {"m:0"};
  EXPECT_EQ(ctx.fetch_nodes(g), (std::unordered_set<std::string>{"m"}));
}

}  // namespace
}  // namespace aamp
