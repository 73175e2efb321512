#include "aamp/api/report.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>
#include <set>

#include "aamp/api/report_assets.h"
#include "aamp/api/report_model.h"
#include "aamp/core/error.h"

namespace aamp {

namespace report_detail {

namespace {

// The node's final precision from its type attrs (Casts: their destination type).
Prec node_prec(const Node& n) {
  auto of = [](DType t) {
    if (is_low_float(t)) return Prec::kLow;
    if (t == DType::kFloat) return Prec::kFloat32;
    if (t == DType::kDouble) return Prec::kFloat64;
    return Prec::kOther;
  };
  if (n.op == "Cast") {
    const AttrValue* d = n.find_attr("DstT");
    return d && d->is<DType>() ? of(d->get<DType>()) : Prec::kOther;
  }
  Prec best = Prec::kOther;
  auto take = [&](DType t) {
    Prec p = of(t);
    if (p == Prec::kLow || (p != Prec::kOther && best == Prec::kOther)) best = p;
  };
  for (const auto& [k, v] : n.attrs) {
    if (v.is<DType>()) take(v.get<DType>());
    if (v.is<AttrList>())
      for (DType t : v.get<AttrList>().type) take(t);
    if (best == Prec::kLow) break;
  }
  return best;
}

DType cast_src(const Node& n) {
  const AttrValue* s = n.find_attr("SrcT");
  return s && s->is<DType>() ? s->get<DType>() : DType::kInvalid;
}

std::string input_node(const std::string& in) {
  std::string s = in[0] == '^' ? in.substr(1) : in;
  return s.substr(0, s.find(':'));
}

// For each node of the input graph that is gone from the optimized one, the surviving node it
// was fused into: the first node downstream (breadth first, a few steps) that exists in the
// optimized graph with another op or a fused_ops attr.
void attach_fused(const Graph& before, const Graph& after, Model& m) {
  auto cons = before.consumer_map();
  for (const auto& up : before.nodes()) {
    const Node* now = after.find(up->name);
    if (now) {
      auto it = m.index.find(up->name);
      if (it != m.index.end() && now->op != up->op)
        m.nodes[static_cast<size_t>(it->second)].fused_from.push_back(up->op + " '" + up->name +
                                                                      "'");
      continue;
    }
    if (up->op == "Const") continue;
    std::deque<std::pair<std::string, int>> q{{up->name, 0}};
    std::set<std::string> seen{up->name};
    while (!q.empty()) {
      auto [name, depth] = q.front();
      q.pop_front();
      if (name != up->name) {
        const Node* a = after.find(name);
        const Node* b = before.find(name);
        auto it = m.index.find(name);
        if (a && it != m.index.end() && (a->has_attr("fused_ops") || (b && a->op != b->op))) {
          m.nodes[static_cast<size_t>(it->second)].fused_from.push_back(up->op + " '" + up->name +
                                                                        "'");
          break;
        }
        if (a) continue;  // a surviving node that fused nothing: not the one
      }
      if (depth >= 6) continue;
      auto c = cons.find(name);
      if (c == cons.end()) continue;
      for (const auto& [consumer, idx] : c->second)
        if (seen.insert(consumer->name).second) q.emplace_back(consumer->name, depth + 1);
    }
  }
}

void find_islands(Model& m) {
  const size_t n = m.nodes.size();
  std::vector<int> parent(n);
  for (size_t i = 0; i < n; ++i) parent[i] = static_cast<int>(i);
  auto find = [&](int v) {
    while (parent[static_cast<size_t>(v)] != v)
      v = parent[static_cast<size_t>(v)] =
          parent[static_cast<size_t>(parent[static_cast<size_t>(v)])];
    return v;
  };
  auto low = [&](int v) {
    const RNode& r = m.nodes[static_cast<size_t>(v)];
    return r.prec == Prec::kLow && !r.cast;
  };
  std::vector<std::vector<int>> out(n);
  for (const REdge& e : m.edges) {
    if (e.control) continue;
    out[static_cast<size_t>(e.from)].push_back(e.to);
    if (low(e.from) && low(e.to)) parent[static_cast<size_t>(find(e.from))] = find(e.to);
  }
  std::vector<int> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = static_cast<int>(i);
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return m.nodes[static_cast<size_t>(a)].topo < m.nodes[static_cast<size_t>(b)].topo;
  });
  std::map<int, int> id;  // root -> island, numbered in topological order of first members
  for (int v : order) {
    if (!low(v)) continue;
    auto [it, fresh] = id.emplace(find(v), static_cast<int>(m.islands.size()));
    if (fresh) m.islands.emplace_back();
    m.islands[static_cast<size_t>(it->second)].members.push_back(v);
    m.nodes[static_cast<size_t>(v)].island = it->second;
  }
  // Casts around each island.
  for (const REdge& e : m.edges) {
    if (e.control) continue;
    const RNode& a = m.nodes[static_cast<size_t>(e.from)];
    const RNode& b = m.nodes[static_cast<size_t>(e.to)];
    if (b.cast && a.island >= 0 && is_low_float(cast_src(*b.node))) {
      auto& v = m.islands[static_cast<size_t>(a.island)].casts_out;
      if (std::find(v.begin(), v.end(), e.to) == v.end()) v.push_back(e.to);
    }
    if (a.cast && b.island >= 0 && a.prec == Prec::kLow) {
      auto& v = m.islands[static_cast<size_t>(b.island)].casts_in;
      if (std::find(v.begin(), v.end(), e.from) == v.end()) v.push_back(e.from);
    }
  }
  // Neighbouring islands: from each cast out, forward through nodes outside islands (a few
  // steps) to a node of another island; the float32 nodes on the way separate the two.
  for (size_t k = 0; k < m.islands.size(); ++k) {
    Island& isl = m.islands[k];
    for (int c : isl.casts_out) {
      std::map<int, int> from{{c, -1}};
      std::deque<std::pair<int, int>> q{{c, 0}};
      while (!q.empty()) {
        auto [v, d] = q.front();
        q.pop_front();
        for (int w : out[static_cast<size_t>(v)]) {
          if (from.count(w)) continue;
          from[w] = v;
          const int other = m.nodes[static_cast<size_t>(w)].island;
          if (other >= 0) {
            if (other == static_cast<int>(k)) continue;
            std::vector<int>& via = isl.next[other];
            for (int p = v; p >= 0; p = from[p]) {
              const RNode& r = m.nodes[static_cast<size_t>(p)];
              if (!r.cast && std::find(via.begin(), via.end(), p) == via.end()) via.push_back(p);
            }
            continue;
          }
          if (d < 8) q.emplace_back(w, d + 1);
        }
      }
    }
  }
}

}  // namespace

