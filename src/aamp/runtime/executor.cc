#include "aamp/runtime/executor.h"

#include <chrono>
#include <deque>
#include <functional>
#include <tuple>

#include "aamp/core/error.h"
#include "aamp/ops/registry.h"
#include "aamp/ops/shape_inference.h"

namespace aamp {

namespace {

// Integer inputs up to this many elements are passed to kernels as constants (and key the kernel
// cache by value): axes, permutations, sizes and indices computed at run time.
constexpr int64_t kSmallIntElements = 16;
// Kernels cached per node before the cache is cleared (a node fed ever new shapes).
constexpr size_t kMaxCachedKernels = 32;
// Output buffers of at least this many bytes are recycled from run to run.
constexpr size_t kPooledBytes = 4096;

bool is_small_int(const Tensor& t) {
  return (t.dtype() == DType::kInt32 || t.dtype() == DType::kInt64) &&
         t.num_elements() <= kSmallIntElements;
}

// Views of inputs, and of outputs just made for this kernel: never copy-on-write (a recycled
// buffer is also held by the executor's pool, which would make mutable_raw() copy it).
TensorView view_of(Tensor& t) {
  TensorView v;
  v.dtype = t.dtype();
  v.shape = t.shape().dims;
  v.data = const_cast<uint8_t*>(t.raw());
  if (t.dtype() == DType::kString) v.strings = &t.mutable_strings();
  if (t.dtype() == DType::kVariant || t.dtype() == DType::kResource) v.object = &t.mutable_object();
  return v;
}

}  // namespace

bool needs_dynamic_execution(const Node& n) {
  const OpInfo* info = OpRegistry::global().find(n.op);
  if (info) {
    const OpTraits& t = info->traits();
    if (t.control_flow || t.value_dependent_shape) return true;
    for (const auto* args : {&info->def.inputs, &info->def.outputs})
      for (const ArgDef& a : *args)
        if (a.type == DType::kResource || a.type == DType::kVariant) return true;
  }
  for (const auto& [k, v] : n.attrs)
    if (v.is<DType>() && (v.get<DType>() == DType::kResource || v.get<DType>() == DType::kVariant))
      return true;
  return false;
}

std::unordered_map<const Node*, int> loop_depths(const Graph& g) {
  std::unordered_map<const Node*, int> depth;
  for (const Node* n : g.topo_order()) {
    int d = 0;
    const bool merge = n->op == "Merge" || n->op == "RefMerge";
    for (size_t i = 0; i < n->inputs.size(); ++i) {
      const Node* src = g.find(TensorRef::parse(n->inputs[i]).node);
      if (!src || (merge && (src->op == "NextIteration" || src->op == "RefNextIteration")))
        continue;
      auto it = depth.find(src);
      if (it != depth.end()) d = std::max(d, it->second);
    }
    if (n->op == "Enter" || n->op == "RefEnter") ++d;
    if ((n->op == "Exit" || n->op == "RefExit") && d > 0) --d;
    depth[n] = d;
  }
  return depth;
}

struct DynamicExecutor::Value {
  Tensor t;
  bool dead = false;
  // Dead because a Switch did not take this branch (an Exit drops such tokens: the loop goes on),
  // not because the whole region is dead.
  bool untaken = false;
};

struct DynamicExecutor::Frame {
  std::string name;
  Frame* parent = nullptr;
  int64_t parent_iter = 0;
  int64_t iterations = 1;  // iterations started: 0 .. iterations - 1
  // Values of Enter nodes with is_constant: every iteration of the frame sees them.
  std::vector<std::pair<int, Value>> const_enters;
  std::map<std::pair<int64_t, std::string>, Frame*> children;
};

struct DynamicExecutor::Instance {
  std::vector<Tensor> inputs;
  int remaining = 0;  // other nodes: data and control inputs yet to arrive
  bool dead = false;
  bool untaken = false;  // a dead input was an untaken branch
  // Merge.
  int controls_remaining = 0;
  int expected = 0;  // data inputs that arrive in this iteration
  int dead_data = 0;
  int live_index = -1;
  bool fired = false;  // queued to run
  bool done = false;   // ran; kept until every input it expects has arrived
};

struct DynamicExecutor::Run {
  struct Key {
    int node;
    Frame* frame;
    int64_t iter;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      size_t h = std::hash<const void*>()(k.frame);
      h ^= std::hash<int64_t>()(k.iter) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
      h ^= std::hash<int>()(k.node) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
      return h;
    }
  };
  std::vector<std::unique_ptr<Frame>> frames;
  Frame* root = nullptr;
  std::unordered_map<Key, Instance, KeyHash> pending;
  std::deque<Key> ready;
  const std::vector<Tensor>* boundary = nullptr;
  std::vector<std::optional<Value>> fetched;
  int64_t executions = 0;
};

