#include "aamp/passes/amp_type_graph.h"

#include <algorithm>
#include <exception>
#include <functional>
#include <set>

namespace aamp {

std::string AmpVertex::label() const {
  std::string s = node->name + ":" + attr;
  if (list_index >= 0) s += "[" + std::to_string(list_index) + "]";
  return s;
}

bool attr_allows(const OpDef& def, const std::string& attr, DType t) {
  const AttrDef* a = def.find_attr(attr);
  if (!a) return false;
  if (a->allowed_types.empty()) return true;
  return std::find(a->allowed_types.begin(), a->allowed_types.end(), t) != a->allowed_types.end();
}

AmpTypeGraph::AmpTypeGraph(const Graph& g) {
  auto vertex_for = [&](const Node& n, const TypeSlot& s) -> int {
    auto key = std::make_tuple(n.name, s.type_attr, s.list_index);
    auto it = index_.find(key);
    if (it != index_.end()) return it->second;
    AmpVertex v;
    v.node = &n;
    v.attr = s.type_attr;
    v.list_index = s.list_index;
    int id = static_cast<int>(vertices_.size());
    vertices_.push_back(std::move(v));
    index_.emplace(std::move(key), id);
    return id;
  };

  for (const auto& np : g.nodes()) {
    const Node& n = *np;
    NodeSlots ns;
    const OpDef* def = find_signature(n);
    if (def) {
      try {
        std::vector<TypeSlot> in = input_slots(*def, n);
        std::vector<TypeSlot> out = output_slots(*def, n);
        std::vector<DType> in_t, out_t;
        for (const auto& s : in) in_t.push_back(slot_dtype(*def, n, s));
        for (const auto& s : out) out_t.push_back(slot_dtype(*def, n, s));
        ns.ok = true;
        ns.out_dtype = out_t;
        auto handle = [](DType t) { return t == DType::kVariant || t == DType::kResource; };
        ns.container = std::any_of(in_t.begin(), in_t.end(), handle) ||
                       std::any_of(out_t.begin(), out_t.end(), handle);
        if (ns.container)  // its element dtype, even where no float port shows it
          for (const auto& [k, a] : n.attrs)
            if (a.is<DType>() && a.get<DType>() == DType::kFloat && def->find_attr(k)) {
              TypeSlot slot;
              slot.type_attr = k;
              vertex_for(n, slot);
            }
        for (size_t i = 0; i < in.size(); ++i) {
          int v = -1;
          if (!in[i].type_attr.empty() && in_t[i] == DType::kFloat) {
            v = vertex_for(n, in[i]);
            vertices_[static_cast<size_t>(v)].governs_input = true;
            if (in[i].is_ref) vertices_[static_cast<size_t>(v)].reads_ref = true;
          }
          ns.in_vertex.push_back(v);
        }
        for (size_t i = 0; i < out.size(); ++i) {
          int v = -1;
          if (!out[i].type_attr.empty() && out_t[i] == DType::kFloat) {
            v = vertex_for(n, out[i]);
            vertices_[static_cast<size_t>(v)].governs_output = true;
          }
          ns.out_vertex.push_back(v);
        }
      } catch (const std::exception&) {
        // A node whose signature cannot be expanded (missing attrs) is left alone. Vertices
        // already created for it stay unconnected, so nothing paints them: drop them.
        ns = NodeSlots();
        while (!vertices_.empty() && vertices_.back().node == &n) {
          const AmpVertex& v = vertices_.back();
          index_.erase(std::make_tuple(n.name, v.attr, v.list_index));
          vertices_.pop_back();
        }
      }
    }
    // Vertices are created node by node, so this node's are the trailing ones.
    for (int v = static_cast<int>(vertices_.size()) - 1; v >= 0; --v) {
      if (vertices_[static_cast<size_t>(v)].node != &n) break;
      ns.vertices.insert(ns.vertices.begin(), v);
    }
    slots_[n.name] = std::move(ns);
  }

  fanin_.assign(vertices_.size(), {});
  fanout_.assign(vertices_.size(), {});
  std::set<std::pair<int, int>> seen;
  for (const auto& np : g.nodes()) {
    const Node& n = *np;
    const NodeSlots& cs = slots_[n.name];
    if (!cs.ok) continue;
    int ninputs = std::min(n.num_data_inputs(), static_cast<int>(cs.in_vertex.size()));
    for (int i = 0; i < ninputs; ++i) {
      int cv = cs.in_vertex[static_cast<size_t>(i)];
      if (cv < 0) continue;
      TensorRef ref = n.input(i);
      auto it = slots_.find(ref.node);
      if (it == slots_.end() || !it->second.ok || ref.port < 0 ||
          ref.port >= static_cast<int>(it->second.out_vertex.size()))
        continue;
      int pv = it->second.out_vertex[static_cast<size_t>(ref.port)];
      if (pv < 0 || !seen.insert({pv, cv}).second) continue;
      fanout_[static_cast<size_t>(pv)].push_back(cv);
      fanin_[static_cast<size_t>(cv)].push_back(pv);
    }
  }

  // Containers: the nodes joined by handle edges form one group; its ops' float type attrs are
  // chained both ways and tied.
  std::unordered_map<std::string, std::string> parent;
  std::function<std::string(const std::string&)> root = [&](const std::string& x) {
    auto it = parent.find(x);
    if (it == parent.end() || it->second == x) return x;
    return it->second = root(it->second);
  };
  for (const auto& np : g.nodes()) {
    const Node& n = *np;
    for (int i = 0; i < n.num_data_inputs(); ++i) {
      const TensorRef ref = n.input(i);
      auto it = slots_.find(ref.node);
      if (it == slots_.end() || !it->second.ok || ref.port < 0 ||
          ref.port >= static_cast<int>(it->second.out_dtype.size()))
        continue;
      const DType t = it->second.out_dtype[static_cast<size_t>(ref.port)];
      if (t != DType::kVariant && t != DType::kResource) continue;
      const std::string a = root(ref.node), b = root(n.name);
      parent[a] = a;
      parent[b] = a;
    }
  }
  std::map<std::string, std::vector<int>> groups;
  for (const auto& np : g.nodes()) {
    const NodeSlots& ns = slots_[np->name];
    if (!ns.container || !parent.count(np->name)) continue;
    std::vector<int>& grp = groups[root(np->name)];
    for (int v : ns.vertices)
      if (std::find(grp.begin(), grp.end(), v) == grp.end()) grp.push_back(v);
  }
  for (auto& [r, grp] : groups) {
    if (grp.size() < 2) continue;
    for (size_t k = 1; k < grp.size(); ++k)
      for (auto [a, b] : {std::pair{grp[k - 1], grp[k]}, std::pair{grp[k], grp[k - 1]}})
        if (seen.insert({a, b}).second) {
          fanout_[static_cast<size_t>(a)].push_back(b);
          fanin_[static_cast<size_t>(b)].push_back(a);
        }
    tied_.push_back(grp);
  }

  for (const Node* n : g.topo_order())
    for (int v : slots_[n->name].vertices) topo_.push_back(v);
}

int AmpTypeGraph::find(const std::string& node, const std::string& attr, int list_index) const {
  auto it = index_.find(std::make_tuple(node, attr, list_index));
  return it == index_.end() ? -1 : it->second;
}

const std::vector<int>& AmpTypeGraph::vertices_of(const std::string& node) const {
  static const std::vector<int> kNone;
  auto it = slots_.find(node);
  return it == slots_.end() ? kNone : it->second.vertices;
}

int AmpTypeGraph::output_vertex(const Node& n, int port) const {
  auto it = slots_.find(n.name);
  if (it == slots_.end() || port < 0 || port >= static_cast<int>(it->second.out_vertex.size()))
    return -1;
  return it->second.out_vertex[static_cast<size_t>(port)];
}

int AmpTypeGraph::input_vertex(const Node& n, int index) const {
  auto it = slots_.find(n.name);
  if (it == slots_.end() || index < 0 || index >= static_cast<int>(it->second.in_vertex.size()))
    return -1;
  return it->second.in_vertex[static_cast<size_t>(index)];
}

bool AmpTypeGraph::has_signature(const std::string& node) const {
  auto it = slots_.find(node);
  return it != slots_.end() && it->second.ok;
}

}  // namespace aamp
