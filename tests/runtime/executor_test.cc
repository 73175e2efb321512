// Dynamic execution (runtime/executor.h) on TensorFlow's own v1 control flow: conditionals whose
// branch constants hang off pivots, while loops (nested too), TensorArrayV3 and TensorList
// loops (tests/testdata/control_flow/*.pbtxt, made by make_graphs.py with TensorFlow), and the
// split between the static schedule and the executor (which nodes run where, the boundary).
// Expected values are computed by hand from the programs in make_graphs.py.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"
#include "aamp/runtime/session.h"
#include "session_test_util.h"
#include "tensor_test_util.h"
#include "test_util.h"

namespace aamp {
namespace {

using testing::f32;

Graph control_flow_graph(const std::string& name) {
  return load_graph(testing::testdata_path("control_flow/" + name + ".pbtxt"));
}

// A float placeholder `x` [6] and `where` = Where(x > 0): a value-dependent shape [?, 1].
std::string where_positive(const std::string& x, const std::string& where) {
  return "node { name: \"" + x +
         "\" op: \"Placeholder\" attr { key: \"dtype\" value { type: DT_FLOAT } } attr { key: "
         "\"shape\" value { shape { dim { size: 6 } } } } }\n"
         "node { name: \"zero\" op: \"Const\" attr { key: \"dtype\" value { type: DT_FLOAT } } "
         "attr { key: \"value\" value { tensor { dtype: DT_FLOAT tensor_shape { } float_val: 0 } "
         "} } }\n"
         "node { name: \"gt\" op: \"Greater\" input: \"" +
         x +
         "\" input: \"zero\" attr { key: \"T\" value { type: DT_FLOAT } } }\n"
         "node { name: \"" +
         where + "\" op: \"Where\" input: \"gt\" attr { key: \"T\" value { type: DT_BOOL } } }\n";
}

std::vector<double> doubles(const Tensor& t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.num_elements(); ++i) v.push_back(t.element_as_double(i));
  return v;
}

Tensor flag(bool b) {
  Tensor t(DType::kBool, Shape{});
  *t.mutable_data<bool>() = b;
  return t;
}

TEST(Executor, ConditionalTakesOneBranch) {
  Session s(control_flow_graph("cond"));
  const Tensor x = f32({3}, {1, 2, 3});
  for (bool p : {true, false}) {
    auto out = s.run({{"x", x}, {"p", flag(p)}}, {"y", "z"});
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].shape(), Shape({3}));
    EXPECT_EQ(doubles(out[0]), p ? std::vector<double>({2, 4, 6}) : std::vector<double>({2, 3, 4}));
    // The branches' constants hang off their pivots: only the taken one reaches the Merge.
    EXPECT_EQ(doubles(out[1]), std::vector<double>({p ? 10.0 : 20.0}));
  }
  const PlanStats st = s.last_stats();
  EXPECT_GT(st.dynamic_nodes, 0);
  EXPECT_GT(st.dynamic_executions, 0);
}

TEST(Executor, MergeValueIndexNamesTheTakenInput) {
  Session s(control_flow_graph("cond"));
  // y_cond/Merge reads (add, mul): the false branch is input 0.
  auto t = s.run({{"x", f32({3}, {0, 0, 0})}, {"p", flag(true)}}, {"y_cond/Merge:1"});
  EXPECT_EQ(doubles(t[0]), std::vector<double>({1}));
  t = s.run({{"x", f32({3}, {0, 0, 0})}, {"p", flag(false)}}, {"y_cond/Merge:1"});
  EXPECT_EQ(doubles(t[0]), std::vector<double>({0}));
}

TEST(Executor, FetchOnTheUntakenBranchIsAnError) {
  Session s(control_flow_graph("cond"));
  testing::expect_error(
      [&] { s.run({{"x", f32({3}, {1, 2, 3})}, {"p", flag(false)}}, {"y_cond/mul"}); },
      ErrorCode::kInvalidArgument, {"y_cond/mul", "dead", "not taken"});
}

