// PassManager: passes run in order; a failing or structure-breaking pass is rolled back with a
// warning and the following passes still run.
#include "aamp/passes/pass_manager.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"
#include "aamp/passes/auto_mixed_precision.h"

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
