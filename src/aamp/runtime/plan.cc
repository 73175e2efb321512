#include "aamp/runtime/plan.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "aamp/core/error.h"
#include "aamp/ops/registry.h"
#include "aamp/ops/shape_inference.h"
#include "aamp/runtime/thread_pool.h"

namespace aamp {

namespace {

// Ops whose outputs share their input's memory (no kernel runs): the alias trait of the op
// record (ops/registry.h).
bool is_alias_op(const std::string& op) {
  return OpRegistry::global().has_trait(op, &OpTraits::alias);
}

size_t bytes_of(DType t, const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return static_cast<size_t>(n) * dtype_size(t);
}

// The dtype of output `port` of n from its signature (kInvalid when unknown).
DType output_dtype(const Node& n, int port) {
  ShapeContext c;
  c.node = &n;
  c.info = OpRegistry::global().find(n.op);
  if (!c.info || !c.info->def.has_signature) return DType::kInvalid;
  try {
    prepare_outputs(c);
  } catch (const Error&) {
    return DType::kInvalid;
  }
  return port >= 0 && port < c.num_outputs() ? c.output_dtypes[static_cast<size_t>(port)]
                                             : DType::kInvalid;
}

}  // namespace

std::optional<std::vector<Tensor>> evaluate_node(const Node& n, const std::vector<Tensor>& inputs,
                                                 const std::vector<DType>& out_dtypes,
                                                 const std::vector<Shape>& out_shapes) {
  KernelInit init;
  init.node = &n;
  std::vector<DType> in_types;
  for (const Tensor& t : inputs) {
    if (t.dtype() == DType::kString) return std::nullopt;
    init.inputs.push_back({t.dtype(), t.shape().dims});
    init.const_inputs.push_back(&t);
    in_types.push_back(t.dtype());
  }
  for (size_t i = 0; i < out_dtypes.size(); ++i) {
    if (dtype_size(out_dtypes[i]) == 0) return std::nullopt;
    init.outputs.push_back({out_dtypes[i], out_shapes[i].dims});
  }
  init.device = DeviceKind::kCPU;
  init.threads = 1;
  const KernelRegistration* reg = KernelRegistry::global().lookup(
      n.op, DeviceKind::kCPU, kernel_dtype(n, in_types, out_dtypes), init, true);
  if (!reg) return std::nullopt;
  std::unique_ptr<Kernel> k = reg->factory(init);
  std::vector<Tensor> outs;
  KernelContext ctx;
  ctx.threads = 1;
  for (const Tensor& t : inputs)
    ctx.inputs.push_back({t.dtype(), t.shape().dims, const_cast<uint8_t*>(t.raw()), nullptr});
  for (size_t i = 0; i < out_dtypes.size(); ++i) outs.emplace_back(out_dtypes[i], out_shapes[i]);
  for (Tensor& t : outs)
    ctx.outputs.push_back({t.dtype(), t.shape().dims, t.mutable_raw(), nullptr});
  k->run(ctx);
  return outs;
}

Plan::Plan(const Graph& g, const SessionOptions& o, const std::vector<FeedSpec>& feeds,
           const std::vector<TensorRef>& fetches, void* stream, const PlanScope& scope)
    : opts_(o), feeds_(feeds), arena_(nullptr, std::free), stream_(stream) {
  graph_def_ = &g;
  threads_ = resolve_threads(o.threads);
  if (o.device != DeviceKind::kCPU) {
    dev_ = find_device_runtime(o.device);
    if (!dev_ || !stream_)
      throw Error(ErrorCode::kInternal, std::string("plan for device '") +
                                            device_kind_name(o.device) +
                                            "' without a device runtime or stream");
  }
  static const bool tail_off = [] {
    const char* e = std::getenv("AAMP_CONTINUATION_PLANS");
    return e && std::string(e) == "0";
  }();
  // A continuation node that the dynamic part must read back, or that hands a container's
  // handle across, is blocked (with what it reads in the continuation) and the plan compiled
  // again; after a few tries, without a continuation.
  bool allow_tail = !tail_off && !scope.all_dynamic;
  for (int attempt = 1; !compile(g, fetches, scope, allow_tail); ++attempt) {
    values_.clear();
    steps_.clear();
    fetch_values_.clear();
    fetch_slots_.clear();
    boundary_fetch_.clear();
    dyn_.reset();
    tail_.reset();
    stats_ = PlanStats();
    if (attempt >= 8) allow_tail = false;
  }
  tail_blocked_.clear();
  plan_memory_and_bind();
}

namespace {

// The value ids of `r`'s node; an internal error naming the reader when the plan has none (a
// node it has not compiled).
const std::vector<int>& ids_of(const std::unordered_map<std::string, std::vector<int>>& ids,
                               const TensorRef& r, const std::string& reader) {
  auto it = ids.find(r.node);
  if (it == ids.end())
    throw Error(ErrorCode::kInternal,
                reader + " reads '" + r.to_string() + "', which the plan has not compiled");
  return it->second;
}

}  // namespace

bool Plan::compile(const Graph& g, const std::vector<TensorRef>& fetches, const PlanScope& scope,
                   bool allow_tail) {
  // Feeds by node: (port, feed index); a continuation plan may be fed several outputs of one.
  std::unordered_map<std::string, std::vector<std::pair<int, int>>> feed_idx;
  for (size_t i = 0; i < feeds_.size(); ++i)
    feed_idx[feeds_[i].ref.node].push_back({feeds_[i].ref.port, static_cast<int>(i)});
  const std::vector<Node*> order = g.topo_order();
  // Nodes that must run dynamically whatever the shapes (structure alone), and what depends on
  // them through data or control edges.
  std::unordered_set<const Node*> structural;
  for (const Node* n : order) {
    if (feed_idx.count(n->name)) continue;
    bool dyn = needs_dynamic_execution(*n);
    for (size_t i = 0; i < n->inputs.size() && !dyn; ++i)
      dyn = structural.count(&g.at(TensorRef::parse(n->inputs[i]).node)) != 0;
    if (dyn) structural.insert(n);
  }
  // Nodes the fetches need: data edges, and control edges into nodes that may run dynamically (a
  // conditional branch's constants hang off its pivot); feeds cut the graph, and so does the
  // scope of a continuation plan.
  std::unordered_set<const Node*> needed;
  std::vector<const Node*> stack;
  for (const TensorRef& f : fetches) stack.push_back(&g.at(f.node));
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    const bool fed = feed_idx.count(n->name) != 0;
    if (scope.nodes && !fed && !scope.nodes->count(n)) continue;
    if (!needed.insert(n).second || fed) continue;
    const int nin = structural.count(n) ? static_cast<int>(n->inputs.size()) : n->num_data_inputs();
    for (int i = 0; i < nin; ++i)
      stack.push_back(&g.at(TensorRef::parse(n->inputs[static_cast<size_t>(i)]).node));
  }
  // Loop depths and candidates only where a continuation may form.
  const bool may_tail = allow_tail && !structural.empty();
  const std::unordered_map<const Node*, int> depth =
      may_tail ? loop_depths(g) : std::unordered_map<const Node*, int>{};
  std::unordered_set<const Node*> candidates;
  if (may_tail) candidates = continuation_candidates(g, depth);
  for (const Node* n : tail_blocked_) candidates.erase(n);
  std::unordered_map<std::string, std::vector<int>> ids;
  std::unordered_map<const Node*, int> dyn_idx;
  std::vector<const Node*> dyn_order;
  std::unordered_set<const Node*> tail;  // the continuation
  bool retry = false;                    // a conflict: compile again with tail_blocked_
  // Topological positions: an input from a later node is a loop's back edge (NextIteration).
  std::unordered_map<const Node*, size_t> pos;
  for (size_t i = 0; i < order.size(); ++i) pos[order[i]] = i;
  auto back_edge = [&](const Node* src, const Node* n) { return pos.at(src) > pos.at(n); };
  // Whether n, which reads the continuation, may join it (a loop reading it then runs in the
  // continuation's own executor). What it reads from before the continuation becomes a feed of
  // the continuation's plan: containers' handles and strings cannot be, nor a value inside a
  // loop the executor runs (the loop would be cut in two). A back edge's source comes later in
  // the scan; the loop must then be in the continuation whole (checked after).
  auto joins_tail = [&](const Node* n) {
    for (int i = 0; i < n->num_data_inputs(); ++i) {
      const TensorRef r = n->input(i);
      const Node* src = &g.at(r.node);
      if (tail.count(src) || back_edge(src, n)) continue;
      DType t = DType::kInvalid;
      if (dyn_idx.count(src) && depth.count(src) && depth.at(src) > 0) return false;
      if (dyn_idx.count(src))
        t = output_dtype(*src, r.port);
      else if (auto it = ids.find(r.node); it != ids.end() &&
                                           r.port < static_cast<int>(it->second.size()) &&
                                           it->second[static_cast<size_t>(r.port)] >= 0)
        t = values_[static_cast<size_t>(it->second[static_cast<size_t>(r.port)])].dtype;
      if (t == DType::kResource || t == DType::kVariant || t == DType::kString ||
          t == DType::kInvalid)
        return false;
    }
    return true;
  };
  // Takes t and what it reads in the continuation out of it for the next try.
  auto block = [&](const Node* t) {
    std::vector<const Node*> todo{t};
    while (!todo.empty()) {
      const Node* x = todo.back();
      todo.pop_back();
      if (!tail.count(x) || !tail_blocked_.insert(x).second) continue;
      for (const std::string& in : x->inputs) todo.push_back(&g.at(TensorRef::parse(in).node));
    }
  };
  std::vector<DynamicExecutor::NodeSpec> dyn_nodes;
  std::vector<std::optional<Tensor>> boundary_consts;
  std::unordered_map<int, int> boundary_of;  // value id -> boundary index
  std::vector<int> export_values;            // non-constant boundary values
  for (const Node* n : order) {
    if (!needed.count(n)) continue;
    ++stats_.nodes;
    auto fit = feed_idx.find(n->name);
    if (fit != feed_idx.end()) {
      std::vector<int>& out = ids[n->name];
      for (auto [port, feed] : fit->second) {
        if (port >= static_cast<int>(out.size())) out.resize(static_cast<size_t>(port) + 1, -1);
        out[static_cast<size_t>(port)] = compile_node(*n, {}, feed)->front();
      }
      continue;
    }
    bool dyn = structural.count(n) || scope.all_dynamic;
    bool reads_tail = false, reads_dynamic = false;
    std::vector<int> in_ids;
    for (size_t i = 0; i < n->inputs.size(); ++i) {
      const TensorRef r = TensorRef::parse(n->inputs[i]);
      const Node* src = &g.at(r.node);
      if (tail.count(src)) {
        reads_tail = true;
        continue;
      }
      if (dyn_idx.count(src)) {
        dyn = true;
        reads_dynamic |= !r.is_control();
      }
      if (r.is_control()) continue;
      const auto compiled = ids.find(r.node);
      if (compiled == ids.end()) {  // a dynamic producer (or a loop's back edge)
        dyn = true;
        continue;
      }
      const std::vector<int>& src_ids = compiled->second;
      if (r.port >= static_cast<int>(src_ids.size()))
        throw Error(ErrorCode::kInvalidGraph, n->describe() + " reads '" + r.to_string() +
                                                  "', which has only " +
                                                  std::to_string(src_ids.size()) + " output(s)");
      if (src_ids[static_cast<size_t>(r.port)] < 0)
        throw Error(ErrorCode::kInternal,
                    n->describe() + " reads '" + r.to_string() + "', which the plan is not fed");
      in_ids.push_back(src_ids[static_cast<size_t>(r.port)]);
    }
    if (reads_tail && !joins_tail(n)) {
      // The tail nodes it reads stay before the executor in the next try; the scan goes on (as
      // if n were in the tail) to find every such conflict in this one.
      for (const std::string& in : n->inputs)
        if (const Node* x = &g.at(TensorRef::parse(in).node); tail.count(x)) block(x);
      retry = true;
    }
    if (reads_tail || (dyn && reads_dynamic && candidates.count(n))) {
      tail.insert(n);
      continue;
    }
    if (!dyn) {
      std::optional<std::vector<int>> out = compile_node(*n, in_ids, -1);
      if (out) {
        ids[n->name] = std::move(*out);
        continue;
      }
    }
    dyn_idx[n] = static_cast<int>(dyn_order.size());
    dyn_order.push_back(n);
  }
  // A loop in the continuation whose back edge comes from outside it would be cut in two.
  for (const Node* n : tail)
    for (const std::string& in : n->inputs)
      if (const Node* src = &g.at(TensorRef::parse(in).node);
          back_edge(src, n) && !tail.count(src)) {
        block(n);
        retry = true;
      }
  if (retry) return false;
  // The dynamic nodes' inputs: other dynamic nodes (back edges from NextIteration included) or
  // boundary values. A dynamic node reading the continuation (a loop's back edge from it) cannot
  // run before it: no continuation then.
  for (const Node* n : dyn_order) {
    DynamicExecutor::NodeSpec spec;
    spec.node = n;
    for (size_t i = 0; i < n->inputs.size(); ++i) {
      const TensorRef r = TensorRef::parse(n->inputs[i]);
      if (tail.count(&g.at(r.node))) {
        block(&g.at(r.node));
        return false;
      }
      auto d = dyn_idx.find(&g.at(r.node));
      if (r.is_control()) {
        if (d != dyn_idx.end()) spec.control.push_back(d->second);
        continue;
      }
      DynamicExecutor::Source src;
      if (d != dyn_idx.end()) {
        src.node = d->second;
        src.port = r.port;
      } else {
        const auto& prod = ids_of(ids, r, n->describe());
        if (r.port >= static_cast<int>(prod.size()))
          throw Error(ErrorCode::kInvalidGraph, n->describe() + " reads '" + r.to_string() +
                                                    "', which has only " +
                                                    std::to_string(prod.size()) + " output(s)");
        const int v = prod[static_cast<size_t>(r.port)];
        auto b = boundary_of.find(v);
        if (b == boundary_of.end()) {
          b = boundary_of.emplace(v, static_cast<int>(boundary_consts.size())).first;
          const Value& x = values_[static_cast<size_t>(v)];
          boundary_consts.push_back(x.constant);
          boundary_fetch_.push_back(-1);
          if (!x.constant) {
            boundary_fetch_.back() = static_cast<int>(export_values.size());
            export_values.push_back(v);
          }
        }
        src.boundary = b->second;
      }
      spec.data.push_back(src);
    }
    dyn_nodes.push_back(std::move(spec));
  }
  std::vector<std::pair<int, int>> dyn_fetches;
  std::vector<TensorRef> tail_fetches;
  for (const TensorRef& f : fetches) {
    const Node& fn = g.at(f.node);
    if (tail.count(&fn)) {
      fetch_slots_.push_back({FetchSlot::From::kTail, static_cast<int>(tail_fetches.size())});
      tail_fetches.push_back(f);
      continue;
    }
    if (auto d = dyn_idx.find(&fn); d != dyn_idx.end()) {
      fetch_slots_.push_back({FetchSlot::From::kDynamic, static_cast<int>(dyn_fetches.size())});
      dyn_fetches.push_back({d->second, f.port});
      continue;
    }
    const auto& src = ids_of(ids, f, "fetch");
    if (f.port >= static_cast<int>(src.size()))
      throw Error(ErrorCode::kInvalidArgument, "fetch '" + f.to_string() + "': " + fn.describe() +
                                                   " has " + std::to_string(src.size()) +
                                                   " output(s)");
    fetch_slots_.push_back({FetchSlot::From::kStatic, static_cast<int>(fetch_values_.size())});
    fetch_values_.push_back(src[static_cast<size_t>(f.port)]);
  }
  n_static_fetches_ = fetch_values_.size();
  // The boundary values the executor reads follow the static fetches.
  for (int& b : boundary_fetch_)
    if (b >= 0) b += static_cast<int>(fetch_values_.size());
  fetch_values_.insert(fetch_values_.end(), export_values.begin(), export_values.end());
  if (!tail.empty())
    make_tail(g, std::move(tail), std::move(tail_fetches), ids, dyn_idx, dyn_fetches);
  for (int v : fetch_values_) materialize(v);
  if (!dyn_nodes.empty()) {
    stats_.dynamic_nodes = static_cast<int>(dyn_nodes.size());
    dyn_ = std::make_unique<DynamicExecutor>(std::move(dyn_nodes), std::move(boundary_consts),
                                             std::move(dyn_fetches), opts_, threads_);
  }
  return true;
}