TEST(Executor, WhileLoopRunsItsIterations) {
  Session s(control_flow_graph("while_sum"));
  const Tensor x = f32({2}, {1, -2});
  for (int n : {0, 1, 5, 40}) {
    auto out = s.run({{"x", x}, {"n", Tensor::scalar<int32_t>(n)}}, {"i_out", "acc_out"});
    EXPECT_EQ(doubles(out[0]), std::vector<double>({static_cast<double>(n)})) << n;
    const double tri = n * (n - 1) / 2.0;
    EXPECT_EQ(doubles(out[1]), std::vector<double>({tri, -2 * tri})) << n;
  }
  // One plan for every trip count: the loop runs in the executor, not in the plan's shapes.
  EXPECT_EQ(s.cached_plans(), 1u);
}

TEST(Executor, NestedLoopsKeepTheirFramesApart) {
  Session s(control_flow_graph("nested_while"));
  for (auto [n, m] : std::vector<std::pair<int, int>>{{0, 3}, {3, 0}, {1, 1}, {3, 4}, {7, 5}}) {
    auto out =
        s.run({{"n", Tensor::scalar<int32_t>(n)}, {"m", Tensor::scalar<int32_t>(m)}}, {"count"});
    EXPECT_EQ(doubles(out[0]), std::vector<double>({static_cast<double>(n * m)})) << n << "x" << m;
  }
}

std::vector<double> scaled_rows(const std::vector<float>& x) {
  std::vector<double> v;
  for (size_t i = 0; i < x.size(); ++i) v.push_back(x[i] * static_cast<double>(i / 3 + 1));
  return v;
}

TEST(Executor, TensorArrayLoop) {
  Session s(control_flow_graph("tensor_array_loop"));
  const std::vector<float> xv = {1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -2, -3};
  auto out = s.run({{"x", f32({4, 3}, xv)}}, {"rows", "size"});
  EXPECT_EQ(out[0].shape(), Shape({4, 3}));
  EXPECT_EQ(doubles(out[0]), scaled_rows(xv));
  EXPECT_EQ(doubles(out[1]), std::vector<double>({4}));
  // Another row count: a new plan (the feed's shape differs), the same answer shape.
  out = s.run({{"x", f32({1, 3}, {2, 4, 6})}}, {"rows"});
  EXPECT_EQ(doubles(out[0]), std::vector<double>({2, 4, 6}));
}

TEST(Executor, TensorListLoop) {
  Session s(control_flow_graph("tensor_list_loop"));
  const std::vector<float> xv = {1, 2, 3, 4, 5, 6};
  auto out = s.run({{"x", f32({2, 3}, xv)}}, {"rows"});
  EXPECT_EQ(out[0].shape(), Shape({2, 3}));
  EXPECT_EQ(doubles(out[0]), scaled_rows(xv));
}

// Static and dynamic parts of one plan: what precedes the loop runs in the static schedule.
TEST(Executor, StaticPrefixStaysStatic) {
  const std::string pbtxt = R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "shape" value { shape { dim { size: 2 } } } } }
node { name: "p" op: "Placeholder" attr { key: "dtype" value { type: DT_BOOL } }
       attr { key: "shape" value { shape { } } } }
node { name: "sq" op: "Square" input: "x" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "sw" op: "Switch" input: "sq" input: "p" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "neg" op: "Neg" input: "sw:1" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "m" op: "Merge" input: "sw" input: "neg" attr { key: "T" value { type: DT_FLOAT } }
       attr { key: "N" value { i: 2 } } }