DynamicExecutor::DynamicExecutor(std::vector<NodeSpec> nodes,
                                 std::vector<std::optional<Tensor>> boundary_constants,
                                 std::vector<std::pair<int, int>> fetches,
                                 const SessionOptions& opts, int threads)
    : boundary_constants_(std::move(boundary_constants)),
      fetches_(std::move(fetches)),
      opts_(opts),
      threads_(threads) {
  nodes_.resize(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    NodeInfo& ni = nodes_[i];
    ni.spec = std::move(nodes[i]);
    const Node& n = *ni.spec.node;
    const OpInfo* info = OpRegistry::global().find(n.op);
    ShapeContext c;
    c.node = &n;
    c.info = info;
    prepare_outputs(c);
    ni.num_outputs = c.num_outputs();
    if (n.op == "Merge") ni.num_outputs = 2;
    ni.consumers.resize(static_cast<size_t>(ni.num_outputs));
    ni.is_const = n.op == "Const";
    if (ni.is_const) ni.const_value = n.attr_tensor("value");
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    NodeInfo& ni = nodes_[i];
    for (size_t k = 0; k < ni.spec.data.size(); ++k) {
      const Source& s = ni.spec.data[k];
      if (s.node < 0) continue;
      NodeInfo& src = nodes_[static_cast<size_t>(s.node)];
      if (s.port >= src.num_outputs)
        throw Error(ErrorCode::kInvalidGraph, ni.spec.node->describe() + " reads output " +
                                                  std::to_string(s.port) + " of " +
                                                  src.spec.node->describe() + ", which has " +
                                                  std::to_string(src.num_outputs));
      src.consumers[static_cast<size_t>(s.port)].push_back(
          {static_cast<int>(i), static_cast<int>(k)});
      ++ni.dynamic_data_inputs;
      if (src.spec.node->op == "NextIteration")
        ++ni.back_merge_inputs;
      else
        ++ni.forward_merge_inputs;
    }
    for (int c : ni.spec.control)
      nodes_[static_cast<size_t>(c)].control_consumers.push_back(static_cast<int>(i));
    if (ni.dynamic_data_inputs == 0 && ni.spec.control.empty())
      roots_.push_back(static_cast<int>(i));
  }
}

DynamicExecutor::~DynamicExecutor() = default;

std::shared_ptr<std::vector<uint8_t>> DynamicExecutor::buffer(size_t bytes) {
  auto [lo, hi] = pool_.equal_range(bytes);
  for (auto it = lo; it != hi; ++it)
    if (it->second.bytes.use_count() == 1) {
      it->second.last_run = runs_;
      return it->second.bytes;
    }
  auto b = std::make_shared<std::vector<uint8_t>>(bytes);
  if (bytes >= kPooledBytes) pool_.emplace(bytes, Pooled{b, runs_});
  return b;
}

size_t DynamicExecutor::buffer_bytes() const {
  size_t n = 0;
  for (const auto& [bytes, p] : pool_) n += bytes;
  return n;
}

void DynamicExecutor::trim_pool() {
  for (auto it = pool_.begin(); it != pool_.end();)
    it = runs_ - it->second.last_run > 2 ? pool_.erase(it) : std::next(it);
}

std::vector<NodeProfile> DynamicExecutor::profile() const {
  std::vector<NodeProfile> v;
  for (const NodeInfo& ni : nodes_) {
    std::string kernel = "dynamic";
    if (!ni.kernels.empty()) kernel = ni.kernels.begin()->second.name + " (dynamic)";
    v.push_back({ni.spec.node->name, ni.spec.node->op, kernel, ni.total_ms, ni.calls});
  }
  return v;
}

