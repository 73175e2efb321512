// Per-graph cost of aamp's optimizer on small graphs, as the TensorFlow plugin meets them:
// TensorFlow hands every function it builds to the plugin (tf.data builds several per iterator,
// on every epoch), so a fixed cost per call adds up in training loops. Runs the plugin's
// configuration (bfloat16, remapper on, TensorFlow-compatible with aamp's ops) on a tiny graph
// without float ops, a Dense + Relu graph, and a 3-layer MLP with softmax, and prints JSON with
// the median microseconds per optimize() call of each.
//
//   bench_optimize [--iters N] [--out file.json]
#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aamp/api/optimize.h"
#include "aamp/io/graph_io.h"
#include "bench_util.h"

namespace {

using Clock = std::chrono::steady_clock;

std::string node(const std::string& name, const std::string& op,
                 const std::vector<std::string>& inputs, const std::string& attrs) {
  std::string s = "node { name: \"" + name + "\" op: \"" + op + "\"";
  for (const auto& i : inputs) s += " input: \"" + i + "\"";
  return s + " " + attrs + " }\n";
}

const char* kF = "attr { key: \"T\" value { type: DT_FLOAT } }";

std::string weight(const std::string& name, int rows, int cols) {
  return node(name, "Const", {},
              "attr { key: \"dtype\" value { type: DT_FLOAT } } attr { key: \"value\" value { "
              "tensor { dtype: DT_FLOAT tensor_shape { dim { size: " +
                  std::to_string(rows) + " } dim { size: " + std::to_string(cols) +
                  " } } float_val: 0.01 } } }");
}

std::string input(int cols) {
  return node("x", "Placeholder", {},
              "attr { key: \"dtype\" value { type: DT_FLOAT } } attr { key: \"shape\" value { "
              "shape { dim { size: -1 } dim { size: " +
                  std::to_string(cols) + " } } } }");
}

std::string dense(const std::string& name, const std::string& in, int rows, int cols,
                  const char* act) {
  std::string s = weight(name + "/w", rows, cols) + weight(name + "/b", 1, cols);
  s += node(name + "/mm", "MatMul", {in, name + "/w"}, kF);
  s += node(name + "/add", "AddV2", {name + "/mm", name + "/b"}, kF);
  if (act) s += node(name + "/act", act, {name + "/add"}, kF);
  return s;
}

// tf.data's functions: integer arithmetic, no float op.
std::string tiny() {
  return node("a", "Placeholder", {}, "attr { key: \"dtype\" value { type: DT_INT64 } }") +
         node("two", "Const", {},
              "attr { key: \"dtype\" value { type: DT_INT64 } } attr { key: \"value\" value { "
              "tensor { dtype: DT_INT64 tensor_shape { } int64_val: 2 } } }") +
         node("y", "Mul", {"a", "two"}, "attr { key: \"T\" value { type: DT_INT64 } }");
}

}  // namespace

int main(int argc, char** argv) {
  const aamp_bench::Options opt(argc, argv, "bench_optimize [--iters N] [--out file.json]",
                                {"--iters", "--out"});
  const int iters = static_cast<int>(opt.num("--iters", 200, 1));
  const std::string out = opt.str("--out");
  struct Case {
    const char* name;
    std::string text;
    const char* fetch;
  };
  const std::vector<Case> cases = {
      {"tiny_int64", tiny(), "y"},
      {"dense_relu", input(784) + dense("d1", "x", 784, 64, "Relu"), "d1/act"},
      {"mlp3_softmax",
       input(784) + dense("d1", "x", 784, 64, "Relu") + dense("d2", "d1/act", 64, 64, "Relu") +
           dense("d3", "d2/act", 64, 10, "Softmax"),
       "d3/act"},
  };
  aamp::AmpConfig cfg;
  cfg.enabled = true;
  cfg.remapper = true;
  cfg.tf_compatible = true;
  aamp::PassHooks hooks;
  hooks.aamp_ops = true;
  nlohmann::json results = nlohmann::json::array();
  for (const auto& c : cases) {
    const aamp::Graph base = aamp::parse_graphdef_text(c.text, c.name);
    std::vector<double> us;
    for (int i = 0; i < iters; ++i) {
      aamp::Graph g = base;
      const auto t0 = Clock::now();
      aamp::optimize(g, cfg, aamp::DeviceKind::kCPU, {c.fetch}, hooks);
      us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
    results.push_back({{"graph", c.name},
                       {"nodes", base.size()},
                       {"median_us", aamp_bench::median(us)},
                       {"first_us", us.front()}});
  }
  nlohmann::json j = {
      {"benchmark", "optimize_small_graphs"}, {"iters", iters}, {"results", results}};
  std::cout << j.dump(2) << "\n";
  if (!out.empty()) std::ofstream(out) << j.dump(2) << "\n";
  return 0;
}
