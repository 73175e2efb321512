// Helpers of the AMP pass's golden-graph tests (amp*_test.cc): run the pass on pbtxt (as a
// checked pass: pass_check_util.h), look up a node's decision, check an inserted Cast exactly.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aamp/io/graph_io.h"
#include "aamp/passes/auto_mixed_precision.h"
#include "passes/pass_check_util.h"

namespace aamp::amp_test {

using testing::parse;

// run_auto_mixed_precision on g as a checked pass: throws Error naming AutoMixedPrecision when
// the pass fails or leaves a graph with a validation problem the input did not have.
inline AmpReport run_amp(Graph& g, const AmpOptions& o, const PassContext& ctx) {
  AmpReport r;
  testing::run_checked(
      g, "AutoMixedPrecision",
      [&](Graph& h, const PassContext& c) { r = run_auto_mixed_precision(h, o, c); }, ctx);
  return r;
}

inline const DType kF32 = DType::kFloat;
inline const DType kBF16 = DType::kBFloat16;

// TF's name of the Cast AMP inserts after output `port` of `src` ("CastToBf16", "CastToFp32").
inline std::string cast_name(const std::string& src, int port, const std::string& tag) {
  return src + "-" + std::to_string(port) + "-" + tag + "-AutoMixedPrecision";
}

inline int count_op(const Graph& g, const std::string& op) {
  int c = 0;
  for (const auto& n : g.nodes()) c += n->op == op;
  return c;
}

inline const std::string& rule_of(const AmpReport& r, const std::string& node) {
  for (const auto& d : r.decisions)
    if (d.node == node) return d.rule;
  static const std::string kMissing = "<no decision>";
  return kMissing;
}

// Checks one inserted Cast: input, SrcT, DstT, Truncate=false.
inline void expect_cast(const Graph& g, const std::string& name, const std::string& input,
                        DType src, DType dst) {
  const Node* c = g.find(name);
  ASSERT_NE(c, nullptr) << name;
  EXPECT_EQ(c->op, "Cast");
  EXPECT_EQ(c->inputs, std::vector<std::string>{input}) << name;
  EXPECT_EQ(c->attr_type("SrcT"), src) << name;
  EXPECT_EQ(c->attr_type("DstT"), dst) << name;
  EXPECT_FALSE(c->attr_bool("Truncate")) << name;
}

}  // namespace aamp::amp_test
