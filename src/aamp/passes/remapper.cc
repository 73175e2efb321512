#include "aamp/passes/remapper.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "aamp/core/error.h"
#include "aamp/ops/attrs.h"
#include "aamp/ops/registry.h"
#include "aamp/ops/shape_inference.h"
#include "aamp/ops/signature.h"

namespace aamp {

int RemapperResult::total() const {
  int t = 0;
  for (const auto& [_, n] : fusions) t += n;
  return t;
}

namespace remap {

DType node_type(const Node& n) {
  const AttrValue* v = n.find_attr("T");
  return v && v->is<DType>() ? v->get<DType>() : DType::kFloat;
}

void replace_root(Graph& g, const Match& m, Node fused) {
  fused.name = m.root->name;
  if (fused.device.empty()) fused.device = m.root->device;
  // Keep every control dependency of the nodes that disappear.
  std::vector<std::string> controls;
  auto collect = [&](const Node& n) {
    for (const auto& in : n.inputs)
      if (!in.empty() && in[0] == '^' &&
          std::find(controls.begin(), controls.end(), in) == controls.end())
        controls.push_back(in);
  };
  collect(*m.root);
  for (const Node* n : m.interior) collect(*n);
  for (auto& c : controls)
    if (std::find(fused.inputs.begin(), fused.inputs.end(), c) == fused.inputs.end())
      fused.inputs.push_back(c);
  // The fused node takes the root's place in node order (graph outputs keep their order).
  const std::string root = m.root->name;
  std::vector<std::string> doomed;
  for (const Node* n : m.interior) doomed.push_back(n->name);
  for (const auto& d : doomed)
    if (d != root && g.find(d)) g.remove(d);
  g.replace(root, std::move(fused));
}

std::string add_const(Graph& g, const std::string& base, const Tensor& value,
                      const std::string& device) {
  Node c;
  c.name = g.unique_name(base);
  c.op = "Const";
  c.device = device;
  c.attrs["dtype"] = value.dtype();
  c.attrs["value"] = value;
  std::string name = c.name;
  g.add(std::move(c));
  return name;
}

namespace {

// The output shapes TensorFlow recorded in the node's `_output_shapes` (it writes them on the
// graphs it hands to optimizers; an _Arg's shape is only there), or nullptr.
const std::vector<Shape>* recorded_shapes(const Node& n) {
  const AttrValue* a = n.find_attr("_output_shapes");
  return a && a->is<AttrList>() ? &a->get<AttrList>().shape : nullptr;
}

// Output `port`'s recorded shape, or unknown.
Shape recorded_shape(const Node& n, size_t port) {
  const std::vector<Shape>* shapes = recorded_shapes(n);
  return shapes && port < shapes->size() ? (*shapes)[port] : Shape::unknown();
}

// static_rank with a memo over tensor names: element-wise ops recurse into both operands, which
// is exponential on residual networks without it.
int static_rank_memo(const Graph& g, const TensorRef& start,
                     std::unordered_map<std::string, int>& memo) {
  const std::string key = start.to_string();
  if (auto it = memo.find(key); it != memo.end()) return it->second;
  memo[key] = -1;  // cycles (loops) resolve to "unknown"
  const int r = [&]() -> int {
    TensorRef t = start;
    for (int depth = 0; depth < 64; ++depth) {
      const Node* n = g.find(t.node);
      if (!n) return -1;
      if (const Shape r = recorded_shape(*n, static_cast<size_t>(std::max(0, t.port)));
          !r.unknown_rank)
        return r.rank();
      if (n->op == "Placeholder") {
        const AttrValue* s = n->find_attr("shape");
        return s && s->is<Shape>() && !s->get<Shape>().unknown_rank ? s->get<Shape>().rank() : -1;
      }
      if (const Tensor* c = const_value(*n)) return c->shape().rank();
      if (n->op == "Reshape" && n->num_data_inputs() == 2) {
        const Node* s = g.find(n->input(1).node);
        const Tensor* v = s ? const_value(*s) : nullptr;
        return v && v->shape().rank() == 1 ? static_cast<int>(v->num_elements()) : -1;
      }
      if (n->op == "MatMul" || n->op == "_FusedMatMul") return 2;
      if (n->op == "Einsum") {  // "abc,cd->abd": one output dim per letter after "->"
        // equation is required (its OpDef declares no default): a node without one has an
        // unknown rank here, not an error (this is a probe).
        const std::string eq = n->attr_string_or("equation", "");
        const size_t arrow = eq.find("->");
        if (arrow == std::string::npos || eq.find("...") != std::string::npos) return -1;
        int letters = 0;
        for (size_t i = arrow + 2; i < eq.size(); ++i)
          letters += std::isalpha(static_cast<unsigned char>(eq[i])) ? 1 : 0;
        return letters;
      }
      const bool v2 = n->op == "GatherV2";
      // Gather (v1) declares no batch_dims (it has none; an explicit attr is still read).
      if ((v2 || n->op == "Gather") && n->num_data_inputs() >= 2 &&
          (v2 ? op_attr_int(*n, "batch_dims") : n->attr_int_or("batch_dims", 0)) == 0) {
        // rank(params) - 1 + rank(indices)
        const int p = static_rank_memo(g, n->input(0), memo),
                  i = static_rank_memo(g, n->input(1), memo);
        return p < 0 || i < 0 ? -1 : p - 1 + i;
      }
      // The op records' traits (ops/registry.h): rank-keeping ops follow input 0, broadcasting
      // ones take the largest rank of their data inputs.
      const OpInfo* info = OpRegistry::global().find(n->op);
      const OpTraits traits = info ? info->traits() : OpTraits{};
      if (traits.same_rank && n->num_data_inputs() >= 1) {
        t = n->input(0);
        continue;
      }
      if (traits.broadcasting && n->num_data_inputs() >= 1) {
        int r = 0;
        for (int i = 0; i < n->num_data_inputs(); ++i) {
          const int ri = static_rank_memo(g, n->input(i), memo);
          if (ri < 0) return -1;
          r = std::max(r, ri);
        }
        return r;
      }
      return -1;
    }
    return -1;
  }();
  memo[key] = r;
  return r;
}

}  // namespace

int static_rank(const Graph& g, const TensorRef& start) {
  std::unordered_map<std::string, int> memo;
  return static_rank_memo(g, start, memo);
}

namespace {
// The shape of the variable behind a ReadVariableOp's handle, where the graph records it: a
// function argument's `_handle_shapes` (tf.function / Keras graphs as TensorFlow hands them to
// the plugin) or VarHandleOp's `shape`; unknown otherwise.
Shape variable_shape(const Graph& g, const Node& read) {
  if (read.num_data_inputs() < 1) return Shape::unknown();
  const Node* h = g.find(read.input(0).node);
  if (!h) return Shape::unknown();
  const AttrValue* a = h->find_attr(h->op == "VarHandleOp" ? "shape" : "_handle_shapes");
  if (!a) return Shape::unknown();
  if (a->is<Shape>()) return a->get<Shape>();
  if (a->is<AttrList>() && a->get<AttrList>().shape.size() == 1) return a->get<AttrList>().shape[0];
  return Shape::unknown();
}

// Each dim known in either shape (inferred first); a rank only `recorded` knows comes from it.
Shape merge_recorded(Shape inferred, const Shape& recorded) {
  if (recorded.unknown_rank) return inferred;
  if (inferred.unknown_rank) return recorded;
  if (inferred.rank() != recorded.rank()) return inferred;
  for (int i = 0; i < inferred.rank(); ++i)
    if (inferred.dims[i] < 0) inferred.dims[i] = recorded.dims[i];
  return inferred;
}
}  // namespace

Shape static_shape(const Graph& g, const TensorRef& t) {
  // The producers t depends on (data edges), then their shapes in topological order.
  std::unordered_set<std::string> need;
  std::vector<std::string> stack{t.node};
  while (!stack.empty()) {
    std::string name = std::move(stack.back());
    stack.pop_back();
    if (!need.insert(name).second) continue;
    if (const Node* n = g.find(name))
      for (int i = 0; i < n->num_data_inputs(); ++i) stack.push_back(n->input(i).node);
  }
  struct Outputs {
    std::vector<DType> dtypes;
    std::vector<Shape> shapes;
    std::vector<std::optional<Tensor>> owned;  // computed constant values
    std::vector<const Tensor*> values;         // constant value per output, or nullptr
  };
  std::unordered_map<std::string, Outputs> outs;
  for (const Node* n : g.topo_order()) {
    if (!need.count(n->name)) continue;
    Outputs& o = outs[n->name];
    if (const Tensor* v = const_value(*n)) {  // weights are not copied
      o.dtypes = {v->dtype()};
      o.shapes = {v->shape()};
      o.values = {v};
      continue;
    }
    ShapeContext c;
    c.node = n;
    c.info = OpRegistry::global().find(n->op);
    for (int i = 0; i < n->num_data_inputs(); ++i) {
      const TensorRef in = n->input(i);
      auto it = outs.find(in.node);
      const size_t port = static_cast<size_t>(std::max(0, in.port));
      const bool known = it != outs.end() && port < it->second.shapes.size();
      c.input_dtypes.push_back(known ? it->second.dtypes[port] : DType::kInvalid);
      c.input_shapes.push_back(known ? it->second.shapes[port] : Shape::unknown());
      c.input_values.push_back(known ? it->second.values[port] : nullptr);
    }
    if (n->op == "ReadVariableOp") {
      o.dtypes = {n->attr_type("dtype")};
      o.shapes = {variable_shape(g, *n)};
      o.values = {nullptr};
      continue;
    }
    try {
      infer_shapes(c);
    } catch (const std::exception&) {
      // Unknown outputs, unless TensorFlow recorded their shapes.
      if (const std::vector<Shape>* recorded = recorded_shapes(*n)) {
        o.shapes = *recorded;
        o.dtypes.assign(recorded->size(), DType::kInvalid);
        o.values.assign(recorded->size(), nullptr);
      }
      continue;
    }
    o.dtypes = std::move(c.output_dtypes);
    o.shapes = std::move(c.output_shapes);
    for (size_t i = 0; i < o.shapes.size(); ++i)
      o.shapes[i] = merge_recorded(std::move(o.shapes[i]), recorded_shape(*n, i));
    o.owned = std::move(c.output_values);
    for (auto& v : o.owned) o.values.push_back(v ? &*v : nullptr);
  }
  auto it = outs.find(t.node);
  if (it == outs.end() || t.port < 0 || static_cast<size_t>(t.port) >= it->second.shapes.size())
    return Shape::unknown();
  return it->second.shapes[static_cast<size_t>(t.port)];
}

std::vector<int64_t> const_axes(const Node& axis_const, int rank) {
  std::vector<int64_t> axes;
  const Tensor* t = const_value(axis_const);
  if (!t || !is_integer(t->dtype())) return axes;
  for (int64_t i = 0; i < t->num_elements(); ++i) {
    int64_t a = static_cast<int64_t>(t->element_as_double(i));
    if (a < 0 && rank >= 0) a += rank;
    axes.push_back(a);
  }
  std::sort(axes.begin(), axes.end());
  return axes;
}

}  // namespace remap

namespace {
// Every rule, built once per process: their patterns are many small allocations, and a host
// such as TensorFlow hands the optimizer many small graphs (tf.data builds several functions per
// iterator), where building them on each call cost more than the rewrite (bench_optimize).
const std::vector<FusionRule>& all_rules() {
  static const std::vector<FusionRule> rules = [] {
    std::vector<FusionRule> v;
    for (auto set :
         {tfjs_rules, activation_rules, norm_rules, contraction_rules, misc_rules, attention_rules})
      for (auto& r : set()) v.push_back(std::move(r));
    return v;
  }();
  return rules;
}
}  // namespace

RemapperResult run_remapper(Graph& g, const RemapperOptions& opts) {
  std::vector<const FusionRule*> rules;
  const RemapPhase phase = opts.post_amp ? RemapPhase::kPostAmp : RemapPhase::kPreAmp;
  for (const FusionRule& r : all_rules()) {
    if (r.phase != phase && r.phase != RemapPhase::kBoth) continue;
    if (opts.tf_compatible && !r.tf_compatible && !opts.aamp_ops) continue;
    if (!opts.tf_compatible && r.only_tf_compatible) continue;
    rules.push_back(&r);
  }
  RemapperResult res;
  res.nodes_before = static_cast<int>(g.size());
  // Consts read by some node now: those that no node reads after the rewrites (weights a fusion
  // folded or replaced, e.g. BatchNorm statistics) are removed at the end.
  std::unordered_set<std::string> read_consts;
  for (const auto& [name, uses] : g.consumer_map())
    if (const Node* n = g.find(name); n && n->op == "Const" && !uses.empty())
      read_consts.insert(name);
  // Fixed point: passes over the nodes in topological order until one changes nothing. After a
  // successful rewrite the same node is tried again (a rewrite can enable another rule on the
  // same nodes), then the pass goes on with the next one; nodes a rewrite added are visited by
  // the next pass. (Restarting the scan from the first node after every rewrite made BERT-base's
  // 146 fusions cost about two seconds.)
  const size_t max_rewrites = 4 * g.size() + 16;
  size_t rewrites = 0;
  bool changed = true;
  while (changed && rewrites < max_rewrites) {
    changed = false;
    // Names, not pointers: a rolled-back rewrite replaces every node of g.
    std::vector<std::string> order;
    for (const Node* n : g.topo_order()) order.push_back(n->name);
    auto matcher = std::make_unique<Matcher>(g, opts.fetch_nodes);
    for (size_t i = 0; i < order.size() && rewrites < max_rewrites; ++i) {
      const std::string& name = order[i];
      bool again = false;
      for (const FusionRule* rp : rules) {
        const FusionRule& rule = *rp;
        const Node* n = g.find(name);
        if (!n) break;
        Match m;
        if (!matcher->match(rule.pattern, *n, &m)) continue;
        Graph backup = g;
        bool ok = false;
        const std::string root = m.root->name;
        try {
          ok = rule.rewrite(g, m, opts);
        } catch (const Error&) {
          ok = false;
        }
        if (ok && opts.tf_compatible && !rule.tf_compatible) {
          // aamp_ops mode: only aamp's own fused ops (the root takes the fused node's place).
          const Node* fused = g.find(root);
          const OpDef* def = fused ? find_signature(*fused) : nullptr;
          ok = def && def->aamp_only;
        }
        if (!ok) {
          g = std::move(backup);
          matcher = std::make_unique<Matcher>(g, opts.fetch_nodes);
          continue;
        }
        ++res.fusions[rule.name];
        ++rewrites;
        changed = true;
        again = true;
        matcher = std::make_unique<Matcher>(g, opts.fetch_nodes);
        break;
      }
      if (again) --i;  // the same node once more
    }
  }
  if (res.total() > 0) {
    const auto uses = g.consumer_map();
    for (const std::string& name : read_consts) {
      auto it = uses.find(name);
      if ((it == uses.end() || it->second.empty()) && !opts.fetch_nodes.count(name) && g.find(name))
        g.remove(name);
    }
  }
  res.nodes_after = static_cast<int>(g.size());
  return res;
}

PassResult RemapperPass::run(Graph& g, const PassContext& ctx) {
  RemapperOptions o;
  o.tf_compatible = tf_compatible_;
  o.post_amp = post_amp_;
  o.aamp_ops = ctx.hooks.aamp_ops;
  o.tf_onednn = ctx.hooks.tf_onednn;
  o.device = ctx.device;
  o.fetch_nodes = ctx.fetch_nodes(g);
  RemapperResult r = run_remapper(g, o);
  if (result_) *result_ = r;
  PassResult pr;
  pr.changed = r.total() > 0;
  pr.summary = "applied " + std::to_string(r.total()) + " fusion(s); nodes " +
               std::to_string(r.nodes_before) + " -> " + std::to_string(r.nodes_after);
  for (const auto& [rule, n] : r.fusions) pr.summary += "; " + rule + " x" + std::to_string(n);
  return pr;
}

}  // namespace aamp