node { name: "out" op: "Exp" input: "m" attr { key: "T" value { type: DT_FLOAT } } }
)";
  Session s(parse_graphdef_text(pbtxt, "static_prefix.pbtxt"));
  auto out = s.run({{"x", f32({2}, {1, 2})}, {"p", flag(true)}}, {"out", "sq"});
  EXPECT_NEAR(out[0].element_as_double(0), std::exp(-1.0), 1e-6);
  EXPECT_NEAR(out[0].element_as_double(1), std::exp(-4.0), 1e-6);
  EXPECT_EQ(doubles(out[1]), std::vector<double>({1, 4}));
  const PlanStats st = s.last_stats();
  // Square before the conditional; Exp after its Merge, in the continuation plan. The branch
  // (Neg, dead when not taken) and the Switch and Merge stay in the executor.
  EXPECT_EQ(st.steps, 2);
  EXPECT_EQ(st.dynamic_nodes, 3);
  out = s.run({{"x", f32({2}, {1, 2})}, {"p", flag(false)}}, {"out"});
  EXPECT_NEAR(out[0].element_as_double(1), std::exp(4.0), 1e-3);
}

// The loop's results have static shapes once the loop has run: what follows runs in a static
// continuation plan (not the executor), whose kernels the profile names.
TEST(Executor, ContinuationAfterALoopIsStatic) {
  SessionOptions o;
  o.profile = true;
  Session s(testing::loop_then_matmul(), o);
  // rows = [[1, 2, 3], [8, 10, 12]] (row i scaled by i + 1).
  auto out = s.run({{"x", f32({2, 3}, {1, 2, 3, 4, 5, 6})}}, {"mm"});
  EXPECT_EQ(out[0].shape(), Shape({2, 1}));
  EXPECT_EQ(doubles(out[0]), std::vector<double>({321, 1308}));
  const PlanStats st = s.last_stats();
  const std::string mm_kernel = testing::profiled_kernel(st, "mm");
  EXPECT_FALSE(mm_kernel.empty());
  EXPECT_EQ(mm_kernel.find("dynamic"), std::string::npos) << mm_kernel;
  // The MatMul adds no dynamic node to what the loop needs.
  Session rows_only(control_flow_graph("tensor_list_loop"));
  rows_only.run({{"x", f32({2, 3}, {1, 2, 3, 4, 5, 6})}}, {"rows"});
  EXPECT_EQ(st.dynamic_nodes, rows_only.last_stats().dynamic_nodes);
  // Another row count: a new plan for the feed, the continuation with it.
  out = s.run({{"x", f32({3, 3}, {1, 0, 0, 0, 1, 0, 0, 0, 1})}}, {"mm"});
  EXPECT_EQ(doubles(out[0]), std::vector<double>({1, 20, 300}));
}

// Where's output size changes with the data: one continuation plan per size up to a few, then
// one plan for any size (all in its executor); every answer is right.
TEST(Executor, ContinuationOfAValueDependentShape) {
  const std::string pbtxt = where_positive("x", "w") + R"(
node { name: "c" op: "Cast" input: "w" attr { key: "SrcT" value { type: DT_INT64 } }
       attr { key: "DstT" value { type: DT_FLOAT } } }
node { name: "y" op: "Square" input: "c" attr { key: "T" value { type: DT_FLOAT } } }
)";
  Session s(parse_graphdef_text(pbtxt, "where_then_square.pbtxt"));
  const std::vector<int> sizes = {2, 0, 6, 1, 3, 2, 4, 5};
  for (size_t k = 0; k < sizes.size(); ++k) {
    const int positives = sizes[k];
    std::vector<float> x(6, -1);
    std::vector<double> want;
    for (int i = 0; i < positives; ++i) {
      x[static_cast<size_t>(5 - i)] = 1;
      want.insert(want.begin(), (5.0 - i) * (5.0 - i));
    }
    auto out = s.run({{"x", f32({6}, x)}}, {"y"});
    EXPECT_EQ(out[0].shape(), Shape({positives, 1})) << positives;
    EXPECT_EQ(doubles(out[0]), want) << positives;
    const PlanStats st = s.last_stats();
    if (k < 4) {  // four sizes (2 twice): Where in the executor, the rest in continuations
      EXPECT_EQ(st.dynamic_nodes, 1);
      EXPECT_EQ(st.steps, 3);  // Greater, then Cast and Square in the continuation
    }
  }
  // After four sizes, the rest runs in the executor: Where, Cast, Square.
  EXPECT_EQ(s.last_stats().dynamic_nodes, 3);
  EXPECT_EQ(s.cached_plans(), 1u);
}