Plan::~Plan() {
  // Work still queued on the stream may use this plan's memory.
  if (dev_) {
    try {
      dev_->synchronize(stream_);
    } catch (const std::exception&) {  // already reported by the run that failed
    }
    dev_->destroy_graph(graph_);
    for (void* e : events_) dev_->destroy_event(e);
  }
}

std::optional<std::vector<int>> Plan::compile_node(const Node& n, const std::vector<int>& in,
                                                   int feed) {
  auto add_value = [&](DType t, std::vector<int64_t> shape) {
    Value v;
    v.dtype = t;
    v.bytes = bytes_of(t, shape);
    v.shape = std::move(shape);
    values_.push_back(std::move(v));
    return static_cast<int>(values_.size()) - 1;
  };
  if (feed >= 0) {
    const FeedSpec& f = feeds_[static_cast<size_t>(feed)];
    const int id = add_value(f.dtype, f.shape);
    if (f.constant)
      values_[static_cast<size_t>(id)].constant = *f.constant;
    else
      values_[static_cast<size_t>(id)].feed = feed;
    return std::vector<int>{id};
  }
  if (n.op == "Placeholder")
    throw Error(ErrorCode::kInvalidArgument, "missing feed for placeholder '" + n.name + "'");
  ShapeContext c;
  c.node = &n;
  c.info = OpRegistry::global().find(n.op);
  bool all_const = !in.empty();
  for (int v : in) {
    const Value& x = values_[static_cast<size_t>(v)];
    c.input_dtypes.push_back(x.dtype);
    c.input_shapes.push_back(Shape(x.shape));
    c.input_values.push_back(x.constant ? &*x.constant : nullptr);
    all_const &= x.constant.has_value();
  }
  try {
    infer_shapes(c);
  } catch (const Error& e) {
    // A shape function that needs the value of an input computed at run time (the op itself has
    // a shape function: Session checked that).
    if (e.code() == ErrorCode::kUnimplemented) return std::nullopt;
    rethrow_for_node(n, e);
  } catch (const std::exception& e) {
    rethrow_for_node(n, e);
  }
  std::vector<int> out;
  const bool all_out_const =
      c.num_outputs() > 0 && std::all_of(c.output_values.begin(), c.output_values.end(),
                                         [](const auto& v) { return v.has_value(); });
  if (all_out_const) {
    for (auto& v : c.output_values) {
      const int id = add_value(v->dtype(), v->shape().dims);
      values_[static_cast<size_t>(id)].constant = std::move(*v);
      out.push_back(id);
    }
    ++stats_.folded;
    return out;
  }
  for (const Shape& s : c.output_shapes)
    if (!s.is_fully_defined()) return std::nullopt;
  if (c.num_outputs() == 0) return std::vector<int>{};  // NoOp and the like: nothing to run
  const bool stateful = c.info && c.info->def.is_stateful;
  if (all_const && !stateful) {
    std::vector<Tensor> ins;
    for (int v : in) ins.push_back(*values_[static_cast<size_t>(v)].constant);
    std::optional<std::vector<Tensor>> r;
    try {
      r = evaluate_node(n, ins, c.output_dtypes, c.output_shapes);
    } catch (const std::exception& e) {
      rethrow_for_node(n, e);
    }
    if (r) {
      for (Tensor& t : *r) {
        const int id = add_value(t.dtype(), t.shape().dims);
        values_[static_cast<size_t>(id)].constant = std::move(t);
        out.push_back(id);
      }
      ++stats_.folded;
      return out;
    }
  }
  if (n.op == "Cast" && in.size() == 1 && c.num_outputs() == 1 &&
      may_defer_cast(n, in[0], c.output_dtypes[0])) {
    const int id = add_value(c.output_dtypes[0], c.output_shapes[0].dims);
    values_[static_cast<size_t>(id)].deferred_cast = &n;
    values_[static_cast<size_t>(id)].cast_source = in[0];
    return std::vector<int>{id};
  }
  // Readers that cannot fold a deferred Cast: the first input of a 2-D MatMul may (the kernel
  // says), anything else makes it a step.
  std::vector<int> in_ids = in;
  std::vector<DType> cast_from;
  for (size_t k = 0; k < in_ids.size(); ++k) {
    const Value& x = values_[static_cast<size_t>(in_ids[k])];
    if (!x.deferred_cast) continue;
    if (k == 0 && (n.op == "MatMul" || n.op == "_FusedMatMul") && !is_alias_op(n.op)) {
      cast_from.assign(in_ids.size(), DType::kInvalid);
      cast_from[0] = values_[static_cast<size_t>(x.cast_source)].dtype;
    } else {
      materialize(in_ids[k]);
    }
  }
  if (is_alias_op(n.op) && !in.empty()) {
    for (int i = 0; i < c.num_outputs(); ++i) {
      const int src = in[static_cast<size_t>(i)];  // the alias trait: output i is input i
      const int id = add_value(c.output_dtypes[static_cast<size_t>(i)],
                               c.output_shapes[static_cast<size_t>(i)].dims);
      values_[static_cast<size_t>(id)].alias_of = src;
      if (values_[static_cast<size_t>(src)].bytes != values_[static_cast<size_t>(id)].bytes)
        throw Error(ErrorCode::kInvalidGraph, n.describe() + ": output size differs from input");
      out.push_back(id);
    }
    ++stats_.aliases;
    return out;
  }
  KernelInit init;
  init.node = &n;
  init.device = opts_.device;
  init.threads = threads_;
  init.stream = stream_;
  for (int v : in) {
    const Value& x = values_[static_cast<size_t>(v)];
    init.inputs.push_back({x.dtype, x.shape});
    init.const_inputs.push_back(x.constant ? &*x.constant : nullptr);
  }
  for (int i = 0; i < c.num_outputs(); ++i)
    init.outputs.push_back(
        {c.output_dtypes[static_cast<size_t>(i)], c.output_shapes[static_cast<size_t>(i)].dims});
  // On a device, a node without a kernel there (shape arithmetic left after folding, say) runs
  // on the host in the dynamic executor, and what reads it with it, when the host has a kernel.
  if (dev_) {
    const DType kt = kernel_dtype(n, c.input_dtypes, c.output_dtypes);
    KernelInit host = init;
    host.device = DeviceKind::kCPU;
    host.stream = nullptr;
    if (!KernelRegistry::global().lookup(n.op, opts_.device, kt, init,
                                         opts_.reference_kernels_only) &&
        KernelRegistry::global().lookup(n.op, DeviceKind::kCPU, kt, host,
                                        opts_.reference_kernels_only))
      return std::nullopt;
  }
  if (!cast_from.empty()) {
    KernelInit folded = init;
    folded.cast_from = cast_from;
    const KernelRegistration* reg = KernelRegistry::global().lookup(
        n.op, opts_.device, kernel_dtype(n, c.input_dtypes, c.output_dtypes), folded,
        opts_.reference_kernels_only);
    if (reg) {
      init = folded;
      in_ids[0] = values_[static_cast<size_t>(in_ids[0])].cast_source;
      ++stats_.folded_casts;
    } else {
      materialize(in_ids[0]);
    }
  }
  Step s;
  s.node = &n;
  s.kernel = create_kernel(n, init, opts_.device, opts_.reference_kernels_only, &s.kernel_name);
  s.inputs = in_ids;
  const int step = static_cast<int>(steps_.size());
  for (int i = 0; i < c.num_outputs(); ++i) {
    const int id = add_value(c.output_dtypes[static_cast<size_t>(i)],
                             c.output_shapes[static_cast<size_t>(i)].dims);
    values_[static_cast<size_t>(id)].producer = step;
    s.outputs.push_back(id);
    out.push_back(id);
  }
  push_step(std::move(s));
  return out;
}