DynamicExecutor::Instance& DynamicExecutor::instance(Run& r, int idx, Frame* f, int64_t iter) {
  auto [it, inserted] = r.pending.try_emplace(Run::Key{idx, f, iter});
  Instance& in = it->second;
  if (!inserted) return in;
  const NodeInfo& ni = nodes_[static_cast<size_t>(idx)];
  in.inputs.resize(ni.spec.data.size());
  const bool merge = ni.spec.node->op == "Merge";
  for (size_t k = 0; k < ni.spec.data.size(); ++k) {
    const Source& s = ni.spec.data[k];
    if (s.node >= 0) continue;
    const auto& c = boundary_constants_[static_cast<size_t>(s.boundary)];
    in.inputs[k] = c ? *c : (*r.boundary)[static_cast<size_t>(s.boundary)];
    if (merge && in.live_index < 0) in.live_index = static_cast<int>(k);
  }
  if (merge) {
    in.controls_remaining = static_cast<int>(ni.spec.control.size());
    in.expected = iter == 0 ? ni.forward_merge_inputs : ni.back_merge_inputs;
  } else {
    in.remaining = ni.dynamic_data_inputs + static_cast<int>(ni.spec.control.size());
  }
  return in;
}

void DynamicExecutor::deliver(Run& r, int idx, int slot, Frame* f, int64_t iter, const Value& v) {
  Instance& in = instance(r, idx, f, iter);
  const bool merge = nodes_[static_cast<size_t>(idx)].spec.node->op == "Merge";
  if (merge) {
    if (slot < 0) {
      --in.controls_remaining;
      if (v.dead) in.dead = true;
    } else if (v.dead) {
      ++in.dead_data;
    } else if (in.live_index < 0) {
      in.live_index = slot;
      in.inputs[static_cast<size_t>(slot)] = v.t;
    } else {
      ++in.dead_data;  // a second live input: the first one won (counted as arrived)
    }
    const int arrived = in.dead_data + (in.live_index >= 0 ? 1 : 0);
    if (!in.fired && in.controls_remaining == 0 && (in.live_index >= 0 || arrived >= in.expected)) {
      in.fired = true;
      r.ready.push_back({idx, f, iter});
    } else if (in.done && arrived >= in.expected && in.controls_remaining == 0) {
      r.pending.erase(Run::Key{idx, f, iter});
    }
    return;
  }
  if (slot >= 0) in.inputs[static_cast<size_t>(slot)] = v.t;
  if (v.dead) {
    in.dead = true;
    if (v.untaken) in.untaken = true;
  }
  if (--in.remaining == 0) r.ready.push_back({idx, f, iter});
}

void DynamicExecutor::start_iteration(Run& r, Frame* f, int64_t iter) {
  if (iter < f->iterations) return;
  f->iterations = iter + 1;
  for (const auto& [enter, v] : f->const_enters)
    for (const auto& [c, slot] : nodes_[static_cast<size_t>(enter)].consumers[0])
      deliver(r, c, slot, f, iter, v);
}

void DynamicExecutor::emit(Run& r, int idx, Frame* f, int64_t iter, std::vector<Value> outs) {
  const NodeInfo& ni = nodes_[static_cast<size_t>(idx)];
  bool any_dead = false;
  for (size_t p = 0; p < outs.size() && p < ni.consumers.size(); ++p) {
    any_dead |= outs[p].dead;
    for (const auto& [c, slot] : ni.consumers[p]) deliver(r, c, slot, f, iter, outs[p]);
  }
  if (ni.num_outputs == 0) any_dead = false;
  for (int c : ni.control_consumers) {
    Value sig;
    sig.dead = any_dead;
    deliver(r, c, -1, f, iter, sig);
  }
  if (f == r.root)
    for (size_t k = 0; k < fetches_.size(); ++k)
      if (fetches_[k].first == idx && fetches_[k].second < static_cast<int>(outs.size()))
        r.fetched[k] = outs[static_cast<size_t>(fetches_[k].second)];
}

