// The conversion report's HTML generator (report.h) and layered layout (report_layout.h):
// escaping of hostile node names, a graph AMP leaves alone, a graph with a while loop, the
// summary's figures against the page's data, and the log path's report_<ts>.html.
#include "aamp/api/report.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "aamp/api/optimize.h"
#include "aamp/api/report_layout.h"
#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"
#include "passes/pass_check_util.h"
#include "test_util.h"

namespace aamp {
namespace {

std::string placeholder(const std::string& name, const std::string& dtype = "DT_FLOAT") {
  return "node { name: \"" + name +
         "\" op: \"Placeholder\" attr { key: \"dtype\" value { type: " + dtype +
         " } } attr { key: \"shape\" value { shape { dim { size: 2 } dim { size: 2 } } } } }\n";
}

std::string weights(const std::string& name) {
  return "node { name: \"" + name +
         "\" op: \"Const\" attr { key: \"dtype\" value { type: DT_FLOAT } } attr { key: \"value\" "
         "value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } dim { size: 2 } } "
         "float_val: 0.5 float_val: -1 float_val: 2 float_val: 0.25 } } } }\n";
}

// Escapes a name for a pbtxt string literal.
std::string q(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o;
}

std::string report_op(const std::string& name, const std::string& type,
                      const std::vector<std::string>& in, const std::string& attrs = "") {
  std::string s = "node { name: \"" + q(name) + "\" op: \"" + type + "\"";
  for (const auto& i : in) s += " input: \"" + q(i) + "\"";
  return s + " attr { key: \"T\" value { type: DT_FLOAT } } " + attrs + "}\n";
}

struct Rendered {
  std::string html;
  nlohmann::json data;
  ReportSummary summary;
  OptimizeResult result;
};

Rendered render(const std::string& pbtxt, bool remapper = false) {
  Graph g = parse_graphdef_text(pbtxt, "<report>");
  Graph before = g;
  AmpConfig c;
  c.remapper = remapper;
  Rendered r;
  r.result = optimize(g, testing::checked(c), DeviceKind::kCPU);
  ReportInput in;
  in.title = "test <model> & \"co\"";
  in.before = &before;
  in.after = &g;
  in.result = &r.result;
  r.html = render_report_html(in, &r.summary);
  const std::string open = "<script type=\"application/json\" id=\"aamp-data\">";
  size_t a = r.html.find(open);
  EXPECT_NE(a, std::string::npos);
  a += open.size();
  size_t b = r.html.find("</script>", a);
  r.data = nlohmann::json::parse(r.html.substr(a, b - a));
  return r;
}

int count(const std::string& hay, const std::string& needle) {
  int n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

const nlohmann::json& node(const Rendered& r, const std::string& name) {
  for (const auto& n : r.data["nodes"])
    if (n["n"] == name) return n;
  throw std::runtime_error("no node " + name);
}

TEST(ReportHtmlTest, HostileNodeNamesCannotEscapeTheScriptOrAttributes) {
  const std::string evil = "x</script><script>alert(\"1\")</script>'<!--&";
  std::string g = placeholder("in") + weights("w") + report_op(evil, "MatMul", {"in", "w"}) +
                  report_op("out", "Identity", {evil});
  Rendered r = render(g);
  // Only the page's own two script elements end: the name is \u003c-escaped in the data.
  EXPECT_EQ(count(r.html, "</script>"), 2);
  EXPECT_EQ(count(r.html, "<script>alert"), 0);
  EXPECT_EQ(count(r.html, "<!--"), 0);
  EXPECT_NE(r.html.find("\\u003c/script\\u003e"), std::string::npos);
  // The data parse back to the exact name, and the summary's links carry it escaped.
  EXPECT_EQ(node(r, evil)["o"], "MatMul");
  EXPECT_NE(r.html.find("data-node=\"x&lt;/script&gt;&lt;script&gt;alert(&quot;1&quot;)"),
            std::string::npos);
  EXPECT_NE(r.html.find("<title>aamp report: test &lt;model&gt; &amp; &quot;co&quot;</title>"),
            std::string::npos);
  EXPECT_EQ(html_escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
}

TEST(ReportHtmlTest, GraphWithNoConversionSaysSo) {
  // Relu is clearlist, Identity none: nothing in the allowlist, so nothing converts.
  std::string g = placeholder("in") + report_op("relu", "Relu", {"in"}) +
                  report_op("out", "Identity", {"relu"});
  Rendered r = render(g);
  EXPECT_EQ(r.result.amp.converted_nodes, 0);
  EXPECT_EQ(r.summary.drawn_nodes, 3);
  EXPECT_EQ(r.summary.casts, 0);
  EXPECT_EQ(r.summary.islands, 0);
  EXPECT_EQ(r.data["nodes"].size(), 3u);
  for (const auto& n : r.data["nodes"]) EXPECT_EQ(n["p"], "fp32") << n["n"];
  EXPECT_NE(r.html.find("id=\"sum-converted\" data-value=\"0\""), std::string::npos);
  EXPECT_NE(r.html.find("id=\"sum-casts\" data-value=\"0\""), std::string::npos);
  EXPECT_NE(r.html.find("No node runs in bfloat16."), std::string::npos);
  EXPECT_EQ(node(r, "relu")["r"], "clear");
  EXPECT_NE(r.html.find("data-rule=\"clear\""), std::string::npos);
}

TEST(ReportHtmlTest, ConvertedChainHasIslandCastsAndWeights) {
  std::string g = placeholder("in") + weights("w1") + weights("w2") +
                  report_op("mm1", "MatMul", {"in", "w1"}) + report_op("relu", "Relu", {"mm1"}) +
                  report_op("mm2", "MatMul", {"relu", "w2"}) +
                  report_op("out", "Identity", {"mm2"});
  Rendered r = render(g);
  EXPECT_EQ(r.result.amp.converted_nodes, 3);
  // in -> Cast -> mm1 -> relu -> mm2 -> Cast -> out: one island between two inserted casts.
  EXPECT_EQ(r.summary.casts, 2);
  EXPECT_EQ(r.summary.casts_inserted, 2);
  EXPECT_EQ(r.summary.islands, 1);
  EXPECT_EQ(r.summary.low_nodes, 3);
  EXPECT_EQ(r.summary.folded_consts, 2);
  ASSERT_EQ(r.data["islands"].size(), 1u);
  EXPECT_EQ(r.data["islands"][0]["m"].size(), 3u);
  EXPECT_EQ(r.data["islands"][0]["ci"].size(), 1u);
  EXPECT_EQ(r.data["islands"][0]["co"].size(), 1u);
  EXPECT_EQ(node(r, "mm1")["p"], "bf16");
  EXPECT_EQ(node(r, "mm1")["r"], "allowlist");
  EXPECT_EQ(node(r, "relu")["r"], "between-allow");
  EXPECT_EQ(node(r, "out")["p"], "fp32");
  // The weight is folded into its consumer, stored in bfloat16.
  ASSERT_EQ(node(r, "mm1")["k"].size(), 1u);
  EXPECT_EQ(node(r, "mm1")["k"][0][1], "bfloat16");
  int casts = 0;
  for (const auto& n : r.data["nodes"]) casts += n.contains("c");
  EXPECT_EQ(casts, r.summary.casts);
  EXPECT_NE(r.html.find("id=\"sum-casts\" data-value=\"2\""), std::string::npos);
  // Layers follow the edges.
  EXPECT_LT(node(r, "mm1")["y"].get<double>(), node(r, "relu")["y"].get<double>());
  EXPECT_LT(node(r, "relu")["y"].get<double>(), node(r, "mm2")["y"].get<double>());
}

TEST(ReportHtmlTest, FusedNodesListWhatTheyReplaced) {
  std::string bias =
      "node { name: \"b\" op: \"Const\" attr { key: \"dtype\" value { type: DT_FLOAT } } attr { "
      "key: \"value\" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } } "
      "float_val: 1 float_val: 2 } } } }\n";
  std::string g = placeholder("in") + weights("w") + bias + report_op("mm", "MatMul", {"in", "w"}) +
                  report_op("ba", "BiasAdd", {"mm", "b"}) + report_op("act", "Relu", {"ba"}) +
                  report_op("out", "Identity", {"act"});
  Rendered r = render(g, /*remapper=*/true);
  const auto& fused = node(r, "act");
  EXPECT_EQ(fused["o"], "_FusedMatMul");
  EXPECT_EQ(fused["s"], "BiasAdd+Relu");
  std::set<std::string> from(fused["f"].begin(), fused["f"].end());
  EXPECT_EQ(from, (std::set<std::string>{"Relu 'act'", "MatMul 'mm'", "BiasAdd 'ba'"}));
}

// A while loop: x = x @ w three times (Enter/Merge/Switch/NextIteration/Exit).
std::string while_loop() {
  auto typed = [](const std::string& name, const std::string& type,
                  const std::vector<std::string>& in, const std::string& t,
                  const std::string& extra = "") {
    std::string s = "node { name: \"" + name + "\" op: \"" + type + "\"";
    for (const auto& i : in) s += " input: \"" + i + "\"";
    return s + " attr { key: \"T\" value { type: " + t + " } } " + extra + "}\n";
  };
  auto iconst = [](const std::string& name, int v) {
    return "node { name: \"" + name +
           "\" op: \"Const\" attr { key: \"dtype\" value { type: DT_INT32 } } attr { key: "
           "\"value\" value { tensor { dtype: DT_INT32 tensor_shape { } int_val: " +
           std::to_string(v) + " } } } }\n";
  };
  const std::string frame = "attr { key: \"frame_name\" value { s: \"loop\" } } ";
  const std::string konst = frame + "attr { key: \"is_constant\" value { b: true } } ";
  std::string s =
      placeholder("x") + weights("w") + iconst("i0", 0) + iconst("n", 3) + iconst("one", 1);
  s += typed("enter_x", "Enter", {"x"}, "DT_FLOAT", frame);
  s += typed("enter_i", "Enter", {"i0"}, "DT_INT32", frame);
  s += typed("enter_w", "Enter", {"w"}, "DT_FLOAT", konst);
  s += typed("enter_n", "Enter", {"n"}, "DT_INT32", konst);
  s += typed("enter_one", "Enter", {"one"}, "DT_INT32", konst);
  const std::string n2 = "attr { key: \"N\" value { i: 2 } } ";
  s += typed("merge_x", "Merge", {"enter_x", "next_x"}, "DT_FLOAT", n2);
  s += typed("merge_i", "Merge", {"enter_i", "next_i"}, "DT_INT32", n2);
  s += typed("less", "Less", {"merge_i", "enter_n"}, "DT_INT32");
  s += "node { name: \"cond\" op: \"LoopCond\" input: \"less\" }\n";
  s += typed("switch_x", "Switch", {"merge_x", "cond"}, "DT_FLOAT");
  s += typed("switch_i", "Switch", {"merge_i", "cond"}, "DT_INT32");
  s += typed("mm", "MatMul", {"switch_x:1", "enter_w"}, "DT_FLOAT");
  s += typed("add_i", "AddV2", {"switch_i:1", "enter_one"}, "DT_INT32");
  s += typed("next_x", "NextIteration", {"mm"}, "DT_FLOAT");
  s += typed("next_i", "NextIteration", {"add_i"}, "DT_INT32");
  s += typed("exit_x", "Exit", {"switch_x"}, "DT_FLOAT");
  s += typed("out", "Identity", {"exit_x"}, "DT_FLOAT");
  return s;
}

TEST(ReportHtmlTest, WhileLoopBackEdgesAreDrawnButNotLaidOut) {
  Rendered r = render(while_loop());
  // Every non-Const node drawn (18 and the 2 casts around the loop); the two NextIteration ->
  // Merge edges flagged as back edges. The float loop is one island, entered and left by a cast.
  EXPECT_EQ(r.summary.drawn_nodes, 20);
  EXPECT_EQ(r.summary.casts, 2);
  EXPECT_EQ(r.summary.islands, 1);
  EXPECT_EQ(node(r, "merge_x")["r"], "between-allow");
  std::map<int, std::string> names;
  for (size_t i = 0; i < r.data["nodes"].size(); ++i)
    names[static_cast<int>(i)] = r.data["nodes"][i]["n"];
  std::set<std::string> back;
  for (const auto& e : r.data["edges"])
    if (e[2].get<int>() & 2) back.insert(names[e[0].get<int>()] + "->" + names[e[1].get<int>()]);
  EXPECT_EQ(back, (std::set<std::string>{"next_x->merge_x", "next_i->merge_i"}));
  EXPECT_LT(node(r, "merge_x")["y"].get<double>(), node(r, "mm")["y"].get<double>());
  EXPECT_LT(node(r, "mm")["y"].get<double>(), node(r, "next_x")["y"].get<double>());
  // The loop body's MatMul and the loop ops it touches share one colour (AMP matches loops).
  EXPECT_EQ(node(r, "mm")["p"], node(r, "next_x")["p"]);
  EXPECT_EQ(node(r, "merge_x")["p"], node(r, "next_x")["p"]);
  EXPECT_EQ(node(r, "less")["p"], "other");
  EXPECT_EQ(count(r.html, "</script>"), 2);
}

TEST(ReportHtmlTest, LogPathGetsTheReport) {
  std::string dir = (std::filesystem::temp_directory_path() / "aamp_report_log_test").string();
  std::filesystem::remove_all(dir);
  Graph g = parse_graphdef_text(placeholder("in") + weights("w") +
                                    report_op("mm", "MatMul", {"in", "w"}) +
                                    report_op("out", "Identity", {"mm"}),
                                "<log>");
  AmpConfig c;
  c.log_path = dir;
  OptimizeResult r = optimize(g, testing::checked(c), DeviceKind::kCPU);
  const std::string path = dir + "/report_" + r.timestamp + ".html";
  EXPECT_NE(std::find(r.log_files.begin(), r.log_files.end(), path), r.log_files.end());
  ASSERT_TRUE(std::filesystem::exists(path));
  std::string html = read_file(path);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("id=\"sum-converted\" data-value=\"1\""), std::string::npos);
  // Self-contained: no external resource.
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(ReportHtmlTest, MissingGraphIsAnError) {
  ReportInput in;
  testing::expect_error([&] { render_report_html(in); }, ErrorCode::kInvalidArgument,
                        {"optimized graph"});
}

TEST(ReportLayoutTest, LayersOrderAndSpacing) {
  // A diamond with a long edge 0 -> 4 and a late source 5 -> 4.
  LayoutGraph g;
  g.width = {50, 60, 70, 40, 80, 30};
  g.edges = {{0, 1}, {0, 2}, {1, 3}, {2, 3}, {3, 4}, {0, 4}, {5, 4}};
  Layout l = layered_layout(g);
  EXPECT_EQ(l.layer, (std::vector<int>{0, 1, 1, 2, 3, 2}));  // 5 sits above its consumer
  EXPECT_EQ(l.layers, 4);
  for (const auto& [a, b] : g.edges) EXPECT_LT(l.y[a], l.y[b]);
  // Same layer: no overlap (gap kept).
  for (size_t i = 0; i < g.width.size(); ++i)
    for (size_t j = i + 1; j < g.width.size(); ++j) {
      if (l.layer[i] != l.layer[j]) continue;
      EXPECT_GE(std::abs(l.x[i] - l.x[j]), (g.width[i] + g.width[j]) / 2 + g.gap - 1e-9)
          << i << " " << j;
    }
  // The long edge 0 -> 4 is routed through virtual points in layers 1 and 2.
  ASSERT_EQ(l.edge_points[5].size(), 2u);
  EXPECT_EQ(l.edge_points[0].size(), 0u);
  EXPECT_GT(l.width, 0);
  // Deterministic.
  Layout again = layered_layout(g);
  EXPECT_EQ(again.x, l.x);
}

TEST(ReportLayoutTest, RejectsCyclesAndBadEdges) {
  LayoutGraph g;
  g.width = {10, 10};
  g.edges = {{0, 1}, {1, 0}};
  testing::expect_error([&] { layered_layout(g); }, ErrorCode::kInvalidArgument, {"cycle"});
  g.edges = {{0, 2}};
  testing::expect_error([&] { layered_layout(g); }, ErrorCode::kInvalidArgument, {"out of range"});
}

}  // namespace
}  // namespace aamp
