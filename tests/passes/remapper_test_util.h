// Helpers of the remapper's golden-graph tests (remapper*_test.cc): readable pbtxt snippets,
// exact op histograms, and "does not fuse" = byte-identical graph. remap() runs the remapper as
// a checked pass (pass_check_util.h): a rewrite that leaves an invalid graph fails the test.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "aamp/io/graph_io.h"
#include "aamp/passes/remapper.h"
#include "passes/pass_check_util.h"

namespace aamp::remap_test {

using testing::parse;

// Op histogram as "Op:count" sorted by op, for compact exact expectations.
inline std::string ops(const Graph& g) {
  std::map<std::string, int> h;
  for (const auto& n : g.nodes()) ++h[n->op];
  std::string s;
  for (const auto& [op, c] : h) s += (s.empty() ? "" : " ") + op + ":" + std::to_string(c);
  return s;
}

inline std::vector<std::string> fused_ops(const Node& n) { return n.attr_list("fused_ops").s; }

inline RemapperResult remap(Graph& g, bool tf_compatible = false,
                            std::vector<std::string> fetch = {}, bool post_amp = false,
                            bool tf_onednn = false) {
  RemapperOptions o;
  o.tf_compatible = tf_compatible;
  o.tf_onednn = tf_onednn;
  o.post_amp = post_amp;
  o.fetch_nodes.insert(fetch.begin(), fetch.end());
  RemapperResult r;
  testing::run_checked(g, post_amp ? "RemapperPostAmp" : "Remapper",
                       [&](Graph& h, const PassContext&) { r = run_remapper(h, o); });
  return r;
}

inline void expect_unchanged(const std::string& text, bool tf_compatible = false,
                             std::vector<std::string> fetch = {}) {
  Graph g = parse(text);
  std::string before = serialize_graphdef_binary(g);
  RemapperResult r = remap(g, tf_compatible, fetch);
  EXPECT_EQ(r.total(), 0);
  EXPECT_EQ(serialize_graphdef_binary(g), before);
}

inline const char* kPlaceholder = R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "shape" value { shape { dim { size: -1 } dim { size: 8 } } } } }
)";

inline std::string with_x(const std::string& body) { return std::string(kPlaceholder) + body; }

// Placeholder "x" of the given shape (-1: unknown dim).
inline std::string placeholder(const std::string& name, std::vector<int> dims) {
  std::string s = "node { name: \"" + name +
                  "\" op: \"Placeholder\" attr { key: \"dtype\" value { type: DT_FLOAT } } attr "
                  "{ key: \"shape\" value { shape {";
  for (int d : dims) s += " dim { size: " + std::to_string(d) + " }";
  return s + " } } } }\n";
}

inline std::string scalar(const std::string& name, float v) {
  return "node { name: \"" + name +
         "\" op: \"Const\" attr { key: \"dtype\" value { type: DT_FLOAT } } attr { key: "
         "\"value\" value { tensor { dtype: DT_FLOAT tensor_shape {} float_val: " +
         std::to_string(v) + " } } } }\n";
}
inline std::string binop(const std::string& name, const std::string& op, const std::string& a,
                         const std::string& b) {
  return "node { name: \"" + name + "\" op: \"" + op + "\" input: \"" + a + "\" input: \"" + b +
         "\" attr { key: \"T\" value { type: DT_FLOAT } } }\n";
}
inline std::string unop(const std::string& name, const std::string& op, const std::string& a) {
  return "node { name: \"" + name + "\" op: \"" + op + "\" input: \"" + a +
         "\" attr { key: \"T\" value { type: DT_FLOAT } } }\n";
}
inline std::string axes(const std::string& name, std::vector<int> v) {
  std::string s = "node { name: \"" + name +
                  "\" op: \"Const\" attr { key: \"dtype\" value { type: DT_INT32 } } attr { key: "
                  "\"value\" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: " +
                  std::to_string(v.size()) + " } }";
  for (int a : v) s += " int_val: " + std::to_string(a);
  return s + " } } } }\n";
}
inline std::string mean(const std::string& name, const std::string& x, const std::string& ax) {
  return "node { name: \"" + name + "\" op: \"Mean\" input: \"" + x + "\" input: \"" + ax +
         "\" attr { key: \"T\" value { type: DT_FLOAT } } attr { key: \"Tidx\" value { type: "
         "DT_INT32 } } attr { key: \"keep_dims\" value { b: true } } }\n";
}
// Float Const of shape `dims` filled with v.
inline std::string tensor(const std::string& name, std::vector<int> dims, float v) {
  std::string s = "node { name: \"" + name +
                  "\" op: \"Const\" attr { key: \"dtype\" value { type: DT_FLOAT } } attr { key: "
                  "\"value\" value { tensor { dtype: DT_FLOAT tensor_shape {";
  for (int d : dims) s += " dim { size: " + std::to_string(d) + " }";
  return s + " } float_val: " + std::to_string(v) + " } } } }\n";
}
inline std::string vec(const std::string& name, int n, float v) { return tensor(name, {n}, v); }

}  // namespace aamp::remap_test
