#include "aamp/passes/auto_mixed_precision.h"

#include <exception>
#include <unordered_map>

#include "aamp/core/error.h"
#include "aamp/ops/signature.h"
#include "aamp/passes/amp_painter.h"
#include "aamp/passes/amp_rewrite.h"
#include "aamp/passes/amp_type_graph.h"

namespace aamp {

namespace {

DType first_output_dtype(const Node& n) {
  const OpDef* def = find_signature(n);
  if (!def) return DType::kInvalid;
  try {
    std::vector<DType> out = output_dtypes(*def, n);
    return out.empty() ? DType::kInvalid : out.front();
  } catch (const std::exception&) {
    return DType::kInvalid;
  }
}

}  // namespace

std::string AmpReport::message() const {
  return "Converted " + std::to_string(converted_nodes) + "/" + std::to_string(float_nodes) +
         " nodes to " + dtype_name(target) + " precision using " + std::to_string(casts_inserted) +
         " cast(s) (excluding Const and Variable casts)";
}

std::string AmpReport::decisions_tsv() const {
  std::string s = "node\top\tdtype\trule\n";
  for (const auto& d : decisions)
    s += d.node + "\t" + d.op + "\t" + (d.dtype == DType::kInvalid ? "-" : dtype_name(d.dtype)) +
         "\t" + d.rule + "\n";
  return s;
}

int64_t const_weight_bytes(const Graph& g) {
  int64_t total = 0;
  for (const auto& n : g.nodes()) {
    if (n->op != "Const") continue;
    const AttrValue* v = n->find_attr("value");
    if (v && v->is<Tensor>()) total += static_cast<int64_t>(v->get<Tensor>().byte_size());
  }
  return total;
}

AmpReport run_auto_mixed_precision(Graph& g, const AmpOptions& opts, const PassContext& ctx) {
  if (opts.target != DType::kBFloat16 && opts.target != DType::kHalf)
    throw Error(ErrorCode::kInvalidArgument,
                "auto mixed precision: target dtype must be bfloat16 or float16, got " +
                    dtype_name(opts.target));
  AmpReport r;
  r.target = opts.target;
  r.lists = opts.lists ? *opts.lists : AmpLists::defaults(ctx.device);
  r.weight_bytes_before = r.weight_bytes_after = const_weight_bytes(g);
  std::unordered_set<std::string> fetch = ctx.fetch_nodes(g);

  AmpTypeGraph tg(g);
  AmpPaintOptions po;
  po.target = opts.target;
  po.device = ctx.device;
  po.check_kernels = ctx.check_kernels;
  po.has_kernel = ctx.hooks.has_kernel;
  po.unsafe_force_all = opts.unsafe_force_all;
  po.fetch_nodes = fetch;
  po.deny_nodes = opts.deny_nodes;
  po.allow_nodes = opts.allow_nodes;
  for (const auto& [name, rule] : opts.deny_nodes)
    if (!g.find(name)) r.unknown_deny_nodes.push_back(name);
  AmpPainter painter(g, tg, r.lists, po);
  bool todo = painter.run();

  std::vector<AmpAttrChange> changes;
  if (todo)
    for (int v : painter.allow_vertices()) {
      const AmpVertex& x = tg.vertex(v);
      changes.push_back({x.node->name, x.attr, x.list_index});
    }

  std::unordered_map<std::string, size_t> decision_of;
  for (const auto& np : g.nodes()) {
    const Node& n = *np;
    AmpDecision d;
    d.node = n.name;
    d.op = n.op;
    const std::vector<int>& vs = tg.vertices_of(n.name);
    if (vs.empty()) {
      d.rule = tg.has_signature(n.name) ? "not-float" : "unknown-op";
      d.dtype = first_output_dtype(n);
    } else {
      int main = vs.front();
      for (int v : vs)
        if (tg.vertex(v).governs_output) {
          main = v;
          break;
        }
      bool any_allow = false;
      for (int v : vs) any_allow = any_allow || (!changes.empty() && painter.allow(v));
      if (n.op != "Const") {
        ++r.float_nodes;
        if (any_allow) ++r.converted_nodes;
      }
      bool main_allow = !changes.empty() && painter.allow(main);
      d.dtype = main_allow ? opts.target : DType::kFloat;
      d.rule = painter.rule(main);
    }
    decision_of[n.name] = r.decisions.size();
    r.decisions.push_back(std::move(d));
  }
  if (changes.empty()) return r;  // nothing to do: the graph stays byte-identical

  AmpRewriteStats st = apply_amp_rewrite(g, changes, opts.target, fetch);
  r.changed = true;
  r.casts_inserted = st.casts_inserted;
  r.const_casts = st.const_casts;
  r.casts_removed = st.casts_removed;
  r.consts_converted = static_cast<int>(st.converted_consts.size());
  for (const auto& c : st.converted_consts) {
    auto it = decision_of.find(c);
    if (it == decision_of.end()) continue;
    r.decisions[it->second].dtype = opts.target;
    r.decisions[it->second].rule = "const-weight";
  }
  for (auto& d : r.decisions)
    if (!g.find(d.node)) {
      d.dtype = DType::kInvalid;
      d.rule = "removed-redundant-cast";
    }
  r.weight_bytes_after = const_weight_bytes(g);
  return r;
}

PassResult AutoMixedPrecisionPass::run(Graph& g, const PassContext& ctx) {
  AmpReport r = run_auto_mixed_precision(g, opts_, ctx);
  PassResult pr{r.changed, r.message()};
  if (report_) *report_ = std::move(r);
  return pr;
}

}  // namespace aamp