std::vector<Tensor> DynamicExecutor::compute(int idx, std::vector<Tensor>& inputs, const Run& r) {
  (void)r;
  NodeInfo& ni = nodes_[static_cast<size_t>(idx)];
  const Node& n = *ni.spec.node;
  if (ni.is_const) return {*ni.const_value};
  ShapeContext c;
  c.node = &n;
  c.info = OpRegistry::global().find(n.op);
  for (const Tensor& t : inputs) {
    c.input_dtypes.push_back(t.dtype());
    c.input_shapes.push_back(t.shape());
    c.input_values.push_back(&t);
  }
  infer_shapes(c);
  const int nout = c.num_outputs();
  if (nout == 0) return {};  // NoOp and the like: only their control signal matters
  if (std::all_of(c.output_values.begin(), c.output_values.end(),
                  [](const auto& v) { return v.has_value(); })) {
    std::vector<Tensor> out;
    for (auto& v : c.output_values) out.push_back(std::move(*v));
    return out;
  }
  if (c.info && c.info->traits().alias && !inputs.empty()) {
    std::vector<Tensor> out;
    for (int i = 0; i < nout; ++i) {
      const Shape& s = c.output_shapes[static_cast<size_t>(i)];
      if (!s.is_fully_defined())
        throw Error(ErrorCode::kInvalidGraph, "cannot infer the shape of output " +
                                                  std::to_string(i) + " (got " + s.to_string() +
                                                  ")");
      out.push_back(inputs[static_cast<size_t>(i)].reshaped(s));
    }
    return out;
  }
  const bool sized_at_run_time = c.info && c.info->traits().value_dependent_shape;
  for (int i = 0; i < nout; ++i)
    if (!sized_at_run_time && !c.output_shapes[static_cast<size_t>(i)].is_fully_defined())
      throw Error(ErrorCode::kInvalidGraph,
                  "cannot infer the shape of output " + std::to_string(i) + " (got " +
                      c.output_shapes[static_cast<size_t>(i)].to_string() + ")");
  // The kernel for this signature: input dtypes and shapes, the values of inputs passed as
  // constants, output shapes.
  std::string key;
  std::vector<bool> as_const(inputs.size(), false);
  for (size_t k = 0; k < inputs.size(); ++k) {
    const Tensor& t = inputs[k];
    key += dtype_name(t.dtype()) + t.shape().to_string();
    const Source& s = ni.spec.data[k];
    if (s.node < 0 && boundary_constants_[static_cast<size_t>(s.boundary)]) {
      as_const[k] = true;
      key += "c";
    } else if (is_small_int(t)) {
      as_const[k] = true;
      key += "=";
      for (int64_t e = 0; e < t.num_elements(); ++e)
        key += std::to_string(static_cast<int64_t>(t.element_as_double(e))) + ",";
    }
    key += ";";
  }
  key += "->";
  for (const Shape& s : c.output_shapes) key += s.to_string();
  auto it = ni.kernels.find(key);
  if (it == ni.kernels.end()) {
    if (ni.kernels.size() >= kMaxCachedKernels) ni.kernels.clear();
    KernelInit init;
    init.node = &n;
    init.device = DeviceKind::kCPU;
    init.threads = threads_;
    for (size_t k = 0; k < inputs.size(); ++k) {
      init.inputs.push_back({inputs[k].dtype(), inputs[k].shape().dims});
      init.const_inputs.push_back(as_const[k] ? &inputs[k] : nullptr);
    }
    for (int i = 0; i < nout; ++i) {
      const Shape& s = c.output_shapes[static_cast<size_t>(i)];
      std::vector<int64_t> dims = s.unknown_rank ? std::vector<int64_t>{} : s.dims;
      init.outputs.push_back({c.output_dtypes[static_cast<size_t>(i)], dims});
    }
    std::string name;
    std::unique_ptr<Kernel> k =
        create_kernel(n, init, DeviceKind::kCPU, opts_.reference_kernels_only, &name);
    it = ni.kernels.emplace(key, CachedKernel{std::move(k), name}).first;
  }
  // Plain dtypes take recycled buffers; strings and containers' handles are made afresh.
  auto new_tensor = [&](DType t, const Shape& s) {
    if (t == DType::kString || dtype_size(t) == 0) return Tensor(t, s);
    return Tensor::over(t, s, buffer(static_cast<size_t>(s.num_elements()) * dtype_size(t)));
  };
  std::vector<Tensor> out(static_cast<size_t>(nout));
  KernelContext ctx;
  ctx.threads = threads_;
  for (Tensor& t : inputs) ctx.inputs.push_back(view_of(t));
  ctx.outputs.resize(static_cast<size_t>(nout));
  std::vector<bool> allocated(static_cast<size_t>(nout), false);
  for (int i = 0; i < nout; ++i) {
    const Shape& s = c.output_shapes[static_cast<size_t>(i)];
    ctx.outputs[static_cast<size_t>(i)].dtype = c.output_dtypes[static_cast<size_t>(i)];
    if (!s.is_fully_defined()) continue;
    out[static_cast<size_t>(i)] = new_tensor(c.output_dtypes[static_cast<size_t>(i)], s);
    ctx.outputs[static_cast<size_t>(i)] = view_of(out[static_cast<size_t>(i)]);
    allocated[static_cast<size_t>(i)] = true;
  }
  ctx.allocator = [&](int i, const std::vector<int64_t>& shape) {
    out[static_cast<size_t>(i)] = new_tensor(c.output_dtypes[static_cast<size_t>(i)], Shape(shape));
    allocated[static_cast<size_t>(i)] = true;
    return view_of(out[static_cast<size_t>(i)]);
  };
  std::vector<uint8_t> scratch(it->second.kernel->scratch_bytes());
  if (!scratch.empty()) ctx.scratch = scratch.data();
  it->second.kernel->run(ctx);
  for (int i = 0; i < nout; ++i)
    if (!allocated[static_cast<size_t>(i)])
      throw Error(ErrorCode::kInternal,
                  "kernel '" + it->second.name + "' did not size output " + std::to_string(i));
  return out;
}

