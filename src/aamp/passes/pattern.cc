#include "aamp/passes/pattern.h"

#include <cmath>
#include <sstream>

#include "aamp/core/error.h"

namespace aamp {

namespace {
std::vector<std::string> split_ops(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, '|'))
    if (!item.empty()) out.push_back(item);
  return out;
}
}  // namespace

Pattern Pattern::op(const std::string& ops, std::vector<Pattern> inputs, std::string capture) {
  Pattern p;
  p.kind_ = Kind::kOp;
  p.ops_ = split_ops(ops);
  p.inputs_ = std::move(inputs);
  p.capture_ = std::move(capture);
  return p;
}

Pattern Pattern::any(std::string capture) {
  Pattern p;
  p.kind_ = Kind::kAny;
  p.capture_ = std::move(capture);
  return p;
}

Pattern Pattern::constant(TensorPred pred, std::string capture) {
  Pattern p;
  p.kind_ = Kind::kConst;
  p.tensor_pred_ = std::move(pred);
  p.capture_ = std::move(capture);
  return p;
}

const Node& Match::node(const std::string& c) const {
  auto it = nodes.find(c);
  if (it == nodes.end())
    throw Error(ErrorCode::kInternal, "pattern has no node capture '" + c + "'");
  return *it->second;
}

const TensorRef& Match::tensor(const std::string& c) const {
  auto it = tensors.find(c);
  if (it == tensors.end())
    throw Error(ErrorCode::kInternal, "pattern has no tensor capture '" + c + "'");
  return it->second;
}

Matcher::Matcher(const Graph& g, const std::unordered_set<std::string>& fetch_nodes)
    : g_(g), fetch_(fetch_nodes) {
  for (const auto& n : g.nodes())
    for (const auto& in : n->inputs) consumers_[TensorRef::parse(in).node].push_back(n->name);
}

int Matcher::num_consumers(const std::string& node) const {
  auto it = consumers_.find(node);
  return it == consumers_.end() ? 0 : static_cast<int>(it->second.size());
}

bool Matcher::match(const Pattern& p, const Node& root, Match* m) const {
  Match tmp;
  tmp.root = &root;
  if (!match_node(p, root, &tmp)) return false;
  if (!interior_is_private(tmp)) return false;
  *m = std::move(tmp);
  return true;
}

bool Matcher::match_tensor(const Pattern& p, const TensorRef& t, Match* m) const {
  if (t.is_control()) return false;
  if (p.kind_ == Pattern::Kind::kAny) {
    if (p.capture_.empty()) return true;
    auto it = m->tensors.find(p.capture_);
    if (it != m->tensors.end()) return it->second == t;
    m->tensors.emplace(p.capture_, t);
    return true;
  }
  if (t.port != 0) return false;  // op patterns describe single-output uses
  const Node* n = g_.find(t.node);
  if (!n) return false;
  if (!match_node(p, *n, m)) return false;
  if (n != m->root && p.kind_ == Pattern::Kind::kOp) m->interior.push_back(n);
  return true;
}

bool Matcher::match_node(const Pattern& p, const Node& n, Match* m) const {
  switch (p.kind_) {
    case Pattern::Kind::kAny:
      return match_tensor(p, TensorRef{n.name, 0}, m);
    case Pattern::Kind::kConst: {
      const Tensor* v = const_value(n);
      if (!v || (p.tensor_pred_ && !p.tensor_pred_(*v))) return false;
      if (!p.capture_.empty()) {
        auto it = m->nodes.find(p.capture_);
        if (it != m->nodes.end()) return it->second == &n;
        m->nodes.emplace(p.capture_, &n);
        m->tensors.emplace(p.capture_, TensorRef{n.name, 0});
      }
      return true;
    }
    case Pattern::Kind::kOp:
      break;
  }
  bool op_ok = p.ops_.empty();
  for (const auto& o : p.ops_) op_ok |= (o == n.op);
  if (!op_ok) return false;
  if (p.pred_ && !p.pred_(n)) return false;
  const int ndata = n.num_data_inputs();
  const int npat = static_cast<int>(p.inputs_.size());
  if (npat > 0 && (ndata < npat || (ndata > npat && !p.extra_inputs_))) return false;
  if (!p.capture_.empty()) {
    auto it = m->nodes.find(p.capture_);
    if (it != m->nodes.end()) return it->second == &n;
  }
  auto try_order = [&](bool swap) {
    Match saved = *m;
    for (int i = 0; i < npat; ++i) {
      int src = i;
      if (swap && i < 2) src = 1 - i;
      if (!match_tensor(p.inputs_[static_cast<size_t>(i)], n.input(src), m)) {
        *m = std::move(saved);
        return false;
      }
    }
    return true;
  };
  if (!try_order(false) && !(p.commutative_ && npat >= 2 && try_order(true))) return false;
  if (!p.capture_.empty()) {
    m->nodes.emplace(p.capture_, &n);
    m->tensors.emplace(p.capture_, TensorRef{n.name, 0});
  }
  return true;
}

bool Matcher::interior_is_private(const Match& m) const {
  std::unordered_set<std::string> inside;
  inside.insert(m.root->name);
  for (const Node* n : m.interior) inside.insert(n->name);
  for (const Node* n : m.interior) {
    if (fetch_.count(n->name)) return false;
    auto it = consumers_.find(n->name);
    if (it == consumers_.end()) continue;
    for (const auto& c : it->second)
      if (!inside.count(c)) return false;
  }
  return true;
}

const Tensor* const_value(const Node& n) {
  if (n.op != "Const") return nullptr;
  const AttrValue* v = n.find_attr("value");
  return v && v->is<Tensor>() ? &v->get<Tensor>() : nullptr;
}

double scalar_value(const Tensor& t) { return t.element_as_double(0); }

bool is_scalar_near(const Tensor& t, float v, float tol) {
  if (t.num_elements() != 1 || !(is_float(t.dtype()) || is_integer(t.dtype()))) return false;
  return std::fabs(scalar_value(t) - static_cast<double>(v)) <= tol * std::max(1.0f, std::fabs(v));
}

bool is_vector(const Tensor& t) { return is_float(t.dtype()) && t.shape().rank() == 1; }

}  // namespace aamp
