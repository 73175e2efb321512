// Per-output accuracy figures (report_accuracy.h) and the accuracy guard's per-node error
// profile (amp_error_profile) as the conversion report uses them.
#include "aamp/api/report_accuracy.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "aamp/api/optimize.h"
#include "aamp/io/graph_io.h"
#include "passes/pass_check_util.h"

namespace aamp {
namespace {

std::string head_graph() {
  // x [4, 3] -> MatMul w [3, 5] -> logits (rank 2), -> Softmax -> probs; a rank-3 Reshape of the
  // logits ("boxes") is not class scores.
  std::string s =
      "node { name: \"x\" op: \"Placeholder\" attr { key: \"dtype\" value { type: DT_FLOAT } } "
      "attr { key: \"shape\" value { shape { dim { size: 4 } dim { size: 3 } } } } }\n"
      "node { name: \"w\" op: \"Const\" attr { key: \"dtype\" value { type: DT_FLOAT } } attr { "
      "key: \"value\" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 3 } dim { "
      "size: 5 } } ";
  for (int i = 0; i < 15; ++i)
    s += "float_val: " + std::to_string(0.37 * ((i * 7) % 11) - 1.3) + " ";
  s += "} } } }\n"
       "node { name: \"shape\" op: \"Const\" attr { key: \"dtype\" value { type: DT_INT32 } } "
       "attr { key: \"value\" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 3 } } "
       "int_val: 1 int_val: 4 int_val: 5 } } } }\n"
       "node { name: \"logits\" op: \"MatMul\" input: \"x\" input: \"w\" attr { key: \"T\" value "
       "{ type: DT_FLOAT } } }\n"
       "node { name: \"probs\" op: \"Softmax\" input: \"logits\" attr { key: \"T\" value { type: "
       "DT_FLOAT } } }\n"
       "node { name: \"boxes\" op: \"Reshape\" input: \"logits\" input: \"shape\" attr { key: "
       "\"T\" value { type: DT_FLOAT } } attr { key: \"Tshape\" value { type: DT_INT32 } } }\n";
  return s;
}

TEST(ReportAccuracyTest, ClassScoresAreSoftmaxOrRank2Heads) {
  Graph g = parse_graphdef_text(head_graph(), "<acc>");
  EXPECT_TRUE(is_class_scores(g, "probs", Shape{4, 5}));
  EXPECT_TRUE(is_class_scores(g, "logits", Shape{4, 5}));
  EXPECT_FALSE(is_class_scores(g, "boxes", Shape{1, 4, 5}));
  EXPECT_FALSE(is_class_scores(g, "probs", Shape{4, 1}));  // one column: nothing to rank
  EXPECT_FALSE(is_class_scores(g, "missing", Shape{4, 5}));
}

TEST(ReportAccuracyTest, CompareOutputPoolsSamplesAndRanksOnlyClassScores) {
  Tensor a = Tensor::from_vector<float>(Shape{2, 3}, {1, 2, 3, 3, 2, 1});
  Tensor b = Tensor::from_vector<float>(Shape{2, 3}, {1, 2, 3, 3, 2, 4});  // row 2 argmax moves
  OutputAgreement s = compare_output({&a, &a}, {&a, &b}, true);
  EXPECT_EQ(s.elements, 12);
  EXPECT_DOUBLE_EQ(s.max_abs, 3.0);
  EXPECT_NEAR(s.rel_l2, std::sqrt(9.0 / 56.0), 1e-12);
  EXPECT_NEAR(s.error, std::sqrt(9.0 / 56.0), 1e-12);
  ASSERT_TRUE(s.top1.has_value());
  EXPECT_DOUBLE_EQ(*s.top1, 0.75);
  EXPECT_FALSE(compare_output({&a}, {&b}, false).top1.has_value());
  Tensor c = Tensor::from_vector<float>(Shape{3}, {1, 2, 3});
  EXPECT_EQ(compare_output({&a}, {&c}, false).elements, 0);  // mismatched sizes
}

TEST(ReportAccuracyTest, ProfileReportsEveryOutputAndConvertedNode) {
  Graph g = parse_graphdef_text(head_graph(), "<acc>");
  AmpConfig c;
  c.remapper = false;
  AccuracyGuardOptions o;
  o.threads = 1;
  AmpErrorProfile p = amp_error_profile(g, c, DeviceKind::kCPU, {}, o, true);
  ASSERT_EQ(p.samples.size(), 1u);
  ReportAccuracy r = report_accuracy(p, g, "seeded");
  ASSERT_EQ(r.outputs.size(), 2u);  // probs and boxes (the graph's unconsumed nodes)
  for (const auto& e : r.outputs) {
    EXPECT_GT(e.max_abs, 0) << e.output;  // bfloat16 rounding of x and w shows
    EXPECT_LT(e.rel_l2, 0.05) << e.output;
    EXPECT_EQ(e.top1.has_value(), e.output == "probs") << e.output;
  }
  // Converted: logits (allowlist); probe: one evaluation for it besides the plain conversion.
  ASSERT_FALSE(r.nodes.empty());
  EXPECT_EQ(r.nodes[0].node, "logits");
  EXPECT_GT(r.nodes[0].own, 0);
  EXPECT_EQ(r.nodes[0].group, 1);
  EXPECT_EQ(p.evaluations, 1 + static_cast<int>(r.nodes.size()));
  // The source graph is untouched.
  EXPECT_EQ(g.at("logits").attr_type("T"), DType::kFloat);
}

TEST(ReportAccuracyTest, ErrorAlongTheGraphGrowsFromTheConvertedMatMul) {
  Graph g = parse_graphdef_text(head_graph(), "<acc>");
  AmpConfig c;
  c.remapper = false;
  CalibrationSample x = {
      {"x", Tensor::from_vector<float>(Shape{4, 3}, {0.1f, 0.7f, 0.3f, 0.9f, 0.2f, 0.5f, 0.8f, 0.4f,
                                                     0.6f, 0.35f, 0.15f, 0.05f})}};
  std::string note;
  std::map<std::string, double> e = error_along_graph(g, c, DeviceKind::kCPU, x, 1, &note);
  EXPECT_TRUE(note.empty()) << note;
  // Every float node but the Placeholder and Consts: logits, probs, boxes.
  ASSERT_EQ(e.size(), 3u);
  EXPECT_GT(e.at("logits"), 0);
  EXPECT_LT(e.at("logits"), 0.05);
  EXPECT_DOUBLE_EQ(e.at("boxes"), e.at("logits"));  // a Reshape adds nothing
  // Too large a graph for the cap: empty, with the reason.
  EXPECT_TRUE(error_along_graph(g, c, DeviceKind::kCPU, x, 1, &note, 2).empty());
  EXPECT_NE(note.find("more than 2 nodes"), std::string::npos) << note;
}

TEST(ReportAccuracyTest, AccuracySectionInThePage) {
  Graph g = parse_graphdef_text(head_graph(), "<acc>");
  Graph before = g;
  AmpConfig c;
  c.remapper = false;
  AccuracyGuardOptions o;
  o.threads = 1;
  ReportInput in;
  in.title = "head";
  AmpErrorProfile p = amp_error_profile(g, c, DeviceKind::kCPU, {}, o, true);
  in.accuracy = report_accuracy(p, g, "seeded inputs");
  std::string note;
  in.accuracy->along = error_along_graph(g, c, DeviceKind::kCPU, p.samples[0], 1, &note);
  OptimizeResult r = optimize(g, testing::checked(c), DeviceKind::kCPU);
  in.before = &before;
  in.after = &g;
  in.result = &r;
  std::string html = render_report_html(in);
  EXPECT_NE(html.find("id=\"acc-outputs\""), std::string::npos);
  EXPECT_NE(html.find("id=\"acc-nodes\""), std::string::npos);
  EXPECT_NE(html.find("seeded inputs"), std::string::npos);
  EXPECT_NE(html.find("<option value=\"error\">"), std::string::npos);
  EXPECT_NE(html.find("id=\"acc-along\""), std::string::npos);
  // boxes: no top-1 ("-" in its row); probs: a top-1 figure.
  size_t boxes = html.find("<tr><td>boxes</td>");
  ASSERT_NE(boxes, std::string::npos);
  EXPECT_NE(html.substr(boxes, html.find("</tr>", boxes) - boxes).find("<td>-</td>"),
            std::string::npos);
  size_t probs = html.find("<tr><td>probs</td>");
  ASSERT_NE(probs, std::string::npos);
  EXPECT_EQ(html.substr(probs, html.find("</tr>", probs) - probs).find("<td>-</td>"),
            std::string::npos);
}

}  // namespace
}  // namespace aamp
