// The conversion report's summary section (report.h), rendered as static HTML.
#include <algorithm>
#include <cstdio>
#include <map>

#include "aamp/api/report_model.h"

namespace aamp::report_detail {

namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string mb(int64_t bytes) { return fmt("%.2f", static_cast<double>(bytes) / 1e6) + " MB"; }

std::string node_link(const std::string& name) {
  return "<a class=\"nl\" href=\"#\" data-node=\"" + html_escape(name) + "\">" + html_escape(name) +
         "</a>";
}

std::string links(const Model& m, const std::vector<int>& idx, size_t cap = 40) {
  std::string s;
  for (size_t i = 0; i < idx.size() && i < cap; ++i) {
    const RNode& r = m.nodes[static_cast<size_t>(idx[i])];
    s += (i ? ", " : "") + node_link(r.node->name) + " <span class=\"op\">" +
         html_escape(r.node->op) + "</span>";
  }
  if (idx.size() > cap) s += ", and " + std::to_string(idx.size() - cap) + " more";
  return s.empty() ? "none" : s;
}

std::string row(const std::string& k, const std::string& v, const std::string& id = "",
                const std::string& value = "") {
  std::string attrs = id.empty() ? "" : " id=\"" + id + "\" data-value=\"" + value + "\"";
  return "<tr><th>" + k + "</th><td" + attrs + ">" + v + "</td></tr>\n";
}

std::string accuracy_html(const ReportAccuracy& a, const Model& m) {
  std::string h = "<h2>Accuracy: mixed vs float32</h2>\n<p>" + html_escape(a.inputs) + ", " +
                  std::to_string(a.samples) + " sample" + (a.samples == 1 ? "" : "s") +
                  ". error = ||d|| / max(||ref||, sqrt(n)) (the accuracy guard's measure); top-1 "
                  "only for outputs that are class scores.</p>\n";
  h += "<table class=\"grid\" id=\"acc-outputs\"><tr><th>output</th><th>shape</th><th>max "
       "|diff|</th><th>rel-L2</th><th>error</th><th>top-1</th></tr>\n";
  for (const ReportOutputError& o : a.outputs)
    h += "<tr><td>" + html_escape(o.output) + "</td><td>" + html_escape(o.shape) + "</td><td>" +
         fmt("%.3g", o.max_abs) + "</td><td>" + fmt("%.2e", o.rel_l2) + "</td><td>" +
         fmt("%.2e", o.error) + "</td><td>" + (o.top1 ? fmt("%.3f", *o.top1) : "-") +
         "</td></tr>\n";
  h += "</table>\n";
  if (!a.nodes.empty()) {
    h += "<h3>Nodes adding the most error</h3><p>Each converted node alone in low precision "
         "(the rest float32); <i>own</i> subtracts its converted producers' rounding. Candidates "
         "for <code>--deny-nodes</code>, or let <code>--accuracy-target</code> choose.</p>\n"
         "<table class=\"grid\" id=\"acc-nodes\"><tr><th>node</th><th>op</th><th>own</th>"
         "<th>alone</th></tr>\n";
    for (size_t i = 0; i < a.nodes.size() && i < 25; ++i) {
      const ReportNodeError& e = a.nodes[i];
      auto it = m.index.find(e.node);
      std::string op = it == m.index.end() ? "" : m.nodes[static_cast<size_t>(it->second)].node->op;
      h += "<tr><td>" + node_link(e.node) +
           (e.group > 1 ? " (group of " + std::to_string(e.group) + ")" : "") + "</td><td>" +
           html_escape(op) + "</td><td>" + fmt("%.2e", e.own) + "</td><td>" + fmt("%.2e", e.alone) +
           "</td></tr>\n";
    }
    h += "</table>\n";
  }
  if (!a.along.empty()) {
    // Where the error grows: a node's output error less the largest of its inputs' errors.
    std::vector<std::pair<double, int>> jumps;
    // A Cast (inserted by AMP: not in the float32 graph) carries its own input's error.
    std::vector<int> feed(m.nodes.size(), -1);
    for (const REdge& e : m.edges)
      if (!e.control && m.nodes[static_cast<size_t>(e.to)].cast)
        feed[static_cast<size_t>(e.to)] = e.from;
    auto value = [&](int v) {
      for (int hop = 0; v >= 0 && hop < 4; ++hop, v = feed[static_cast<size_t>(v)]) {
        auto it = a.along.find(m.nodes[static_cast<size_t>(v)].node->name);
        if (it != a.along.end()) return it->second;
      }
      return 0.0;
    };
    std::vector<double> in_max(m.nodes.size(), 0);
    for (const REdge& e : m.edges)
      if (!e.control)
        in_max[static_cast<size_t>(e.to)] =
            std::max(in_max[static_cast<size_t>(e.to)], value(e.from));
    for (size_t i = 0; i < m.nodes.size(); ++i) {
      auto it = a.along.find(m.nodes[i].node->name);
      if (it != a.along.end()) jumps.emplace_back(it->second - in_max[i], static_cast<int>(i));
    }
    std::stable_sort(jumps.begin(), jumps.end(),
                     [](const auto& x, const auto& y) { return x.first > y.first; });
    h += "<h3>Where the error grows along the graph</h3><p>Error of each node's output in the "
         "mixed graph against the float32 graph (first sample); <i>growth</i> is its error less "
         "its inputs' largest.</p>\n<table class=\"grid\" id=\"acc-along\"><tr><th>node</th>"
         "<th>op</th><th>growth</th><th>error</th></tr>\n";
    for (size_t k = 0; k < jumps.size() && k < 12; ++k) {
      const RNode& r = m.nodes[static_cast<size_t>(jumps[k].second)];
      h += "<tr><td>" + node_link(r.node->name) + "</td><td>" + html_escape(r.node->op) +
           "</td><td>" + fmt("%.2e", jumps[k].first) + "</td><td>" +
           fmt("%.2e", a.along.at(r.node->name)) + "</td></tr>\n";
    }
    h += "</table>\n";
  }
  if (!a.note.empty()) h += "<p class=\"note\">" + html_escape(a.note) + "</p>\n";
  return h;
}

}  // namespace

