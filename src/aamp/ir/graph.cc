#include "aamp/ir/graph.h"

#include <algorithm>
#include <charconv>
#include <queue>
#include <unordered_set>

#include "aamp/core/error.h"

namespace aamp {

// ---- TensorRef -------------------------------------------------------------------------------
std::string TensorRef::to_string() const {
  if (port < 0) return "^" + node;
  if (port == 0) return node;
  return node + ":" + std::to_string(port);
}

TensorRef TensorRef::parse(std::string_view s) {
  TensorRef r;
  if (!s.empty() && s[0] == '^') {
    r.node = std::string(s.substr(1));
    r.port = -1;
  } else {
    size_t colon = s.rfind(':');
    if (colon != std::string_view::npos) {
      std::string_view p = s.substr(colon + 1);
      int v = 0;
      auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
      if (ec != std::errc() || ptr != p.data() + p.size() || v < 0 || p.empty())
        throw Error(ErrorCode::kInvalidGraph, "malformed input '" + std::string(s) + "'");
      r.node = std::string(s.substr(0, colon));
      r.port = v;
    } else {
      r.node = std::string(s);
    }
  }
  if (r.node.empty())
    throw Error(ErrorCode::kInvalidGraph, "malformed input '" + std::string(s) + "'");
  return r;
}

// ---- Node ------------------------------------------------------------------------------------
std::string Node::describe() const { return "node '" + name + "' (" + op + ")"; }

const AttrValue* Node::find_attr(const std::string& key) const {
  auto it = attrs.find(key);
  return it == attrs.end() ? nullptr : &it->second;
}

namespace {
template <typename T>
const T& typed_attr(const Node& n, const std::string& key, const char* kind) {
  const AttrValue* v = n.find_attr(key);
  if (!v) throw Error(ErrorCode::kInvalidGraph, n.describe() + ": missing attr '" + key + "'");
  if (!v->is<T>())
    throw Error(ErrorCode::kInvalidGraph,
                n.describe() + ": attr '" + key + "' should be " + kind + ", is " + v->kind_name());
  return v->get<T>();
}
}  // namespace

DType Node::attr_type(const std::string& k) const { return typed_attr<DType>(*this, k, "type"); }
int64_t Node::attr_int(const std::string& k) const { return typed_attr<int64_t>(*this, k, "int"); }
float Node::attr_float(const std::string& k) const { return typed_attr<float>(*this, k, "float"); }
bool Node::attr_bool(const std::string& k) const { return typed_attr<bool>(*this, k, "bool"); }
const std::string& Node::attr_string(const std::string& k) const {
  return typed_attr<std::string>(*this, k, "string");
}
const Shape& Node::attr_shape(const std::string& k) const {
  return typed_attr<Shape>(*this, k, "shape");
}
const Tensor& Node::attr_tensor(const std::string& k) const {
  return typed_attr<Tensor>(*this, k, "tensor");
}
const AttrList& Node::attr_list(const std::string& k) const {
  return typed_attr<AttrList>(*this, k, "list");
}
int64_t Node::attr_int_or(const std::string& k, int64_t d) const {
  return has_attr(k) ? attr_int(k) : d;
}
float Node::attr_float_or(const std::string& k, float d) const {
  return has_attr(k) ? attr_float(k) : d;
}
bool Node::attr_bool_or(const std::string& k, bool d) const {
  return has_attr(k) ? attr_bool(k) : d;
}
std::string Node::attr_string_or(const std::string& k, const std::string& d) const {
  return has_attr(k) ? attr_string(k) : d;
}

int Node::num_data_inputs() const {
  int n = 0;
  for (const auto& s : inputs) {
    if (!s.empty() && s[0] == '^') break;
    ++n;
  }
  return n;
}

// ---- Graph -----------------------------------------------------------------------------------
Graph::Graph(const Graph& o) : versions(o.versions), passthrough(o.passthrough) {
  nodes_.reserve(o.nodes_.size());
  for (const auto& n : o.nodes_) nodes_.push_back(std::make_unique<Node>(*n));
  reindex();
}

Graph& Graph::operator=(const Graph& o) {
  if (this != &o) {
    Graph tmp(o);
    *this = std::move(tmp);
  }
  return *this;
}

void Graph::reindex() {
  index_.clear();
  for (auto& n : nodes_) index_.emplace(n->name, n.get());
}

Node* Graph::find(std::string_view name) {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? nullptr : it->second;
}
const Node* Graph::find(std::string_view name) const {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? nullptr : it->second;
}
Node& Graph::at(std::string_view name) {
  Node* n = find(name);
  if (!n) throw Error(ErrorCode::kNotFound, "no node named '" + std::string(name) + "'");
  return *n;
}
const Node& Graph::at(std::string_view name) const {
  const Node* n = find(name);
  if (!n) throw Error(ErrorCode::kNotFound, "no node named '" + std::string(name) + "'");
  return *n;
}

Node& Graph::add(Node n) {
  if (index_.count(n.name))
    throw Error(ErrorCode::kInvalidGraph, "duplicate node name '" + n.name + "'");
  nodes_.push_back(std::make_unique<Node>(std::move(n)));
  Node* p = nodes_.back().get();
  index_.emplace(p->name, p);
  return *p;
}

void Graph::remove(std::string_view name) {
  auto it =
      std::find_if(nodes_.begin(), nodes_.end(), [&](const auto& n) { return n->name == name; });
  if (it == nodes_.end())
    throw Error(ErrorCode::kNotFound, "no node named '" + std::string(name) + "'");
  index_.erase(std::string(name));
  nodes_.erase(it);
}

Node& Graph::replace(std::string_view name, Node n) {
  auto it =
      std::find_if(nodes_.begin(), nodes_.end(), [&](const auto& x) { return x->name == name; });
  if (it == nodes_.end())
    throw Error(ErrorCode::kNotFound, "no node named '" + std::string(name) + "'");
  if (n.name != name && index_.count(n.name))
    throw Error(ErrorCode::kInvalidGraph, "duplicate node name '" + n.name + "'");
  index_.erase(std::string(name));
  *it = std::make_unique<Node>(std::move(n));
  Node* p = it->get();
  index_.emplace(p->name, p);
  return *p;
}

int Graph::rewire(const TensorRef& from, const TensorRef& to) {
  int changed = 0;
  for (auto& n : nodes_) {
    for (auto& in : n->inputs) {
      TensorRef r = TensorRef::parse(in);
      if (r.is_control()) {
        if (from.is_control() && r.node == from.node) {
          in = "^" + to.node;
          ++changed;
        }
      } else if (!from.is_control() && r == from) {
        in = to.to_string();
        ++changed;
      }
    }
  }
  return changed;
}

std::string Graph::unique_name(const std::string& base) const {
  if (!find(base)) return base;
  for (int i = 1;; ++i) {
    std::string c = base + "_" + std::to_string(i);
    if (!find(c)) return c;
  }
}

std::vector<std::pair<Node*, int>> Graph::consumers(const TensorRef& output) const {
  std::vector<std::pair<Node*, int>> out;
  for (const auto& n : nodes_) {
    for (size_t i = 0; i < n->inputs.size(); ++i) {
      TensorRef r = TensorRef::parse(n->inputs[i]);
      if (r.node == output.node && r.port == output.port)
        out.emplace_back(n.get(), static_cast<int>(i));
    }
  }
  return out;
}

std::unordered_map<std::string, std::vector<std::pair<Node*, int>>> Graph::consumer_map() const {
  std::unordered_map<std::string, std::vector<std::pair<Node*, int>>> m;
  for (const auto& n : nodes_)
    for (size_t i = 0; i < n->inputs.size(); ++i)
      m[TensorRef::parse(n->inputs[i]).node].emplace_back(n.get(), static_cast<int>(i));
  return m;
}

std::vector<const Node*> Graph::default_outputs() const {
  std::unordered_set<std::string> read;
  for (const auto& n : nodes_)
    for (const auto& in : n->inputs) read.insert(TensorRef::parse(in).node);
  std::vector<const Node*> out;
  for (const auto& n : nodes_)
    if (!read.count(n->name) && n->op != "Const" && n->op != "NoOp" && n->op != "Placeholder" &&
        n->op != "PlaceholderWithDefault")
      out.push_back(n.get());
  return out;
}

std::vector<Node*> Graph::topo_order() const {
  const size_t n = nodes_.size();
  std::unordered_map<const Node*, size_t> pos;
  for (size_t i = 0; i < n; ++i) pos[nodes_[i].get()] = i;
  std::vector<int> indeg(n, 0);
  std::vector<std::vector<size_t>> out(n);
  for (size_t i = 0; i < n; ++i) {
    const Node& node = *nodes_[i];
    bool is_merge = node.op == "Merge" || node.op == "RefMerge";
    for (const auto& s : node.inputs) {
      TensorRef r = TensorRef::parse(s);
      const Node* src = find(r.node);
      if (!src)
        throw Error(ErrorCode::kInvalidGraph,
                    node.describe() + " reads '" + s + "', but no node is named '" + r.node + "'");
      if (is_merge && (src->op == "NextIteration" || src->op == "RefNextIteration")) continue;
      out[pos[src]].push_back(i);
      ++indeg[i];
    }
  }
  // Kahn's algorithm with a min-heap on file position: deterministic, keeps file order on ties.
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < n; ++i)
    if (indeg[i] == 0) ready.push(i);
  std::vector<Node*> order;
  order.reserve(n);
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    order.push_back(nodes_[i].get());
    for (size_t j : out[i])
      if (--indeg[j] == 0) ready.push(j);
  }
  if (order.size() != n) {
    // Find a node on a cycle: walk back through unfinished predecessors until one repeats.
    size_t cur = 0;
    while (indeg[cur] == 0) ++cur;
    std::vector<bool> seen(n, false);
    while (!seen[cur]) {
      seen[cur] = true;
      for (const auto& s : nodes_[cur]->inputs) {
        size_t p = pos[find(TensorRef::parse(s).node)];
        if (indeg[p] > 0) {
          cur = p;
          break;
        }
      }
    }
    throw Error(ErrorCode::kInvalidGraph, "graph has a cycle through " + nodes_[cur]->describe());
  }
  return order;
}

void Graph::check_structure() const {
  std::unordered_map<std::string, int> seen;
  for (const auto& n : nodes_) {
    if (n->name.empty()) throw Error(ErrorCode::kInvalidGraph, "a " + n->op + " node has no name");
    if (++seen[n->name] > 1)
      throw Error(ErrorCode::kInvalidGraph, "duplicate node name '" + n->name + "'");
    if (n->op.empty()) throw Error(ErrorCode::kInvalidGraph, "node '" + n->name + "' has no op");
    bool control_seen = false;
    for (const auto& s : n->inputs) {
      TensorRef r;
      try {
        r = TensorRef::parse(s);
      } catch (const Error& e) {
        throw Error(ErrorCode::kInvalidGraph, n->describe() + ": " + e.what());
      }
      if (r.is_control())
        control_seen = true;
      else if (control_seen)
        throw Error(ErrorCode::kInvalidGraph,
                    n->describe() + ": data input '" + s + "' comes after a control input");
    }
  }
  (void)topo_order();  // dangling inputs and cycles
}

}  // namespace aamp