void DynamicExecutor::execute(Run& r, int idx, Frame* f, int64_t iter, Instance& in) {
  NodeInfo& ni = nodes_[static_cast<size_t>(idx)];
  const Node& n = *ni.spec.node;
  const std::string& op = n.op;
  ++r.executions;
  auto dead_outputs = [&] {
    std::vector<Value> outs(static_cast<size_t>(ni.num_outputs));
    for (Value& v : outs) v.dead = true;
    return outs;
  };
  if (op == "Merge") {
    if (in.live_index < 0 || in.dead) return emit(r, idx, f, iter, dead_outputs());
    std::vector<Value> outs(2);
    outs[0].t = in.inputs[static_cast<size_t>(in.live_index)];
    outs[1].t = Tensor::scalar<int32_t>(in.live_index);
    return emit(r, idx, f, iter, std::move(outs));
  }
  if (op == "Enter" || op == "RefEnter") {
    const std::string frame_name = n.attr_string("frame_name");
    Frame*& child = f->children[{iter, frame_name}];
    if (!child) {
      r.frames.push_back(std::make_unique<Frame>());
      child = r.frames.back().get();
      child->name = frame_name;
      child->parent = f;
      child->parent_iter = iter;
    }
    Value v;
    v.dead = in.dead;
    if (!in.dead) v.t = in.inputs[0];
    if (n.attr_bool_or("is_constant", false) && !in.dead) {
      child->const_enters.push_back({idx, v});
      for (int64_t k = 0; k < child->iterations; ++k)
        for (const auto& [c, slot] : ni.consumers[0]) deliver(r, c, slot, child, k, v);
      for (int c : ni.control_consumers) deliver(r, c, -1, child, 0, Value{});
      return;
    }
    return emit(r, idx, child, 0, {v});
  }
  if (op == "Exit" || op == "RefExit") {
    if (!f->parent)
      throw Error(ErrorCode::kInvalidGraph, n.describe() + " runs outside of any loop frame");
    if (in.dead && in.untaken) return;  // the loop goes on
    Value v;
    v.dead = in.dead;
    if (!in.dead) v.t = in.inputs[0];
    return emit(r, idx, f->parent, f->parent_iter, {v});
  }
  if (op == "NextIteration" || op == "RefNextIteration") {
    if (in.dead) return;  // the loop ends here
    start_iteration(r, f, iter + 1);
    Value v;
    v.t = in.inputs[0];
    return emit(r, idx, f, iter + 1, {v});
  }
  if (in.dead) return emit(r, idx, f, iter, dead_outputs());
  if (op == "Switch" || op == "RefSwitch") {
    const Tensor& pred = in.inputs[1];
    if (pred.dtype() != DType::kBool || pred.num_elements() != 1)
      throw Error(ErrorCode::kInvalidGraph,
                  n.describe() + ": the predicate must be a bool scalar, got " +
                      dtype_name(pred.dtype()) + " " + pred.shape().to_string());
    const bool taken = pred.data<bool>()[0];
    std::vector<Value> outs(2);
    outs[taken ? 1 : 0].t = in.inputs[0];
    outs[taken ? 0 : 1].dead = true;
    outs[taken ? 0 : 1].untaken = true;
    return emit(r, idx, f, iter, std::move(outs));
  }
  if (op == "LoopCond") {
    Value v;
    v.t = in.inputs[0];
    return emit(r, idx, f, iter, {v});
  }
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Tensor> res;
  try {
    res = compute(idx, in.inputs, r);
  } catch (const std::exception& e) {
    rethrow_for_node(n, e);
  }
  if (opts_.profile) {
    ni.total_ms +=
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    ++ni.calls;
  }
  in.inputs.clear();
  std::vector<Value> outs(res.size());
  for (size_t i = 0; i < res.size(); ++i) outs[i].t = std::move(res[i]);
  emit(r, idx, f, iter, std::move(outs));
}

