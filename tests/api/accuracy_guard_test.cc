// Accuracy-guarded AMP (accuracy_guard.h) on a small graph with one artificially sensitive path,
// plus the deny_nodes config field (API, environment, warnings).
#include "aamp/api/accuracy_guard.h"

#include <gtest/gtest.h>
#include <stdlib.h>  // setenv, unsetenv

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"
#include "passes/pass_check_util.h"

namespace aamp {
namespace {

std::string matrix(const std::string& name, int rows, int cols, const std::vector<float>& v) {
  std::string s = "node { name: \"" + name +
                  "\" op: \"Const\" attr { key: \"dtype\" value { type: DT_FLOAT } } attr { key: "
                  "\"value\" value { tensor { dtype: DT_FLOAT tensor_shape { ";
  if (rows > 0) s += "dim { size: " + std::to_string(rows) + " } ";
  s += "dim { size: " + std::to_string(cols) + " } } ";
  for (float x : v) s += "float_val: " + std::to_string(x) + " ";
  return s + "} } } }\n";
}

std::string op(const std::string& name, const std::string& type, const std::string& a,
               const std::string& b = "") {
  std::string s = "node { name: \"" + name + "\" op: \"" + type + "\" input: \"" + a + "\"";
  if (!b.empty()) s += " input: \"" + b + "\"";
  return s + " attr { key: \"T\" value { type: DT_FLOAT } } }\n";
}

// Two branches from x [1, 4]:
//   sensitive: h = x @ w1 + 1000 (mm1, ba1), out1 = h @ w2 with w2's columns h0 - h1 and h2 - h3
//     (mm2): the 1000 cancels, so rounding h to bfloat16 (spacing 8 at 1000) destroys out1.
//     Keeping only ba1 float32 does not help (mm2's input cast rounds h again), nor only mm2.
//   benign: out2 = x @ w3 (mm3).
std::string cancellation_graph() {
  std::string s =
      "node { name: \"x\" op: \"Placeholder\" attr { key: \"dtype\" value { type: DT_FLOAT } } "
      "attr { key: \"shape\" value { shape { dim { size: 1 } dim { size: 4 } } } } }\n";
  s += matrix("w1", 4, 4,
              {0.5f, -0.25f, 0.75f, 0.1f, -0.3f, 0.6f, 0.2f, -0.7f, 0.4f, 0.3f, -0.5f, 0.9f, 0.8f,
               -0.6f, 0.35f, 0.15f});
  s += matrix("b1", 0, 4, {1000.f, 1000.f, 1000.f, 1000.f});
  s += matrix("w2", 4, 2, {1.f, 0.f, -1.f, 0.f, 0.f, 1.f, 0.f, -1.f});
  s += matrix("w3", 4, 2, {0.5f, -0.4f, 0.3f, 0.7f, -0.6f, 0.2f, 0.9f, -0.1f});
  s += op("mm1", "MatMul", "x", "w1") + op("ba1", "BiasAdd", "mm1", "b1") +
       op("mm2", "MatMul", "ba1", "w2") + op("out1", "Identity", "mm2");
  s += op("mm3", "MatMul", "x", "w3") + op("out2", "Identity", "mm3");
  return s;
}

AmpConfig no_remapper() {
  AmpConfig c;
  c.remapper = false;  // keep the node names of the test graph
  return testing::checked(c);  // every conversion of the search verifies its passes
}

AccuracyGuardOptions guard_options(double target) {
  AccuracyGuardOptions o;
  o.target = target;
  o.threads = 1;
  o.samples = 2;
  return o;
}

const AmpDecision& decision(const OptimizeResult& r, const std::string& node) {
  for (const auto& d : r.amp.decisions)
    if (d.node == node) return d;
  throw std::runtime_error("no decision for " + node);
}

TEST(AccuracyGuardTest, KeepsExactlyTheSensitiveNodesFloat32) {
  Graph g = parse_graphdef_text(cancellation_graph(), "<guard>");
  AccuracyGuardReport rep;
  std::vector<std::string> progress;
  AccuracyGuardOptions o = guard_options(1e-2);
  o.progress = [&](const std::string& s) { progress.push_back(s); };
  OptimizeResult r = optimize_with_accuracy_guard(g, no_remapper(), DeviceKind::kCPU, {}, o, &rep);
  EXPECT_GT(rep.error_before, 0.1);  // plain conversion: out1 destroyed
  EXPECT_TRUE(rep.met) << rep.note;
  EXPECT_LE(rep.error_after, 1e-2);
  std::vector<std::string> kept = rep.kept_float;
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(kept, (std::vector<std::string>{"ba1", "mm2"}));
  EXPECT_EQ(rep.candidates, 4);  // mm1, ba1, mm2, mm3
  EXPECT_LE(rep.evaluations, 200);
  // The returned graph: the benign nodes stay bfloat16, the chosen ones are logged.
  EXPECT_EQ(g.at("mm1").attr_type("T"), DType::kBFloat16);
  EXPECT_EQ(g.at("mm3").attr_type("T"), DType::kBFloat16);
  EXPECT_EQ(g.at("ba1").attr_type("T"), DType::kFloat);
  EXPECT_EQ(g.at("mm2").attr_type("T"), DType::kFloat);
  EXPECT_EQ(decision(r, "ba1").rule, "accuracy-guard");
  EXPECT_EQ(decision(r, "mm2").rule, "accuracy-guard");
  EXPECT_EQ(decision(r, "mm3").rule, "allowlist");
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.front().rfind("accuracy guard: converted graph: error ", 0), 0u)
      << progress.front();
  EXPECT_NE(rep.summary().find("2 nodes kept float32 for accuracy 0.01: error "), std::string::npos)
      << rep.summary();
}

TEST(AccuracyGuardTest, TargetAlreadyMetChangesNothing) {
  Graph guarded = parse_graphdef_text(cancellation_graph(), "<guard>");
  Graph plain = guarded;
  AccuracyGuardReport rep;
  optimize_with_accuracy_guard(guarded, no_remapper(), DeviceKind::kCPU, {}, guard_options(100),
                               &rep);
  optimize(plain, no_remapper(), DeviceKind::kCPU);
  EXPECT_TRUE(rep.met);
  EXPECT_TRUE(rep.kept_float.empty());
  EXPECT_EQ(rep.evaluations, 1);
  EXPECT_EQ(serialize_graphdef_text(guarded), serialize_graphdef_text(plain));
  EXPECT_EQ(rep.summary().rfind("accuracy 100 met without float32 nodes: error ", 0), 0u)
      << rep.summary();
}

TEST(AccuracyGuardTest, EvaluationCapReturnsTheBestGraphAndSaysSo) {
  Graph g = parse_graphdef_text(cancellation_graph(), "<guard>");
  AccuracyGuardReport rep;
  AccuracyGuardOptions o = guard_options(1e-2);
  o.max_evaluations = 2;
  OptimizeResult r = optimize_with_accuracy_guard(g, no_remapper(), DeviceKind::kCPU, {}, o, &rep);
  EXPECT_FALSE(rep.met);
  EXPECT_EQ(rep.evaluations, 2);
  EXPECT_NE(rep.note.find("evaluation cap 2 reached"), std::string::npos) << rep.note;
  EXPECT_NE(rep.summary().find("(target not met: "), std::string::npos) << rep.summary();
  bool warned = false;
  for (const auto& w : r.warnings) warned = warned || w.find("not met") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(AccuracyGuardTest, BadTargetAndBadSamplesAreErrors) {
  Graph g = parse_graphdef_text(cancellation_graph(), "<guard>");
  EXPECT_THROW(
      optimize_with_accuracy_guard(g, no_remapper(), DeviceKind::kCPU, {}, guard_options(0)),
      Error);
  AccuracyGuardOptions o = guard_options(1e-2);
  o.calibration = {{{"y", Tensor::from_vector<float>(Shape{1, 4}, {0, 0, 0, 0})}}};
  EXPECT_THROW(optimize_with_accuracy_guard(g, no_remapper(), DeviceKind::kCPU, {}, o), Error);
}

TEST(AccuracyGuardTest, OutputErrorIsRelativeL2OrRms) {
  Tensor big = Tensor::from_vector<float>(Shape{2}, {30.f, 40.f});   // ||ref|| = 50
  Tensor big2 = Tensor::from_vector<float>(Shape{2}, {33.f, 44.f});  // ||d|| = 5
  EXPECT_NEAR(amp_output_error(big, big2), 0.1, 1e-12);
  Tensor small = Tensor::from_vector<float>(Shape{4}, {0.f, 0.f, 0.f, 0.f});
  Tensor off = Tensor::from_vector<float>(Shape{4}, {0.5f, 0.5f, 0.5f, 0.5f});  // ||d|| = 1
  EXPECT_NEAR(amp_output_error(small, off), 0.5, 1e-12);                        // / sqrt(4)
  EXPECT_THROW(amp_output_error(big, small), Error);
}

// deny_nodes through optimize(): API, environment (AAMP_ only), unknown names warned.
TEST(AmpConfigDenyNodesTest, ApiEnvAndWarnings) {
  ::setenv("AAMP_AUTO_MIXED_PRECISION_DENY_NODES", "mm3", 1);
  ::setenv("ITEX_AUTO_MIXED_PRECISION_DENY_NODES", "mm1", 1);  // no ITEX_ form: ignored
  AmpConfig env = AmpConfig::from_env();
  ::unsetenv("AAMP_AUTO_MIXED_PRECISION_DENY_NODES");
  ::unsetenv("ITEX_AUTO_MIXED_PRECISION_DENY_NODES");
  ASSERT_TRUE(env.deny_nodes.has_value());
  EXPECT_EQ(*env.deny_nodes, "mm3");
  AmpConfig api = no_remapper();
  EXPECT_EQ(*AmpConfig::merge(api, env).deny_nodes, "mm3");
  api.deny_nodes = "mm1, nope";
  AmpConfig c = AmpConfig::merge(api, env);
  Graph g = parse_graphdef_text(cancellation_graph(), "<guard>");
  OptimizeResult r = optimize(g, testing::checked(c), DeviceKind::kCPU);
  EXPECT_EQ(g.at("mm1").attr_type("T"), DType::kFloat);
  EXPECT_EQ(g.at("mm3").attr_type("T"), DType::kBFloat16);
  EXPECT_EQ(decision(r, "mm1").rule, "deny-node");
  bool warned = false;
  for (const auto& w : r.warnings)
    warned = warned ||
             (w.find("deny_nodes") != std::string::npos && w.find(" nope") != std::string::npos);
  EXPECT_TRUE(warned);
}

}  // namespace
}  // namespace aamp