void Plan::push_step(Step s) {
  const int step = static_cast<int>(steps_.size());
  if (const size_t b = s.kernel->scratch_bytes(); b > 0) {  // a value live at this step only
    Value v;
    v.dtype = DType::kUInt8;
    v.shape = {static_cast<int64_t>(b)};
    v.bytes = b;
    v.producer = step;
    values_.push_back(std::move(v));
    s.scratch = static_cast<int>(values_.size()) - 1;
  }
  stats_.kernels[s.kernel_name]++;
  steps_.push_back(std::move(s));
}

bool Plan::may_defer_cast(const Node& n, int src, DType to) const {
  static const bool env_off = [] {
    const char* e = std::getenv("AAMP_FOLD_INPUT_CASTS");
    return e && std::string(e) == "0";
  }();
  const Value& x = values_[static_cast<size_t>(src)];
  return opts_.fold_input_casts && !env_off && !dev_ && x.feed >= 0 && x.dtype == DType::kFloat &&
         (to == DType::kBFloat16 || to == DType::kHalf) && !n.attr_bool_or("Truncate", false);
}

void Plan::materialize(int v) {
  Value& x = values_[static_cast<size_t>(v)];
  if (!x.deferred_cast) return;
  const Node& n = *x.deferred_cast;
  const Value& src = values_[static_cast<size_t>(x.cast_source)];
  KernelInit init;
  init.node = &n;
  init.device = opts_.device;
  init.threads = threads_;
  init.stream = stream_;
  init.inputs.push_back({src.dtype, src.shape});
  init.const_inputs.push_back(nullptr);
  init.outputs.push_back({x.dtype, x.shape});
  Step s;
  s.node = &n;
  s.kernel = create_kernel(n, init, opts_.device, opts_.reference_kernels_only, &s.kernel_name);
  s.inputs = {x.cast_source};
  s.outputs = {v};
  x.producer = static_cast<int>(steps_.size());
  x.deferred_cast = nullptr;
  push_step(std::move(s));  // may add a value: x is not used after it
}

