// Internal to the conversion report (report.h): the facts the page shows, derived from the
// graphs and the AMP report once, then rendered as summary HTML (report_html.cc) and as the
// JSON the page's script draws (report.cc).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "aamp/api/report.h"
#include "aamp/api/report_layout.h"

namespace aamp::report_detail {

enum class Prec { kLow, kFloat32, kFloat64, kOther };

struct RNode {
  const Node* node = nullptr;
  Prec prec = Prec::kOther;
  bool cast = false, inserted = false;  // a Cast; one that was not in the input graph
  std::string rule;                     // decision log rule ("" when the node has none)
  std::string fused_label;              // fused_ops joined with '+', or ""
  std::vector<std::string> fused_from;  // "Op 'name'" of the input graph's nodes it replaced
  std::vector<const Node*> consts;      // Const inputs (folded into the node)
  int island = -1;
  int topo = 0;  // position in topological order
};

struct REdge {
  int from = 0, to = 0;
  bool control = false, back = false;
};

struct Island {
  std::vector<int> members;              // RNode indices, topological order
  std::vector<int> casts_in, casts_out;  // Cast RNodes into / out of the island
  std::map<int, std::vector<int>> next;  // island reached through float32 -> nodes on the way
};

struct Model {
  std::vector<RNode> nodes;  // drawn nodes (no Const), in the optimized graph's order
  std::map<std::string, int> index;
  std::vector<REdge> edges;
  std::vector<Island> islands;
  // Nodes of the decision log left float32, by rule key ("deny-propagation from x" -> key
  // "deny-propagation"): node names.
  std::map<std::string, std::vector<std::string>> float_by_rule;
  Layout layout;
  std::vector<double> layout_width;  // box width per node
  ReportSummary summary;
  DType low = DType::kBFloat16;
};

Model build_model(const ReportInput& in);

// "deny-propagation from x" -> "deny-propagation".
std::string rule_key(const std::string& rule);
// One sentence on what a rule means, for the page.
std::string rule_meaning(const std::string& key);
// "bf16"/"fp16"/"fp32"/"fp64"/"other" (the page's colour classes).
std::string prec_id(Prec p, DType low);

// The summary section's HTML.
std::string summary_html(const ReportInput& in, const Model& m);

}  // namespace aamp::report_detail
