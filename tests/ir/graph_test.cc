// Graph IR: TensorRef parsing, node/graph editing, consumers, topological order and the
// structural checks.
#include "aamp/ir/graph.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aamp/core/error.h"
#include "test_util.h"

namespace aamp {
namespace {

Node make(const std::string& name, const std::string& op, std::vector<std::string> inputs = {}) {
  Node n;
  n.name = name;
  n.op = op;
  n.inputs = std::move(inputs);
  return n;
}

std::vector<std::string> names(const std::vector<Node*>& nodes) {
  std::vector<std::string> out;
  for (const Node* n : nodes) out.push_back(n->name);
  return out;
}

using aamp::testing::expect_error;

TEST(TensorRef, ParsesDataAndControlInputs) {
  EXPECT_EQ(TensorRef::parse("a"), (TensorRef{"a", 0}));
  EXPECT_EQ(TensorRef::parse("a:0"), (TensorRef{"a", 0}));
  EXPECT_EQ(TensorRef::parse("scope/conv:2"), (TensorRef{"scope/conv", 2}));
  EXPECT_EQ(TensorRef::parse("^ctrl"), (TensorRef{"ctrl", -1}));
  EXPECT_EQ(TensorRef::parse("odd:name:3"), (TensorRef{"odd:name", 3}));
  EXPECT_TRUE(TensorRef::parse("^c").is_control());
  EXPECT_FALSE(TensorRef::parse("c:1").is_control());
}

TEST(TensorRef, PrintsCanonicalForm) {
  EXPECT_EQ((TensorRef{"a", 0}).to_string(), "a");
  EXPECT_EQ((TensorRef{"a", 1}).to_string(), "a:1");
  EXPECT_EQ((TensorRef{"a", -1}).to_string(), "^a");
  for (const char* s : {"x", "x:7", "^x", "a/b:12"}) EXPECT_EQ(TensorRef::parse(s).to_string(), s);
  EXPECT_EQ(TensorRef::parse("x:0").to_string(), "x");
}

TEST(TensorRef, RejectsMalformedInputs) {
  for (const char* s : {"", "^", ":1", "a:", "a:-1", "a:x", "a:1x", "a: 1", "a:99999999999"}) {
    expect_error([&] { TensorRef::parse(s); }, ErrorCode::kInvalidGraph, {"malformed"});
  }
}

TEST(TensorRef, OrdersByNodeThenPort) {
  EXPECT_LT((TensorRef{"a", 5}), (TensorRef{"b", 0}));
  EXPECT_LT((TensorRef{"a", -1}), (TensorRef{"a", 0}));
  EXPECT_FALSE((TensorRef{"a", 1}) < (TensorRef{"a", 1}));
}

// The default outputs: nodes nothing reads by a data or a control edge. A cond's pivot that only
// control edges read (TF.js's rvm) is none; Const, NoOp and placeholders never are.
TEST(Graph, DefaultOutputsAreNodesNothingReads) {
  Graph g;
  g.add(make("x", "Placeholder"));
  g.add(make("d", "PlaceholderWithDefault"));
  g.add(make("c", "Const"));
  g.add(make("pivot", "Identity", {"x"}));
  g.add(make("branch", "Identity", {"c", "^pivot"}));
  g.add(make("y", "AddV2", {"x", "branch"}));
  g.add(make("z", "Relu", {"x"}));
  g.add(make("group", "NoOp", {"^z"}));
  g.add(make("w", "Neg", {"d"}));
  std::vector<std::string> got;
  for (const Node* n : g.default_outputs()) got.push_back(n->name);
  EXPECT_EQ(got, (std::vector<std::string>{"y", "w"}));
}

TEST(Graph, AddFindAtRemove) {
  Graph g;
  Node& a = g.add(make("a", "Placeholder"));
  EXPECT_EQ(a.name, "a");
  g.add(make("b", "Relu", {"a"}));
  EXPECT_EQ(g.size(), 2u);
  EXPECT_EQ(g.find("b")->op, "Relu");
  EXPECT_EQ(g.find("zz"), nullptr);
  EXPECT_EQ(&g.at("a"), &a);
  expect_error([&] { g.at("zz"); }, ErrorCode::kNotFound, {"'zz'"});
  expect_error([&] { g.add(make("a", "Const")); }, ErrorCode::kInvalidGraph, {"duplicate", "'a'"});
  EXPECT_EQ(g.size(), 2u);
  g.remove("a");
  EXPECT_EQ(g.size(), 1u);
  EXPECT_EQ(g.find("a"), nullptr);
  EXPECT_EQ(g.find("b")->inputs, std::vector<std::string>{"a"});  // consumers untouched
  expect_error([&] { g.remove("a"); }, ErrorCode::kNotFound, {"'a'"});
  g.add(make("a", "Const"));  // the name is free again
  EXPECT_EQ(g.nodes().back()->name, "a");
}

TEST(Graph, ReplaceKeepsNodeOrder) {
  Graph g;
  g.add(make("a", "Placeholder"));
  g.add(make("b", "Relu", {"a"}));
  g.add(make("c", "Tanh", {"a"}));
  Node& b = g.replace("b", make("b", "Swish", {"a"}));
  EXPECT_EQ(b.op, "Swish");
  EXPECT_EQ(&g.at("b"), &b);
  g.replace("c", make("c2", "Sigmoid", {"a"}));  // a new name frees the old one
  EXPECT_EQ(g.find("c"), nullptr);
  std::vector<std::string> order;
  for (const auto& n : g.nodes()) order.push_back(n->name + ":" + n->op);
  EXPECT_EQ(order, (std::vector<std::string>{"a:Placeholder", "b:Swish", "c2:Sigmoid"}));
  expect_error([&] { g.replace("zz", make("zz", "Relu")); }, ErrorCode::kNotFound, {"'zz'"});
  expect_error([&] { g.replace("b", make("a", "Relu")); }, ErrorCode::kInvalidGraph,
               {"duplicate", "'a'"});
  EXPECT_EQ(g.at("b").op, "Swish");  // a failed replace changes nothing
}

TEST(Graph, CopyIsDeep) {
  Graph g;
  g.add(make("a", "Placeholder"));
  g.versions.producer = 7;
  Graph c = g;
  c.at("a").op = "Const";
  c.add(make("b", "Relu", {"a"}));
  EXPECT_EQ(g.at("a").op, "Placeholder");
  EXPECT_EQ(g.size(), 1u);
  EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(c.versions.producer, 7);
  Graph d;
  d = c;
  EXPECT_EQ(d.find("b")->inputs[0], "a");
  EXPECT_NE(d.find("b"), c.find("b"));
}

TEST(Graph, RewireDataAndControl) {
  Graph g;
  g.add(make("a", "Split"));
  g.add(make("b", "Relu", {"a"}));
  g.add(make("c", "AddV2", {"a:1", "a", "^a"}));
  g.add(make("n", "Identity"));
  EXPECT_EQ(g.rewire({"a", 0}, {"n", 2}), 2);
  EXPECT_EQ(g.at("b").inputs, std::vector<std::string>{"n:2"});
  EXPECT_EQ(g.at("c").inputs, (std::vector<std::string>{"a:1", "n:2", "^a"}));
  EXPECT_EQ(g.rewire({"a", -1}, {"n", -1}), 1);
  EXPECT_EQ(g.at("c").inputs, (std::vector<std::string>{"a:1", "n:2", "^n"}));
  EXPECT_EQ(g.rewire({"missing", 0}, {"n", 0}), 0);
}

TEST(Graph, UniqueName) {
  Graph g;
  EXPECT_EQ(g.unique_name("x"), "x");
  g.add(make("x", "NoOp"));
  EXPECT_EQ(g.unique_name("x"), "x_1");
  g.add(make("x_1", "NoOp"));
  g.add(make("x_2", "NoOp"));
  EXPECT_EQ(g.unique_name("x"), "x_3");
  EXPECT_EQ(g.unique_name("y"), "y");
}

TEST(Graph, Consumers) {
  Graph g;
  g.add(make("a", "Split"));
  g.add(make("b", "Relu", {"a:1"}));
  g.add(make("c", "AddV2", {"a", "a:1", "^a"}));
  auto c0 = g.consumers({"a", 0});
  ASSERT_EQ(c0.size(), 1u);
  EXPECT_EQ(c0[0].first->name, "c");
  EXPECT_EQ(c0[0].second, 0);
  auto c1 = g.consumers({"a", 1});
  ASSERT_EQ(c1.size(), 2u);
  EXPECT_EQ(c1[0].first->name, "b");
  EXPECT_EQ(c1[0].second, 0);
  EXPECT_EQ(c1[1].first->name, "c");
  EXPECT_EQ(c1[1].second, 1);
  auto ctrl = g.consumers({"a", -1});
  ASSERT_EQ(ctrl.size(), 1u);
  EXPECT_EQ(ctrl[0].second, 2);
  EXPECT_TRUE(g.consumers({"b", 0}).empty());
  auto m = g.consumer_map();
  EXPECT_EQ(m["a"].size(), 4u);
  EXPECT_EQ(m.count("b"), 0u);
}

TEST(Graph, NodeHelpers) {
  Node n = make("c", "AddV2", {"a", "b:1", "^x", "^y"});
  EXPECT_EQ(n.num_data_inputs(), 2);
  EXPECT_EQ(n.input(1), (TensorRef{"b", 1}));
  EXPECT_EQ(n.input(3), (TensorRef{"y", -1}));
  EXPECT_EQ(n.describe(), "node 'c' (AddV2)");
  EXPECT_EQ(make("p", "Placeholder").num_data_inputs(), 0);
}

TEST(TopoOrder, KeepsFileOrderOnTies) {
  Graph g;
  g.add(make("c", "NoOp"));
  g.add(make("b", "NoOp"));
  g.add(make("a", "NoOp"));
  EXPECT_EQ(names(g.topo_order()), (std::vector<std::string>{"c", "b", "a"}));
}

TEST(TopoOrder, ProducersFirstThenFileOrder) {
  Graph g;
  g.add(make("out", "AddV2", {"r", "s"}));
  g.add(make("s", "Sigmoid", {"x"}));
  g.add(make("r", "Relu", {"x", "^init"}));
  g.add(make("x", "Placeholder"));
  g.add(make("init", "NoOp"));
  g.add(make("z", "Const"));
  // Ready first: x (pos 3), init (4), z (5); after x: s (1) is the lowest ready position.
  EXPECT_EQ(names(g.topo_order()), (std::vector<std::string>{"x", "s", "init", "r", "out", "z"}));
}

TEST(TopoOrder, CycleErrorNamesANodeOnTheCycle) {
  Graph g;
  g.add(make("downstream", "Relu", {"cyc_c"}));
  g.add(make("cyc_a", "Relu", {"cyc_c"}));
  g.add(make("cyc_b", "Relu", {"cyc_a"}));
  g.add(make("cyc_c", "AddV2", {"cyc_b", "x"}));
  g.add(make("x", "Placeholder"));
  try {
    g.topo_order();
    FAIL() << "no exception";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_EQ(e.code(), ErrorCode::kInvalidGraph);
    EXPECT_NE(msg.find("cycle"), std::string::npos) << msg;
    EXPECT_NE(msg.find("node 'cyc_"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("downstream"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("'x'"), std::string::npos) << msg;
  }
}

TEST(TopoOrder, SelfLoopAndControlCycle) {
  Graph g;
  g.add(make("self", "Relu", {"self"}));
  expect_error([&] { g.topo_order(); }, ErrorCode::kInvalidGraph, {"cycle", "'self'"});
  Graph h;
  h.add(make("p", "NoOp", {"^q"}));
  h.add(make("q", "NoOp", {"^p"}));
  expect_error([&] { h.topo_order(); }, ErrorCode::kInvalidGraph, {"cycle"});
}

TEST(TopoOrder, NextIterationToMergeBackEdgeIsAllowed) {
  Graph g;
  g.add(make("x", "Placeholder"));
  g.add(make("enter", "Enter", {"x"}));
  g.add(make("merge", "Merge", {"enter", "next"}));
  g.add(make("body", "Relu", {"merge"}));
  g.add(make("next", "NextIteration", {"body"}));
  EXPECT_EQ(names(g.topo_order()),
            (std::vector<std::string>{"x", "enter", "merge", "body", "next"}));
  EXPECT_NO_THROW(g.check_structure());
  // The same loop without NextIteration is a real cycle.
  g.at("next").op = "Identity";
  expect_error([&] { g.topo_order(); }, ErrorCode::kInvalidGraph, {"cycle"});
}

TEST(TopoOrder, DanglingInputNamesNodeAndMissingProducer) {
  Graph g;
  g.add(make("x", "Placeholder"));
  g.add(make("relu", "Relu", {"ghost:1"}));
  expect_error([&] { g.topo_order(); }, ErrorCode::kInvalidGraph,
               {"node 'relu' (Relu)", "'ghost'"});
}

TEST(CheckStructure, AcceptsWellFormedGraph) {
  Graph g;
  g.add(make("x", "Placeholder"));
  g.add(make("i", "NoOp"));
  g.add(make("y", "Relu", {"x", "^i"}));
  EXPECT_NO_THROW(g.check_structure());
}

TEST(CheckStructure, DanglingInput) {
  Graph g;
  g.add(make("y", "Relu", {"nowhere"}));
  expect_error([&] { g.check_structure(); }, ErrorCode::kInvalidGraph, {"'y'", "'nowhere'"});
  Graph h;
  h.add(make("y", "NoOp", {"^nowhere"}));
  expect_error([&] { h.check_structure(); }, ErrorCode::kInvalidGraph, {"'y'", "'nowhere'"});
}

TEST(CheckStructure, DuplicateName) {
  Graph g;
  g.add(make("a", "Placeholder"));
  g.add(make("b", "Placeholder"));
  g.at("b").name = "a";  // edited behind the index's back
  expect_error([&] { g.check_structure(); }, ErrorCode::kInvalidGraph, {"duplicate", "'a'"});
}

TEST(CheckStructure, ControlInputBeforeData) {
  Graph g;
  g.add(make("x", "Placeholder"));
  g.add(make("i", "NoOp"));
  g.add(make("y", "AddV2", {"x", "^i", "x"}));
  expect_error([&] { g.check_structure(); }, ErrorCode::kInvalidGraph,
               {"node 'y' (AddV2)", "after a control input"});
}

TEST(CheckStructure, MalformedInputEmptyNameAndOp) {
  Graph g;
  g.add(make("x", "Placeholder"));
  g.add(make("y", "Relu", {"x:"}));
  expect_error([&] { g.check_structure(); }, ErrorCode::kInvalidGraph, {"node 'y'", "'x:'"});
  Graph h;
  h.add(make("", "Relu"));
  expect_error([&] { h.check_structure(); }, ErrorCode::kInvalidGraph, {"Relu", "no name"});
  Graph k;
  k.add(make("noop", ""));
  expect_error([&] { k.check_structure(); }, ErrorCode::kInvalidGraph, {"'noop'", "no op"});
}

TEST(CheckStructure, Cycle) {
  Graph g;
  g.add(make("a", "Relu", {"b"}));
  g.add(make("b", "Relu", {"a"}));
  expect_error([&] { g.check_structure(); }, ErrorCode::kInvalidGraph, {"cycle"});
}

}  // namespace
}  // namespace aamp
