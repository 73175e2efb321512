// Session / Plan on small golden graphs: in-place memory reuse must never make two inputs of one
// step share a buffer; alias ops (Reshape, Identity) and array kernels give exact values.
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"
#include "aamp/runtime/session.h"
#include "tensor_test_util.h"

namespace aamp {
namespace {

using testing::values;

std::string float_node(const std::string& name, const std::string& op,
                       const std::vector<std::string>& inputs, const std::string& extra = "") {
  std::string s = "node { name: \"" + name + "\" op: \"" + op + "\"";
  for (const auto& i : inputs) s += " input: \"" + i + "\"";
  s += " attr { key: \"T\" value { type: DT_FLOAT } }" + extra + " }\n";
  return s;
}

const std::string kPlaceholder =
    "node { name: \"x\" op: \"Placeholder\" attr { key: \"dtype\" value { type: DT_FLOAT } } "
    "attr { key: \"shape\" value { shape { dim { size: 2 } dim { size: 2 } } } } }\n";

// Add(Relu(x), Abs(x)): both Add inputs die at the Add; the output may take one of them, but the
// two inputs must stay distinct buffers.
TEST(Plan, InPlaceBinaryKeepsInputsApart) {
  const std::string g = kPlaceholder + float_node("r", "Relu", {"x"}) +
                        float_node("a", "Abs", {"x"}) + float_node("s", "AddV2", {"r", "a"}) +
                        float_node("y", "Neg", {"s"});
  Session s(parse_graphdef_text(g, "inplace.pbtxt"));
  Tensor x = Tensor::from_vector<float>(Shape{2, 2}, {1, -2, 3, -4});
  std::vector<Tensor> out = s.run({{"x", x}}, {"y"});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(values(out[0]), (std::vector<float>{-2, -2, -6, -4}));
  EXPECT_GE(s.last_stats().inplace, 1);
}

// Reshape (alias) + Transpose + Mean with constants folded at plan time.
TEST(Plan, ReshapeTransposeMean) {
  const std::string ints =
      "node { name: \"shape\" op: \"Const\" attr { key: \"dtype\" value { type: DT_INT32 } } "
      "attr { key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 1 } } "
      "int_val: 4 } } } }\n"
      "node { name: \"perm\" op: \"Const\" attr { key: \"dtype\" value { type: DT_INT32 } } "
      "attr { key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 2 } } "
      "int_val: 1 int_val: 0 } } } }\n"
      "node { name: \"axis\" op: \"Const\" attr { key: \"dtype\" value { type: DT_INT32 } } "
      "attr { key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape { } int_val: 1 } } } "
      "}\n";
  const std::string g = kPlaceholder + ints + float_node("t", "Transpose", {"x", "perm"}) +
                        float_node("m", "Mean", {"t", "axis"}) +
                        float_node("f", "Reshape", {"t", "shape"});
  Session s(parse_graphdef_text(g, "rtm.pbtxt"));
  Tensor x = Tensor::from_vector<float>(Shape{2, 2}, {1, 2, 3, 4});
  std::vector<Tensor> out = s.run({{"x", x}}, {"m", "f"});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(values(out[0]), (std::vector<float>{2, 3}));
  EXPECT_EQ(values(out[1]), (std::vector<float>{1, 3, 2, 4}));
  EXPECT_EQ(s.last_stats().aliases, 1);
}

// Concurrent run() calls on one Session (Python releases the GIL around run): each thread gets
// its own, correct results although all of them share the plan's arena.
TEST(Plan, ConcurrentRunsOnOneSessionGiveEachCallItsResult) {
  const std::string g = kPlaceholder + float_node("r", "Relu", {"x"}) +
                        float_node("a", "Abs", {"x"}) + float_node("s", "AddV2", {"r", "a"}) +
                        float_node("y", "Neg", {"s"});
  Session s(parse_graphdef_text(g, "threads.pbtxt"));
  constexpr int kThreads = 4, kRuns = 200;
  std::vector<int> wrong(kThreads, 0);
  std::vector<std::thread> pool;
  for (int t = 0; t < kThreads; ++t)
    pool.emplace_back([&, t] {
      for (int i = 0; i < kRuns; ++i) {
        const float v = static_cast<float>(t * kRuns + i);
        Tensor x = Tensor::from_vector<float>(Shape{2, 2}, {v, -v, v, -v});
        std::vector<Tensor> out = s.run({{"x", x}}, {"y"});
        if (values(out.at(0)) != std::vector<float>{-2 * v, -v, -2 * v, -v}) ++wrong[t];
      }
    });
  for (auto& th : pool) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
}

// Session creation refuses an op whose kernels exist, but not for the node's dtype.
TEST(Plan, UnsupportedDtypeNamedAtCreation) {
  const std::string g =
      "node { name: \"a\" op: \"Placeholder\" attr { key: \"dtype\" value { type: DT_DOUBLE } } "
      "attr { key: \"shape\" value { shape { dim { size: 2 } dim { size: 2 } } } } }\n"
      "node { name: \"m\" op: \"MatMul\" input: \"a\" input: \"a\" "
      "attr { key: \"T\" value { type: DT_DOUBLE } } }\n";
  try {
    Session s(parse_graphdef_text(g, "double_matmul.pbtxt"));
    FAIL() << "expected an unsupported-op error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported op type on cpu: MatMul in float64 (1 node, "
                                         "first 'm')"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace aamp