std::string rule_key(const std::string& rule) {
  for (const char* sep : {" from ", " with "}) {
    size_t p = rule.find(sep);
    if (p != std::string::npos) return rule.substr(0, p);
  }
  return rule;
}

std::string prec_id(Prec p, DType low) {
  switch (p) {
    case Prec::kLow:
      return low == DType::kHalf ? "fp16" : "bf16";
    case Prec::kFloat32:
      return "fp32";
    case Prec::kFloat64:
      return "fp64";
    default:
      return "other";
  }
}

Model build_model(const ReportInput& in) {
  if (!in.after || !in.result)
    throw Error(ErrorCode::kInvalidArgument, "report: the optimized graph and result are needed");
  const Graph& g = *in.after;
  const AmpReport& amp = in.result->amp;
  Model m;
  m.low = amp.target;
  std::map<std::string, const AmpDecision*> dec;
  for (const AmpDecision& d : amp.decisions) dec[d.node] = &d;
  for (const auto& n : g.nodes()) {
    if (n->op == "Const") {
      ++m.summary.folded_consts;
      continue;
    }
    RNode r;
    r.node = n.get();
    r.prec = node_prec(*n);
    r.cast = n->op == "Cast";
    r.inserted = r.cast && in.before && !in.before->find(n->name);
    auto d = dec.find(n->name);
    if (d != dec.end()) r.rule = d->second->rule;
    if (const AttrValue* f = n->find_attr("fused_ops"); f && f->is<AttrList>())
      for (const auto& s : f->get<AttrList>().s)
        r.fused_label += (r.fused_label.empty() ? "" : "+") + s;
    m.index[n->name] = static_cast<int>(m.nodes.size());
    m.nodes.push_back(std::move(r));
  }
  // Topological positions (back edges of loops are the edges against this order).
  std::map<std::string, int> pos;
  try {
    int i = 0;
    for (const Node* n : g.topo_order()) pos[n->name] = i++;
  } catch (const Error&) {
    int i = 0;
    for (const auto& n : g.nodes()) pos[n->name] = i++;
  }
  for (RNode& r : m.nodes) r.topo = pos[r.node->name];
  for (size_t i = 0; i < m.nodes.size(); ++i) {
    RNode& r = m.nodes[i];
    for (const std::string& s : r.node->inputs) {
      const std::string src = input_node(s);
      auto it = m.index.find(src);
      if (it == m.index.end()) {
        const Node* c = g.find(src);
        if (c && c->op == "Const") r.consts.push_back(c);
        continue;
      }
      REdge e;
      e.from = it->second;
      e.to = static_cast<int>(i);
      e.control = s[0] == '^';
      e.back = m.nodes[static_cast<size_t>(e.from)].topo >= r.topo;
      m.edges.push_back(e);
    }
  }
  if (in.before) attach_fused(*in.before, g, m);
  find_islands(m);
  for (const AmpDecision& d : amp.decisions)
    if (d.dtype == DType::kFloat && d.op != "Const" && g.find(d.node))
      m.float_by_rule[rule_key(d.rule)].push_back(d.node);
  // Layout: boxes sized by their label, loops' back edges left out.
  LayoutGraph lg;
  for (const RNode& r : m.nodes) {  // about 6.8 px per character of the 11 px label font
    size_t chars = std::max(r.node->op.size(), r.fused_label.size());
    lg.width.push_back(std::max(48.0, 6.8 * static_cast<double>(chars) + 18));
  }
  m.layout_width = lg.width;
  for (const REdge& e : m.edges)
    if (!e.back) lg.edges.emplace_back(e.from, e.to);
  m.layout = layered_layout(lg);
  ReportSummary& s = m.summary;
  s.drawn_nodes = static_cast<int>(m.nodes.size());
  for (const RNode& r : m.nodes) {
    s.casts += r.cast;
    s.casts_inserted += r.inserted;
    s.low_nodes += r.prec == Prec::kLow && !r.cast;
  }
  s.islands = static_cast<int>(m.islands.size());
  return m;
}