std::string rule_meaning(const std::string& key) {
  static const std::map<std::string, std::string> kMeaning = {
      {"allowlist", "op in the allowlist: always low precision"},
      {"force-all", "converted by force-all (unsafe)"},
      {"between-allow", "infer/clear node between low-precision nodes"},
      {"infer-follows-allow", "inferlist op fed by low precision"},
      {"clear-propagation", "clearlist op next to low precision"},
      {"cast-to-allow", "Cast feeding a low-precision node"},
      {"const-weight", "weight stored in low precision"},
      {"const-rooted", "upstream of the allowlist, fed only by constants"},
      {"deny", "op in the denylist"},
      {"deny-propagation", "infer/clear node downstream of a denylisted node"},
      {"infer", "inferlist op with no low-precision input to follow"},
      {"clear", "clearlist op with no low-precision neighbour"},
      {"none-list", "op in none of the four lists"},
      {"no-kernel", "no low-precision kernel for this op on the device"},
      {"preserved-fetch", "fetched output keeps its dtype"},
      {"loop-colour-match", "loop op coloured like its partner"},
      {"not-float", "no float type attr"},
      {"unknown-op", "op unknown to the registry"},
      {"deny-node", "named in deny_nodes / --deny-nodes"},
      {"accuracy-guard", "kept float32 by the accuracy guard"},
      {"accuracy-probe", "painted allow by an accuracy probe"},
  };
  auto it = kMeaning.find(key);
  return it == kMeaning.end() ? "" : it->second;
}

