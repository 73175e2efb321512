#include "aamp/passes/amp_rewrite.h"

#include <exception>
#include <map>
#include <optional>
#include <unordered_map>

#include "aamp/core/error.h"
#include "aamp/ops/signature.h"

namespace aamp {

namespace {

const char* kSuffix = "AutoMixedPrecision";

// Input or output dtypes of a node from its signature; nullopt when unknown.
std::optional<std::vector<DType>> try_dtypes(const Node& n, bool outputs) {
  const OpDef* def = find_signature(n);
  if (!def) return std::nullopt;
  try {
    return outputs ? output_dtypes(*def, n) : input_dtypes(*def, n);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

DType at_or_invalid(const std::optional<std::vector<DType>>& v, int i) {
  if (!v || i < 0 || i >= static_cast<int>(v->size())) return DType::kInvalid;
  return (*v)[static_cast<size_t>(i)];
}

void set_attr(Node& n, const AmpAttrChange& c, DType target) {
  if (c.list_index < 0) {
    n.attrs[c.attr] = AttrValue(target);
    return;
  }
  const OpDef* def = find_signature(n);
  const AttrValue* cur = def ? attr_or_default(*def, n, c.attr) : n.find_attr(c.attr);
  AttrList list;
  if (cur && cur->is<AttrList>()) list = cur->get<AttrList>();
  if (c.list_index >= static_cast<int>(list.type.size()))
    throw Error(ErrorCode::kInternal, n.describe() + ": list attr '" + c.attr +
                                          "' has no element " + std::to_string(c.list_index));
  list.type[static_cast<size_t>(c.list_index)] = target;
  n.attrs[c.attr] = AttrValue(std::move(list));
}

bool is_float32_const(const Node& n) {
  if (n.op != "Const" || n.num_data_inputs() != 0) return false;
  const AttrValue* d = n.find_attr("dtype");
  const AttrValue* v = n.find_attr("value");
  return d && d->is<DType>() && d->get<DType>() == DType::kFloat && v && v->is<Tensor>() &&
         v->get<Tensor>().dtype() == DType::kFloat;
}

void convert_const(Node& n, DType target) {
  Tensor t = n.attr_tensor("value").cast_float(target);
  n.attrs["value"] = AttrValue(std::move(t));
  n.attrs["dtype"] = AttrValue(target);
}

DType cast_attr(const Node& n, const char* key) {
  const AttrValue* a = n.find_attr(key);
  return a && a->is<DType>() ? a->get<DType>() : DType::kInvalid;
}

}  // namespace

std::string amp_cast_tag(DType t) {
  switch (t) {
    case DType::kBFloat16:
      return "CastToBf16";
    case DType::kHalf:
      return "CastToFp16";
    case DType::kFloat:
      return "CastToFp32";
    default:
      return "CastTo" + dtype_name(t);
  }
}

AmpRewriteStats apply_amp_rewrite(Graph& g, const std::vector<AmpAttrChange>& changes, DType target,
                                  const std::unordered_set<std::string>& fetch_nodes) {
  AmpRewriteStats st;
  std::vector<Node*> order;
  for (const auto& n : g.nodes()) order.push_back(n.get());

  // Dtypes before the rewrite, to tell the edges AMP makes inconsistent from any that were.
  std::unordered_map<const Node*, std::optional<std::vector<DType>>> old_in, old_out;
  for (Node* n : order) {
    old_in[n] = try_dtypes(*n, false);
    old_out[n] = try_dtypes(*n, true);
  }
  std::unordered_set<std::string> repainted_casts;
  for (const auto& c : changes) {
    Node& n = g.at(c.node);
    set_attr(n, c, target);
    if (n.op == "Cast") repainted_casts.insert(n.name);
  }
  std::unordered_map<const Node*, std::optional<std::vector<DType>>> new_in, new_out;
  for (Node* n : order) {
    new_in[n] = try_dtypes(*n, false);
    new_out[n] = try_dtypes(*n, true);
  }

  // Per producer port (in first-use order): destination dtype -> consumers (node, input index).
  struct Need {
    TensorRef src;
    DType from = DType::kInvalid;
    std::map<DType, std::vector<std::pair<Node*, int>>> by_dst;
  };
  std::vector<Need> needs;
  std::map<TensorRef, size_t> need_index;
  std::unordered_map<std::string, int> data_readers;  // "node:port" -> data consumers
  for (Node* c : order) {
    int ninputs = c->num_data_inputs();
    for (int i = 0; i < ninputs; ++i) {
      TensorRef ref = c->input(i);
      ++data_readers[ref.to_string()];
      Node* p = g.find(ref.node);
      if (!p) continue;
      DType old_p = at_or_invalid(old_out[p], ref.port),
            new_p = at_or_invalid(new_out[p], ref.port);
      DType old_c = at_or_invalid(old_in[c], i), new_c = at_or_invalid(new_in[c], i);
      if (old_p != DType::kInvalid && old_c != DType::kInvalid && old_p != old_c) continue;
      DType base = old_p != DType::kInvalid ? old_p : old_c;
      if (new_p == DType::kInvalid) new_p = base;  // producer without a signature: unchanged
      if (new_c == DType::kInvalid) new_c = base;  // consumer without a signature: unchanged
      if (new_p == new_c || !is_float(new_p) || !is_float(new_c)) continue;
      auto [it, fresh] = need_index.emplace(ref, needs.size());
      if (fresh) needs.push_back(Need{ref, new_p, {}});
      needs[it->second].by_dst[new_c].push_back({c, i});
    }
  }

  std::unordered_map<std::string, bool> inserted;  // cast name -> reads a Const
  for (const Need& need : needs) {
    Node& p = g.at(need.src.node);
    bool is_const = p.op == "Const";
    if (is_const && need.src.port == 0 && !fetch_nodes.count(p.name) && is_float32_const(p) &&
        need.by_dst.size() == 1 && need.by_dst.begin()->first == target &&
        static_cast<int>(need.by_dst.begin()->second.size()) ==
            data_readers[need.src.to_string()]) {
      convert_const(p, target);
      st.converted_consts.push_back(p.name);
      continue;
    }
    for (const auto& [dst, readers] : need.by_dst) {
      Node cast;
      cast.name = g.unique_name(need.src.node + "-" + std::to_string(need.src.port) + "-" +
                                amp_cast_tag(dst) + "-" + kSuffix);
      cast.op = "Cast";
      cast.inputs = {need.src.to_string()};
      cast.device = p.device;
      cast.attrs["SrcT"] = AttrValue(need.from);
      cast.attrs["DstT"] = AttrValue(dst);
      cast.attrs["Truncate"] = AttrValue(false);
      std::string name = cast.name;
      g.add(std::move(cast));
      for (const auto& [c, i] : readers) c->inputs[static_cast<size_t>(i)] = name;
      inserted[name] = is_const;
      ++(is_const ? st.const_casts : st.casts_inserted);
    }
  }

  // Clean-up of Casts: chains, no-ops, Const folding. One change per sweep (fresh consumers).
  auto forget = [&](const std::string& name) {
    auto it = inserted.find(name);
    if (it == inserted.end()) {
      ++st.casts_removed;
    } else {
      --(it->second ? st.const_casts : st.casts_inserted);
      inserted.erase(it);
    }
  };
  for (bool progress = true; progress;) {
    progress = false;
    auto cmap = g.consumer_map();
    std::vector<std::string> casts;
    for (const auto& n : g.nodes())
      if (n->op == "Cast" && n->inputs.size() == 1) casts.push_back(n->name);
    for (const std::string& name : casts) {
      Node& c2 = g.at(name);
      TensorRef in = c2.input(0);
      if (in.is_control() || in.port != 0) continue;
      Node* c1 = g.find(in.node);
      if (!c1) continue;
      bool c2_ours = inserted.count(name) || repainted_casts.count(name);
      // low -> float32 -> x, the middle read by nothing else: one Cast low -> x.
      if (c1->op == "Cast" && c1->inputs.size() == 1 && !fetch_nodes.count(c1->name) &&
          (c2_ours || inserted.count(c1->name)) && is_low_float(cast_attr(*c1, "SrcT")) &&
          cast_attr(*c1, "DstT") == DType::kFloat && cmap[c1->name].size() == 1) {
        c2.inputs[0] = c1->inputs[0];
        c2.attrs["SrcT"] = AttrValue(cast_attr(*c1, "SrcT"));
        repainted_casts.insert(name);
        std::string gone = c1->name;
        g.remove(gone);
        forget(gone);
        progress = true;
        break;
      }
      // A Cast that became a no-op.
      if (c2_ours && cast_attr(c2, "SrcT") == cast_attr(c2, "DstT") && !fetch_nodes.count(name)) {
        g.rewire(TensorRef{name, 0}, in);
        g.remove(name);
        forget(name);
        progress = true;
        break;
      }
      // Const(float32) -> Cast(float32 -> low): the Const stored in the low precision.
      DType dst = cast_attr(c2, "DstT");
      if (is_float32_const(*c1) && is_low_float(dst) && !fetch_nodes.count(name) &&
          !fetch_nodes.count(c1->name) && cmap[c1->name].size() == 1) {
        convert_const(*c1, dst);
        st.converted_consts.push_back(c1->name);
        g.rewire(TensorRef{name, 0}, in);
        g.remove(name);
        forget(name);
        progress = true;
        break;
      }
    }
  }
  return st;
}

}  // namespace aamp