namespace {

nlohmann::json graph_json(const ReportInput& in, const Model& m) {
  using nlohmann::json;
  json nodes = json::array();
  size_t ei = 0;
  std::vector<size_t> layout_edge(m.edges.size(), SIZE_MAX);
  for (size_t e = 0; e < m.edges.size(); ++e)
    if (!m.edges[e].back) layout_edge[e] = ei++;
  for (size_t i = 0; i < m.nodes.size(); ++i) {
    const RNode& r = m.nodes[i];
    const Node& n = *r.node;
    json j;
    j["n"] = n.name;
    j["o"] = n.op;
    j["p"] = prec_id(r.prec, m.low);
    j["x"] = std::round(m.layout.x[i] * 10) / 10;
    j["y"] = std::round(m.layout.y[i] * 10) / 10;
    j["w"] = std::round(m.layout_width[i] * 10) / 10;
    if (r.cast) j["c"] = r.inserted ? 2 : 1;
    if (!r.fused_label.empty()) j["s"] = r.fused_label;
    if (!r.fused_from.empty()) j["f"] = r.fused_from;
    j["r"] = r.rule;
    if (r.island >= 0) j["i"] = r.island;
    if (!n.device.empty()) j["d"] = n.device;
    json types = json::array();
    for (const auto& [k, v] : n.attrs) {
      if (v.is<DType>()) types.push_back({k, dtype_name(v.get<DType>())});
      if (v.is<AttrList>() && !v.get<AttrList>().type.empty()) {
        std::string s;
        for (DType t : v.get<AttrList>().type) s += (s.empty() ? "" : ", ") + dtype_name(t);
        types.push_back({k, "[" + s + "]"});
      }
    }
    j["t"] = types;
    j["in"] = n.inputs;
    json ks = json::array();
    for (const Node* c : r.consts) {
      const AttrValue* v = c->find_attr("value");
      if (v && v->is<Tensor>()) {
        const Tensor& t = v->get<Tensor>();
        ks.push_back({c->name, dtype_name(t.dtype()), t.shape().to_string(), t.byte_size()});
      } else {
        ks.push_back({c->name, "?", "?", 0});
      }
    }
    if (!ks.empty()) j["k"] = ks;
    nodes.push_back(std::move(j));
  }
  json edges = json::array();
  for (size_t e = 0; e < m.edges.size(); ++e) {
    const REdge& r = m.edges[e];
    json pts = json::array();
    if (layout_edge[e] != SIZE_MAX)
      for (const auto& [x, y] : m.layout.edge_points[layout_edge[e]])
        pts.push_back(std::round(x * 10) / 10), pts.push_back(std::round(y * 10) / 10);
    edges.push_back({r.from, r.to, (r.control ? 1 : 0) | (r.back ? 2 : 0), pts});
  }
  json islands = json::array();
  for (const Island& isl : m.islands) {
    json next = json::array();
    for (const auto& [k, via] : isl.next) next.push_back({k, via});
    islands.push_back(
        {{"m", isl.members}, {"ci", isl.casts_in}, {"co", isl.casts_out}, {"next", next}});
  }
  json j;
  j["title"] = in.title;
  j["low"] = prec_id(Prec::kLow, m.low);
  j["nodes"] = std::move(nodes);
  j["edges"] = std::move(edges);
  j["islands"] = std::move(islands);
  j["width"] = m.layout.width;
  j["height"] = m.layout.height;
  j["summary"] = {{"drawn", m.summary.drawn_nodes},       {"casts", m.summary.casts},
                  {"inserted", m.summary.casts_inserted}, {"low", m.summary.low_nodes},
                  {"islands", m.summary.islands},         {"consts", m.summary.folded_consts}};
  json rules = json::object();
  for (const RNode& r : m.nodes)
    if (!r.rule.empty()) rules[rule_key(r.rule)] = rule_meaning(rule_key(r.rule));
  j["rules"] = std::move(rules);
  if (in.accuracy) {
    json ne = json::object();
    for (const ReportNodeError& e : in.accuracy->nodes) ne[e.node] = {e.alone, e.own, e.group};
    j["node_error"] = std::move(ne);
    if (!in.accuracy->along.empty()) j["along"] = in.accuracy->along;
  }
  return j;
}

// JSON that cannot end a <script> element or open a comment: < > & and the JavaScript line
// separators as \u escapes (valid JSON, the same string after parsing).
std::string script_safe(const std::string& s) {
  std::string out;
  out.reserve(s.size() + s.size() / 16);
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xE2' && i + 2 < s.size() && s[i + 1] == '\x80' &&
               (s[i + 2] == '\xA8' || s[i + 2] == '\xA9')) {
      out += s[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

}  // namespace report_detail

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string render_report_html(const ReportInput& in, ReportSummary* summary) {
  using namespace report_detail;
  Model m = build_model(in);
  if (summary) *summary = m.summary;
  std::string data =
      script_safe(graph_json(in, m).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  std::string html;
  html.reserve(data.size() + 200000);
  html += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += "<title>aamp report: " + html_escape(in.title) + "</title>\n<style>\n";
  html += report_assets::kReportCss;
  html += "</style></head>\n<body>\n";
  html += "<header><h1>aamp conversion report</h1><span class=\"model\">" + html_escape(in.title) +
          "</span>";
  html +=
      "<input id=\"search\" type=\"search\" placeholder=\"search node name or op (Enter: next)\" "
      "autocomplete=\"off\"><span id=\"search-count\"></span>";
  html += "<span class=\"legend\">";
  for (const char* p : {"bf16", "fp16", "fp32", "fp64", "other"})
    html += std::string("<span class=\"sw p-") + p + "\"></span>" + p + " ";
  html += "<span class=\"sw cast\"></span>Cast</span>";
  html += "<select id=\"colour\"><option value=\"prec\">colour: precision</option>";
  if (in.accuracy && !in.accuracy->nodes.empty())
    html += "<option value=\"error\">colour: error added</option>";
  if (in.accuracy && !in.accuracy->along.empty())
    html += "<option value=\"along\">colour: error along graph</option>";
  html += "</select><button id=\"fit\" type=\"button\">fit</button></header>\n";
  html += "<main><section id=\"summary\">" + summary_html(in, m) + "</section>\n";
  html +=
      "<div id=\"graph\"><svg id=\"svg\" xmlns=\"http://www.w3.org/2000/svg\"></svg><div "
      "id=\"error-legend\">error: <span class=\"ramp\"></span> low &rarr; high (log scale, 3 "
      "decades; grey: not measured)</div></div>\n";
  html +=
      "<aside id=\"details\"><p class=\"hint\">Click a node to see its op, dtypes, the rule "
      "that decided its precision, inputs and outputs. Drag to pan, wheel to zoom.</p>"
      "</aside></main>\n";
  html += "<script type=\"application/json\" id=\"aamp-data\">" + data + "</script>\n<script>\n";
  html += report_assets::kReportJs;
  html += "</script>\n</body></html>\n";
  return html;
}

}  // namespace aamp
