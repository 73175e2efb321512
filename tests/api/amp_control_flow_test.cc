// Advanced AMP on v1 control flow (TensorFlow's own graphs, tests/testdata/control_flow/): a
// loop-carried value keeps one dtype at both ends of its back edge (spec section 3 step 7), the
// ops of one TensorList share its element dtype, a loop with nothing to convert does not change,
// and the converted graphs run in the dynamic executor close to float32.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "aamp/api/config.h"
#include "aamp/api/optimize.h"
#include "aamp/io/graph_io.h"
#include "aamp/passes/amp_type_graph.h"
#include "aamp/runtime/executor.h"
#include "aamp/runtime/session.h"
#include "passes/pass_check_util.h"

namespace aamp {
namespace {

Graph cf_graph(const std::string& name) {
  return load_graph(std::string(AAMP_SOURCE_DIR) + "/tests/testdata/control_flow/" + name +
                    ".pbtxt");
}

AmpConfig bf16(bool remapper = true) {
  AmpConfig c;
  c.enabled = true;
  c.data_type = "BFLOAT16";
  c.remapper = remapper;
  return testing::checked(c);
}

DType type_of(const Graph& g, const std::string& node, const std::string& attr = "T") {
  return g.at(node).attr_type(attr);
}

int casts(const Graph& g) {
  int n = 0;
  for (const auto& node : g.nodes()) n += node->op == "Cast";
  return n;
}

// Every NextIteration has the dtype of the Merge it feeds.
void expect_back_edges_match(const Graph& g) {
  for (const auto& n : g.nodes()) {
    if (n->op != "NextIteration") continue;
    for (const auto& [c, idx] : g.consumers({n->name, 0})) {
      if (c->op == "Merge") {
        EXPECT_EQ(type_of(g, n->name), type_of(g, c->name)) << n->name << " -> " << c->name;
      }
    }
  }
}

double rel_error(const Tensor& a, const Tensor& b) {
  double e = 0, r = 0;
  for (int64_t i = 0; i < a.num_elements(); ++i) {
    const double x = a.element_as_double(i), y = b.element_as_double(i);
    e += (x - y) * (x - y);
    r += y * y;
  }
  return std::sqrt(e / std::max(r, 1e-30));
}

Tensor rnn_input() {
  return Tensor::from_vector<float>({2, 4}, {0.5f, -1, 2, 0.25f, 1, 1, -0.5f, 3});
}

// h = relu(h @ w + b) in a loop: the loop carries bfloat16, with one Cast in and one out.
TEST(AmpControlFlow, LoopCarriesLowPrecisionWithCastsOutside) {
  Graph g = cf_graph("rnn_loop");
  const Graph fp32 = g;
  const OptimizeResult r = optimize(g, bf16(), DeviceKind::kCPU, {"h"});
  // The remapper fuses inside the loop body too: MatMul + BiasAdd + Relu.
  EXPECT_EQ(g.at("rnn/Relu").op, "_FusedMatMul");
  EXPECT_EQ(r.remapper_pre.total(), 2);
  EXPECT_EQ(r.amp.casts_inserted, 2) << r.amp.message();
  EXPECT_EQ(casts(g), 2);
  for (const char* n : {"rnn/Enter_1", "rnn/Merge_1", "rnn/Switch_1", "rnn/Identity_1",
                        "rnn/NextIteration_1", "rnn/Exit_1"})
    EXPECT_EQ(type_of(g, n), DType::kBFloat16) << n;
  // The counter stays int32; the fetch keeps its dtype.
  EXPECT_EQ(type_of(g, "rnn/Merge"), DType::kInt32);
  EXPECT_EQ(type_of(g, "h"), DType::kFloat);
  expect_back_edges_match(g);
  // No Cast inside the loop: both sit outside its frame.
  const auto depth = loop_depths(g);
  for (const auto& n : g.nodes()) {
    if (n->op == "Cast") {
      EXPECT_EQ(depth.at(n.get()), 0) << n->name;
    }
  }
  Session s32(fp32), s16(g);
  for (int steps : {0, 1, 4}) {
    const std::vector<std::pair<std::string, Tensor>> feeds = {
        {"x", rnn_input()}, {"n", Tensor::scalar<int32_t>(steps)}};
    const Tensor a = s16.run(feeds, {"h"})[0], b = s32.run(feeds, {"h"})[0];
    EXPECT_EQ(a.shape(), b.shape());
    EXPECT_LT(rel_error(a, b), 1e-2) << steps << " steps";
  }
}

// A deny-listed op inside the body: the back edge still has one dtype at both ends.
TEST(AmpControlFlow, BackEdgeKeepsOneColourWhenTheBodyMixes) {
  Graph g = cf_graph("rnn_loop");
  const Graph fp32 = g;
  AmpConfig c = bf16(/*remapper=*/false);
  c.clearlist_remove = "Relu";
  c.denylist_add = "Relu";
  const OptimizeResult r = optimize(g, c, DeviceKind::kCPU, {"h"});
  EXPECT_EQ(type_of(g, "rnn/MatMul"), DType::kBFloat16) << r.amp.message();
  EXPECT_EQ(type_of(g, "rnn/Relu"), DType::kFloat);
  expect_back_edges_match(g);
  Session s32(fp32), s16(g);
  const std::vector<std::pair<std::string, Tensor>> feeds = {{"x", rnn_input()},
                                                             {"n", Tensor::scalar<int32_t>(3)}};
  EXPECT_LT(rel_error(s16.run(feeds, {"h"})[0], s32.run(feeds, {"h"})[0]), 1e-2);
}

// A loop with nothing on the allow list is left exactly as it was.
TEST(AmpControlFlow, LoopWithoutAllowOpsDoesNotChange) {
  for (const char* name : {"while_sum", "nested_while", "cond", "tensor_array_loop"}) {
    Graph g = cf_graph(name);
    const std::string before = serialize_graphdef_text(g);
    const OptimizeResult r = optimize(g, bf16(), DeviceKind::kCPU);
    EXPECT_EQ(r.amp.converted_nodes, 0) << name << ": " << r.amp.message();
    EXPECT_EQ(serialize_graphdef_text(g), before) << name;
  }
}

// out[i] = x[i] @ w through TensorLists: every list op of both lists goes bfloat16 together
// (TensorListReserve's element_dtype too, which governs no float port), with two Casts.
TEST(AmpControlFlow, TensorListOpsShareTheirElementDtype) {
  Graph g = cf_graph("list_matmul_loop");
  const Graph fp32 = g;
  const OptimizeResult r = optimize(g, bf16(), DeviceKind::kCPU, {"y"});
  EXPECT_EQ(r.amp.casts_inserted, 2) << r.amp.message();
  for (const char* n : {"TensorListFromTensor", "TensorListReserve", "loop/TensorListGetItem",
                        "loop/TensorListSetItem", "TensorListStack"})
    EXPECT_EQ(type_of(g, n, "element_dtype"), DType::kBFloat16) << n;
  EXPECT_EQ(type_of(g, "loop/MatMul"), DType::kBFloat16);
  EXPECT_EQ(type_of(g, "y"), DType::kFloat);
  // The type graph ties each list's ops: two groups (the input list and the output list).
  const AmpTypeGraph tg(fp32);
  ASSERT_EQ(tg.tied_groups().size(), 2u);
  for (const auto& grp : tg.tied_groups())
    for (int v : grp) EXPECT_EQ(tg.vertex(v).attr, "element_dtype") << tg.vertex(v).label();
  Session s32(fp32), s16(g);
  const std::vector<std::pair<std::string, Tensor>> feeds = {
      {"x", Tensor::from_vector<float>({3, 4}, {1, 2, 3, 4, -1, 0.5f, 0, 2, 0.25f, -2, 1, 1})}};
  const Tensor a = s16.run(feeds, {"y"})[0], b = s32.run(feeds, {"y"})[0];
  EXPECT_EQ(a.shape(), Shape({3, 4}));
  EXPECT_LT(rel_error(a, b), 1e-2);
}

// When one op of a list must stay float32 (here TensorListStack, deny-listed), the whole list
// does.
TEST(AmpControlFlow, ListStaysFloatWhenOneOfItsOpsMust) {
  Graph g = cf_graph("list_matmul_loop");
  AmpConfig c = bf16();
  c.clearlist_remove = "TensorListStack";
  c.denylist_add = "TensorListStack";
  const OptimizeResult r = optimize(g, c, DeviceKind::kCPU, {"y"});
  EXPECT_EQ(type_of(g, "loop/MatMul"), DType::kBFloat16) << r.amp.message();
  for (const char* n : {"TensorListReserve", "loop/TensorListSetItem", "TensorListStack"})
    EXPECT_EQ(type_of(g, n, "element_dtype"), DType::kFloat) << n;
  Session s(g);
  const Tensor y = s.run({{"x", Tensor::from_vector<float>({1, 4}, {1, 2, 3, 4})}}, {"y"})[0];
  EXPECT_EQ(y.shape(), Shape({1, 4}));
}

}  // namespace
}  // namespace aamp