void Plan::run_steps() {
  // Profiling on a device: an event after every step (and one before the first), read once the
  // run has synchronized, times each step's device work without synchronizing between steps.
  const bool dev_timing = dev_ && opts_.profile;
  if (dev_timing) {
    while (events_.size() < steps_.size() + 1) events_.push_back(dev_->create_event());
    dev_->record_event(events_[0], stream_);
  }
  for (size_t i = 0; i < steps_.size(); ++i) {
    Step& s = steps_[i];
    const auto t0 = std::chrono::steady_clock::now();
    try {
      s.kernel->run(s.ctx);
      if (dev_timing) dev_->record_event(events_[i + 1], stream_);
    } catch (const std::exception& e) {
      rethrow_for_node(*s.node, e);
    }
    // A plan's first run is not profiled: it pays one-time costs (lazily loaded device code,
    // first touches of memory) that no later run sees.
    if (opts_.profile && runs_ > 0) {
      if (!dev_timing)
        s.total_ms +=
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
      ++s.calls;
    }
  }
  timed_run_ = dev_timing && runs_ > 0;
}

std::vector<Tensor> Plan::run(const std::vector<const Tensor*>& feeds, bool feeds_resident,
                              std::vector<ResidentTensor>* resident) {
  std::vector<Tensor> result = run_and_fetch(feeds, feeds_resident, resident != nullptr && dev_);
  if (!resident) return result;
  // Views: the device copies of what the steps computed, else the host tensors (kept alive).
  resident->clear();
  resident_kept_ = result;
  for (size_t i = 0; i < fetch_slots_.size(); ++i) {
    const FetchSlot& f = fetch_slots_[i];
    const size_t k = static_cast<size_t>(f.index);
    if (dev_ && f.from == FetchSlot::From::kStatic && left_on_device(k)) {
      const int v = fetch_values_[k];
      const Value& x = values_[static_cast<size_t>(v)];
      resident->push_back({x.dtype, Shape(x.shape), value_ptr(v, nullptr), true});
    } else {
      const Tensor& t = resident_kept_[i];
      resident->push_back({t.dtype(), t.shape(), t.raw(), false});
    }
  }
  return result;
}

