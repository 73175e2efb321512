// Session / Plan on small golden graphs: in-place memory reuse must never make two inputs of one
// step share a buffer; alias ops (Reshape, Identity) and array kernels give exact values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>

#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"
#include "aamp/runtime/kernel.h"
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

// A Relu kernel that asks for scratch memory (for nodes named "scratch_probe*" only, so that no
// other test meets it): it checks that the plan gave it scratch apart from its input and output,
// fills it with garbage, and computes Relu through it.
constexpr size_t kProbeScratch = 4096;
bool apart(const void* a, size_t an, const void* b, size_t bn) {
  const auto* x = static_cast<const uint8_t*>(a);
  const auto* y = static_cast<const uint8_t*>(b);
  return x + an <= y || y + bn <= x;
}
class ScratchProbeKernel : public Kernel {
 public:
  size_t scratch_bytes() const override { return kProbeScratch; }
  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs.at(0);
    TensorView& y = ctx.outputs.at(0);
    if (!ctx.scratch || !apart(ctx.scratch, kProbeScratch, x.data, x.byte_size()) ||
        !apart(ctx.scratch, kProbeScratch, y.data, y.byte_size()))
      throw Error(ErrorCode::kInternal, "scratch missing or shared with an input or output");
    std::memset(ctx.scratch, 0xff, kProbeScratch);
    auto* tmp = static_cast<float*>(ctx.scratch);
    for (int64_t i = 0; i < x.num_elements(); ++i) tmp[i] = std::max(0.0f, x.as<float>()[i]);
    std::memcpy(y.data, tmp, y.byte_size());
  }
};
const bool kProbeRegistered = [] {
  KernelRegistration r;
  r.op = "Relu";
  r.device = DeviceKind::kCPU;
  r.dtypes = {DType::kFloat};
  r.priority = 1000;
  r.name = "scratch-probe";
  r.factory = [](const KernelInit&) { return std::make_unique<ScratchProbeKernel>(); };
  r.supports = [](const KernelInit& i) { return i.node->name.rfind("scratch_probe", 0) == 0; };
  KernelRegistry::global().add(r);
  return true;
}();

// Two steps with scratch, one after the other: each gets memory apart from what it reads and
// writes, and the arena holds it (live at its own step only, so the two may share bytes).
TEST(Plan, KernelScratchComesFromTheArena) {
  ASSERT_TRUE(kProbeRegistered);
  const std::string g =
      kPlaceholder + float_node("n", "Neg", {"x"}) + float_node("scratch_probe_a", "Relu", {"n"}) +
      float_node("m", "Neg", {"scratch_probe_a"}) + float_node("scratch_probe_b", "Relu", {"m"}) +
      float_node("y", "Neg", {"scratch_probe_b"});
  Session s(parse_graphdef_text(g, "scratch.pbtxt"));
  Tensor x = Tensor::from_vector<float>(Shape{2, 2}, {1, -2, 3, -4});
  for (int run = 0; run < 2; ++run) {
    std::vector<Tensor> out = s.run({{"x", x}}, {"y"});
    // n = [-1, 2, -3, 4], a = [0, 2, 0, 4], m = [0, -2, 0, -4], b = 0, y = -0
    EXPECT_EQ(values(out[0]), (std::vector<float>{0, 0, 0, 0}));
  }
  const PlanStats st = s.last_stats();
  EXPECT_EQ(st.kernels.at("scratch-probe"), 2);
  EXPECT_GE(st.arena_bytes, kProbeScratch);
  EXPECT_LT(st.arena_bytes, 2 * kProbeScratch);  // one step's scratch at a time
}

}  // namespace
}  // namespace aamp