std::string summary_html(const ReportInput& in, const Model& m) {
  const OptimizeResult& r = *in.result;
  const AmpReport& a = r.amp;
  const ReportSummary& s = m.summary;
  const std::string low = dtype_name(a.target);
  std::string h = "<h2>Summary</h2>\n<table class=\"kv\">\n";
  h += row("target", html_escape(low) + " on " + (in.device == DeviceKind::kGPU ? "gpu" : "cpu") +
                         (r.amp_ran ? "" : " (AMP did not run)"));
  h += row("converted nodes",
           std::to_string(a.converted_nodes) + " of " + std::to_string(a.float_nodes) +
               " float nodes to " + html_escape(low),
           "sum-converted", std::to_string(a.converted_nodes));
  h += row("casts",
           std::to_string(s.casts) + " Cast nodes in the graph (" +
               std::to_string(s.casts_inserted) + " inserted by AMP; AMP counted " +
               std::to_string(a.casts_inserted) + " excluding Consts' casts, " +
               std::to_string(a.casts_removed) + " redundant casts removed)",
           "sum-casts", std::to_string(s.casts));
  h += row("weights",
           mb(a.weight_bytes_before) + " &rarr; " + mb(a.weight_bytes_after) + " (" +
               std::to_string(a.consts_converted) + " Consts stored in " + html_escape(low) + ")",
           "sum-weights", std::to_string(a.weight_bytes_after));
  h += row("drawn",
           std::to_string(s.drawn_nodes) + " nodes (" + std::to_string(s.low_nodes) + " in " +
               html_escape(low) + "); " + std::to_string(s.folded_consts) +
               " Const nodes shown as weights of their consumers",
           "sum-drawn", std::to_string(s.drawn_nodes));
  std::string fusions;
  for (const RemapperResult* rr : {&r.remapper_pre, &r.remapper_post})
    for (const auto& [rule, n] : rr->fusions)
      fusions += (fusions.empty() ? "" : ", ") + html_escape(rule) + " &times;" + std::to_string(n);
  h += row("remapper", fusions.empty() ? "no fusions" : fusions);
  h += row("log", html_escape(a.message()));
  h += "</table>\n";
  if (!r.warnings.empty()) {
    h += "<ul class=\"warnings\">";
    for (const auto& w : r.warnings) h += "<li>" + html_escape(w) + "</li>";
    h += "</ul>\n";
  }
  if (in.accuracy) h += accuracy_html(*in.accuracy, m);

  h += "<h2>Islands of low precision (" + std::to_string(m.islands.size()) + ")</h2>\n";
  if (m.islands.empty()) h += "<p>No node runs in " + html_escape(low) + ".</p>\n";
  h += "<ol class=\"islands\">\n";
  for (size_t k = 0; k < m.islands.size() && k < 60; ++k) {
    const Island& isl = m.islands[k];
    std::map<std::string, int> ops;
    for (int v : isl.members) ++ops[m.nodes[static_cast<size_t>(v)].node->op];
    std::string top;
    for (const auto& [op, n] : ops)
      top += (top.empty() ? "" : ", ") + html_escape(op) + " " + std::to_string(n);
    h += "<li data-island=\"" + std::to_string(k) + "\"><a class=\"il\" href=\"#\" data-island=\"" +
         std::to_string(k) + "\">island " + std::to_string(k + 1) +
         "</a>: " + std::to_string(isl.members.size()) + " nodes (" + top +
         ")<br>casts in: " + links(m, isl.casts_in, 12) +
         "<br>casts out: " + links(m, isl.casts_out, 12);
    for (const auto& [other, via] : isl.next) {
      h += "<br>&rarr; island " + std::to_string(other + 1) + " through float32 ";
      std::string v;
      for (size_t i = 0; i < via.size() && i < 8; ++i) {
        const RNode& n = m.nodes[static_cast<size_t>(via[i])];
        v += (i ? ", " : "") + node_link(n.node->name) + " <span class=\"rule\">" +
             html_escape(n.rule.empty() ? n.node->op : rule_key(n.rule)) + "</span>";
      }
      h += v.empty() ? "casts only" : v;
    }
    h += "</li>\n";
  }
  h += "</ol>\n";
  if (m.islands.size() > 60)
    h += "<p>and " + std::to_string(m.islands.size() - 60) + " more islands</p>\n";

  h += "<h2>Left float32, by reason</h2>\n";
  if (m.float_by_rule.empty()) h += "<p>No node of the decision log is float32.</p>\n";
  for (const auto& [rule, names] : m.float_by_rule) {
    std::string meaning = rule_meaning(rule);
    h += "<details class=\"reason\" data-rule=\"" + html_escape(rule) + "\"><summary><b>" +
         html_escape(rule.empty() ? "(no rule)" : rule) + "</b> " + std::to_string(names.size()) +
         (meaning.empty() ? "" : " &mdash; " + html_escape(meaning)) + "</summary>";
    for (size_t i = 0; i < names.size() && i < 300; ++i) h += (i ? ", " : "") + node_link(names[i]);
    if (names.size() > 300) h += ", and " + std::to_string(names.size() - 300) + " more";
    h += "</details>\n";
  }

  h += "<h2>Effective lists</h2>\n";
  std::map<std::string, int> present;
  for (const auto& n : in.after->nodes()) ++present[n->op];
  if (in.before)
    for (const auto& n : in.before->nodes()) ++present[n->op];
  const std::pair<const char*, const std::set<std::string>*> lists[] = {
      {"allowlist", &a.lists.allow},
      {"inferlist", &a.lists.infer},
      {"clearlist", &a.lists.clear},
      {"denylist", &a.lists.deny}};
  for (const auto& [name, ops] : lists) {
    h += "<details class=\"list\"><summary><b>" + std::string(name) + "</b> " +
         std::to_string(ops->size()) + " ops</summary><p>";
    bool first = true;
    for (const std::string& op : *ops) {
      const bool here = present.count(op) != 0;
      h += (first ? "" : " ") + std::string(here ? "<b>" : "") + html_escape(op) +
           (here ? "</b>" : "");
      first = false;
    }
    h += "</p></details>\n";
  }
  h += "<p class=\"hint\">Ops in bold occur in this graph.</p>\n";
  return h;
}

}  // namespace aamp::report_detail