// A shape that depends on a value computed at run time (here a feed) moves the node into the
// executor instead of failing the plan.
// A loop whose trip count and start come from a data-dependent shape: Where (dynamic by nature),
// then Size, Cast, Mul (static once Where has run: continuation candidates) feeding the loop's
// Enter nodes. The loop cannot join the continuation (its back edges would be cut): they stay
// before the executor. (On a GPU
// the same arises where a node runs on the host; this used to fail with "unordered_map::at".)
TEST(Executor, LoopFedByAValueDependentShape) {
  std::string graph = testing::read_testdata("control_flow/while_sum.pbtxt");
  const std::string n_in = "input: \"n\"\n";
  ASSERT_NE(graph.find(n_in), std::string::npos);
  graph.replace(graph.find(n_in), n_in.size(), "input: \"count\"\n");
  const std::string zeros_in = "input: \"zeros\"\n";  // the accumulator's start: 0 * count
  ASSERT_NE(graph.find(zeros_in), std::string::npos);
  graph.replace(graph.find(zeros_in), zeros_in.size(), "input: \"start\"\n");
  graph += where_positive("v", "where") + R"(
node { name: "count" op: "Size" input: "where" attr { key: "T" value { type: DT_INT64 } }
       attr { key: "out_type" value { type: DT_INT32 } } }
node { name: "count_f" op: "Cast" input: "count" attr { key: "SrcT" value { type: DT_INT32 } }
       attr { key: "DstT" value { type: DT_FLOAT } } }
node { name: "start" op: "Mul" input: "zeros" input: "count_f"
       attr { key: "T" value { type: DT_FLOAT } } }
)";
  Session s(parse_graphdef_text(graph, "where_then_loop.pbtxt"));
  const Tensor x = f32({2}, {1, -2});
  for (int n : {3, 0, 6, 1}) {
    std::vector<float> v(6, -1);
    for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = 1;
    auto out = s.run({{"x", x}, {"v", f32({6}, v)}}, {"i_out", "acc_out"});
    EXPECT_EQ(doubles(out[0]), std::vector<double>({static_cast<double>(n)})) << n;
    const double tri = n * (n - 1) / 2.0;
    EXPECT_EQ(doubles(out[1]), std::vector<double>({tri, -2 * tri})) << n;
  }
}

TEST(Executor, ShapeFromARunTimeValue) {
  const std::string pbtxt = R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "shape" value { shape { dim { size: 6 } } } } }
node { name: "shape" op: "Placeholder" attr { key: "dtype" value { type: DT_INT32 } }
       attr { key: "shape" value { shape { dim { size: 2 } } } } }
node { name: "r" op: "Reshape" input: "x" input: "shape" attr { key: "T" value { type: DT_FLOAT } }
       attr { key: "Tshape" value { type: DT_INT32 } } }
node { name: "y" op: "Relu" input: "r" attr { key: "T" value { type: DT_FLOAT } } }
)";
  Session s(parse_graphdef_text(pbtxt, "runtime_shape.pbtxt"));
  const Tensor x = f32({6}, {-1, 2, -3, 4, -5, 6});
  auto out = s.run({{"x", x}, {"shape", Tensor::from_vector<int32_t>({2}, {2, 3})}}, {"y"});
  EXPECT_EQ(out[0].shape(), Shape({2, 3}));
  EXPECT_EQ(doubles(out[0]), std::vector<double>({0, 2, 0, 4, 0, 6}));
  out = s.run({{"x", x}, {"shape", Tensor::from_vector<int32_t>({2}, {3, 2})}}, {"y"});
  EXPECT_EQ(out[0].shape(), Shape({3, 2}));
  EXPECT_EQ(s.last_stats().dynamic_nodes, 2);
}

}  // namespace
}  // namespace aamp
