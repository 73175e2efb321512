// The conversion report: one self-contained HTML file (no network access, opens from disk) that
// shows what the remapper and Advanced AMP did to a graph.
//
//   Graph before = g;                                 // the input graph
//   OptimizeResult r = optimize(g, config, DeviceKind::kCPU);
//   ReportInput in{"model.json", &before, &g, &r, DeviceKind::kCPU};
//   write_file_atomic("report.html", render_report_html(in));
//
// The page holds
//  - a summary (rendered here, readable without JavaScript): converted nodes, casts, weight bytes
//    before/after, remapper fusions, the four effective lists, the nodes left float32 grouped by
//    the rule that kept them there, and the islands of low precision with the casts between them
//    (and the float32 nodes separating neighbouring islands: candidates for the allowlist);
//  - the optimized graph as a layered DAG (report_layout.h; Const nodes are folded into their
//    consumers, as weights), nodes coloured by final precision, casts marked, fused nodes listing
//    what they replaced; report_assets/report.js draws it as SVG with pan/zoom, search, and a
//    details panel (op, dtype of every type attr, the deciding rule from the decision log, inputs
//    and outputs);
//  - with ReportInput::accuracy: per-output error of the mixed graph against float32 and the
//    per-node error (each converted node alone in low precision, from the accuracy guard's
//    probe), also as a colouring of the graph.
// The graph data travel as JSON inside <script type="application/json">, with '<', '>', '&'
// and U+2028/U+2029 written as \u escapes so that no node name can end the script element.
// The log path (optimize.h) gets the same file as report_<ts>.html.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aamp/api/optimize.h"
#include "aamp/ir/graph.h"

namespace aamp {

// One output of the graph, mixed vs float32 (report_accuracy.h computes these).
struct ReportOutputError {
  std::string output;
  std::string shape;  // "[1,896,16]"
  int64_t elements = 0;
  double max_abs = 0;
  double rel_l2 = 0;           // ||d|| / ||ref||
  double error = 0;            // amp_output_error(): ||d|| / max(||ref||, sqrt(n))
  std::optional<double> top1;  // only for outputs that are class scores
};

// One converted node's share of the output error (accuracy guard probe).
struct ReportNodeError {
  std::string node;
  double alone = 0;  // max output error with only this node (or its group) in low precision
  double own = 0;    // `alone` less its converted producers' rounding (quadrature)
  int group = 1;     // nodes probed together (1: alone)
};

struct ReportAccuracy {
  std::string inputs;  // how the inputs were made ("seeded random inputs, seed 0", file names)
  int samples = 1;
  std::vector<ReportOutputError> outputs;
  std::vector<ReportNodeError> nodes;  // most error first; empty without the per-node probe
  // Error along the graph: amp_output_error() of each node's output (port 0) in the mixed graph
  // against the same tensor of the float32 graph (after the remapper), on the first sample.
  std::map<std::string, double> along;
  int evaluations = 0;
  std::string note;  // e.g. why the per-node probe grouped nodes or stopped
};

struct ReportInput {
  std::string title;                       // usually the model path
  const Graph* before = nullptr;           // the input graph (optional: fused-node details)
  const Graph* after = nullptr;            // the optimized graph (required)
  const OptimizeResult* result = nullptr;  // required
  DeviceKind device = DeviceKind::kCPU;
  std::optional<ReportAccuracy> accuracy;
};

// Counts the summary shows (also checked by the tests and the browser test).
struct ReportSummary {
  int drawn_nodes = 0;     // nodes of the optimized graph drawn (not Const)
  int folded_consts = 0;   // Const nodes shown as weights of their consumers
  int casts = 0;           // Cast nodes drawn (inserted by AMP or not)
  int casts_inserted = 0;  // Cast nodes that were not in the input graph
  int low_nodes = 0;       // drawn nodes in the low-precision dtype (no Casts)
  int islands = 0;         // connected groups of low-precision nodes
};

// The whole HTML page. Throws Error(kInvalidArgument) when `after` or `result` is missing.
std::string render_report_html(const ReportInput& in, ReportSummary* summary = nullptr);

// Text safe inside HTML element content and attribute values (& < > " ').
std::string html_escape(const std::string& s);

}  // namespace aamp