std::vector<Tensor> DynamicExecutor::run(const std::vector<Tensor>& boundary) {
  Run r;
  r.boundary = &boundary;
  r.frames.push_back(std::make_unique<Frame>());
  r.root = r.frames.back().get();
  r.fetched.assign(fetches_.size(), std::nullopt);
  for (int idx : roots_) {
    instance(r, idx, r.root, 0);
    r.ready.push_back({idx, r.root, 0});
  }
  while (!r.ready.empty()) {
    const Run::Key key = r.ready.front();
    r.ready.pop_front();
    auto it = r.pending.find(key);
    if (it == r.pending.end())
      throw Error(ErrorCode::kInternal,
                  "dynamic execution lost the state of " +
                      nodes_[static_cast<size_t>(key.node)].spec.node->describe());
    const bool merge = nodes_[static_cast<size_t>(key.node)].spec.node->op == "Merge";
    if (merge) {
      // Later inputs of this iteration still arrive (and are counted) after the Merge fired.
      Instance copy = it->second;
      it->second.inputs.clear();
      it->second.done = true;
      const int arrived = copy.dead_data + (copy.live_index >= 0 ? 1 : 0);
      if (arrived >= copy.expected && copy.controls_remaining == 0) r.pending.erase(it);
      execute(r, key.node, key.frame, key.iter, copy);
    } else {
      Instance in = std::move(it->second);
      r.pending.erase(it);
      execute(r, key.node, key.frame, key.iter, in);
    }
  }
  last_executions_ = r.executions;
  ++runs_;
  trim_pool();
  std::vector<Tensor> out;
  for (size_t k = 0; k < fetches_.size(); ++k) {
    const Node& n = *nodes_[static_cast<size_t>(fetches_[k].first)].spec.node;
    const std::string name =
        n.name + (fetches_[k].second ? ":" + std::to_string(fetches_[k].second) : "");
    if (!r.fetched[k])
      throw Error(ErrorCode::kInvalidArgument,
                  "fetch '" + name + "': control flow never reached " + n.describe());
    if (r.fetched[k]->dead)
      throw Error(ErrorCode::kInvalidArgument,
                  "fetch '" + name +
                      "' is dead: it lies on a conditional branch that was not "
                      "taken in this run");
    out.push_back(std::move(r.fetched[k]->t));
  }
  return out;
}

}  // namespace aamp