bool Plan::left_on_device(size_t k) const {
  return k < n_static_fetches_ && k < staging_offset_.size() && staging_offset_[k] >= 0;
}

std::vector<Tensor> Plan::run_and_fetch(const std::vector<const Tensor*>& feeds,
                                        bool feeds_resident, bool leave_on_device) {
  if (dev_) {  // feeds into device memory; kernels read them there
    if ((!feeds_resident || !feeds_uploaded_) && !steps_.empty()) {
      for (size_t v = 0; v < values_.size(); ++v) {
        const Value& x = values_[v];
        if (x.feed >= 0 && x.bytes)
          dev_->copy_to_device(dev_feeds_->get() + dev_offset_[v],
                               feeds[static_cast<size_t>(x.feed)]->raw(), x.bytes, stream_);
      }
      feeds_uploaded_ = true;
    }
  } else {  // kernels read the feeds in place
    for (const FeedPatch& p : feed_patches_)
      steps_[static_cast<size_t>(p.step)].ctx.inputs[static_cast<size_t>(p.input)].data =
          const_cast<uint8_t*>(feeds[static_cast<size_t>(p.feed)]->raw());
  }
  if (!replay_graph()) run_steps();
  ++runs_;
  // Constants and feeds are fetched from host memory; on a device the rest from its arena.
  // Device fetches go through one page-locked staging buffer (a DMA copy, then a host copy):
  // copies straight into pageable memory are several times slower.
  std::vector<Tensor> out;
  for (size_t k = 0; k < fetch_values_.size(); ++k) {
    const int v = fetch_values_[k];
    const Value& x = values_[static_cast<size_t>(v)];
    if (x.feed >= 0) {  // the feed itself (a continuation plan in its executor: any shape)
      out.push_back(*feeds[static_cast<size_t>(x.feed)]);
      continue;
    }
    if (leave_on_device && left_on_device(k)) {  // run_resident(): stays in device memory
      out.emplace_back();
      continue;
    }
    out.emplace_back(x.dtype, Shape(x.shape));
    if (dev_ && staging_offset_[k] >= 0) {
      const int down = narrow_src_[k] >= 0 ? narrow_src_[k] : v;
      dev_->copy_to_host(staging_.get() + staging_offset_[k], value_ptr(down, nullptr),
                         values_[static_cast<size_t>(down)].bytes, stream_);
    } else if (x.bytes)
      std::memcpy(out.back().mutable_raw(), value_ptr(v, &feeds), x.bytes);
  }
  if (dev_) {
    dev_->synchronize(stream_);
    // Large fetches (BERT's 12.6 MB of hidden states) copy out on several threads.
    for (size_t k = 0; k < fetch_values_.size(); ++k) {
      if (staging_offset_[k] < 0 || (leave_on_device && left_on_device(k))) continue;
      uint8_t* dst = out[k].mutable_raw();
      const uint8_t* src = staging_.get() + staging_offset_[k];
      if (narrow_src_[k] >= 0) {  // widened from the 16-bit value downloaded
        const DType from = values_[static_cast<size_t>(narrow_src_[k])].dtype;
        float* f = reinterpret_cast<float*>(dst);
        const auto* h = reinterpret_cast<const uint16_t*>(src);
        parallel_for(out[k].num_elements(), int64_t{1} << 18, threads_,
                     [&](int64_t b, int64_t e) { widen_to_float(from, h + b, f + b, e - b); });
        continue;
      }
      parallel_for(static_cast<int64_t>(values_[static_cast<size_t>(fetch_values_[k])].bytes),
                   int64_t{1} << 20, threads_, [&](int64_t b, int64_t e) {
                     std::memcpy(dst + b, src + b, static_cast<size_t>(e - b));
                   });
    }
    if (timed_run_) {
      for (size_t i = 0; i < steps_.size(); ++i)
        steps_[i].total_ms += dev_->elapsed_ms(events_[i], events_[i + 1]);
      timed_run_ = false;
    }
    for (Step& s : steps_) {
      try {
        s.kernel->check_after_sync();
      } catch (const std::exception& e) {
        rethrow_for_node(*s.node, e);
      }
    }
  }
  if (opts_.profile) {
    stats_.profile.clear();
    for (const Step& s : steps_)
      stats_.profile.push_back({s.node->name, s.node->op, s.kernel_name, s.total_ms, s.calls});
  }
  if (!dyn_) return out;
  std::vector<Tensor> boundary(boundary_fetch_.size());
  for (size_t b = 0; b < boundary_fetch_.size(); ++b)
    if (boundary_fetch_[b] >= 0) boundary[b] = out[static_cast<size_t>(boundary_fetch_[b])];
  std::vector<Tensor> dyn_out = dyn_->run(boundary);
  stats_.dynamic_executions = dyn_->last_executions();
  stats_.dynamic_bytes = dyn_->buffer_bytes();
  if (opts_.profile)
    for (NodeProfile& p : dyn_->profile()) stats_.profile.push_back(std::move(p));
  std::vector<Tensor> tail_out;
  if (tail_) tail_out = run_tail(out, dyn_out);
  std::vector<Tensor> result;
  result.reserve(fetch_slots_.size());
  for (const FetchSlot& f : fetch_slots_) {
    const size_t i = static_cast<size_t>(f.index);
    switch (f.from) {
      case FetchSlot::From::kStatic:
        result.push_back(out[i]);
        break;
      case FetchSlot::From::kDynamic:
        result.push_back(std::move(dyn_out[i]));
        break;
      case FetchSlot::From::kTail:
        result.push_back(std::move(tail_out[i]));
        break;
    }
  }
  return result;
}

}  // namespace aamp
