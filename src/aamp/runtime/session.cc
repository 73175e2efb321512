#include "aamp/runtime/session.h"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <set>
#include <unordered_map>

#include "aamp/core/cpu_features.h"
#include "aamp/core/error.h"
#include "aamp/ops/registry.h"
#include "aamp/ops/shape_inference.h"
#include "aamp/runtime/device.h"
#include "aamp/runtime/executor.h"
#include "aamp/runtime/kernel.h"
#include "aamp/runtime/plan.h"

namespace aamp {

namespace {

// Ops the runtime runs itself, without a kernel: placeholders, constants, NoOp and v1 control
// flow (the dynamic executor).
bool runtime_handled(const std::string& op) {
  return op == "Placeholder" || op == "Const" || op == "NoOp" ||
         OpRegistry::global().has_trait(op, &OpTraits::control_flow);
}

bool is_placeholder(const Node& n) {
  return n.op == "Placeholder" || n.op == "PlaceholderWithDefault";
}

// Number of data outputs of a node from its signature (0 when unknown).
int num_outputs(const Node& n) {
  const OpInfo* info = OpRegistry::global().find(n.op);
  if (!info || !info->def.has_signature) return 0;
  ShapeContext c;
  c.node = &n;
  c.info = info;
  prepare_outputs(c);
  return c.num_outputs();
}

// The node's attr "T" when it names a dtype (the dtype kernels are looked up by), else nullopt.
std::optional<DType> type_attr(const Node& n) {
  if (const AttrValue* v = n.find_attr("T"); v && v->is<DType>()) return v->get<DType>();
  return std::nullopt;
}

// Some kernel of the op runs on `d`, for the node's "T" dtype when it has one.
bool has_kernel_for(const Node& n, DeviceKind d) {
  // Aliasing ops share their input's memory (any dtype, containers' handles included).
  if (OpRegistry::global().has_trait(n.op, &OpTraits::alias)) return true;
  const auto regs = KernelRegistry::global().all(n.op, d);
  if (regs.empty()) return false;
  const std::optional<DType> t = type_attr(n);
  if (!t) return true;
  for (const KernelRegistration* r : regs)
    if (std::find(r->dtypes.begin(), r->dtypes.end(), *t) != r->dtypes.end()) return true;
  return false;
}

// " in int32" when the op has kernels on `d` but none for the node's "T" dtype, else "".
std::string kernel_dtype_suffix(const Node& n, DeviceKind d) {
  const std::optional<DType> t = type_attr(n);
  if (!t || KernelRegistry::global().all(n.op, d).empty()) return "";
  return " in " + dtype_name(*t);
}

bool env_flag(const char* name) {
  const char* e = std::getenv(name);
  return e && *e && std::string(e) != "0";
}

// The first node that computes in float16 (main type attr DT_HALF; Cast, Const and the
// runtime-handled placeholders excluded), or nullptr.
const Node* first_float16_node(const Graph& g) {
  for (const auto& n : g.nodes()) {
    if (n->op == "Cast" || runtime_handled(n->op) || is_placeholder(*n)) continue;
    if (kernel_dtype(*n, {}, {}) == DType::kHalf) return n.get();
  }
  return nullptr;
}

bool compatible(const Shape& want, const std::vector<int64_t>& got) {
  if (want.unknown_rank) return true;
  if (want.rank() != static_cast<int>(got.size())) return false;
  for (size_t i = 0; i < got.size(); ++i)
    if (want.dims[i] >= 0 && want.dims[i] != got[i]) return false;
  return true;
}

}  // namespace

std::string unsupported_ops_message(const Graph& g, DeviceKind d) {
  struct Entry {
    int count = 0;
    std::string first;
  };
  std::vector<std::string> order;
  std::unordered_map<std::string, Entry> bad;
  // On a device, what runs dynamically (control flow and what depends on it) runs on the host.
  std::set<const Node*> on_host;
  if (d != DeviceKind::kCPU) {
    for (const Node* n : g.topo_order()) {
      bool dyn = needs_dynamic_execution(*n);
      for (size_t i = 0; i < n->inputs.size() && !dyn; ++i)
        dyn = on_host.count(g.find(TensorRef::parse(n->inputs[i]).node)) != 0;
      if (dyn) on_host.insert(n);
    }
  }
  for (const auto& n : g.nodes()) {
    const OpInfo* info = OpRegistry::global().find(n->op);
    const bool has_shape = info && info->shape_fn();
    const DeviceKind kd = on_host.count(n.get()) ? DeviceKind::kCPU : d;
    // A node the device has no kernel for runs on the host (with what reads it) when the host
    // has one (Plan::compile_node).
    const bool has_kernel = runtime_handled(n->op) || has_kernel_for(*n, kd) ||
                            (kd != DeviceKind::kCPU && has_kernel_for(*n, DeviceKind::kCPU));
    if (has_shape && has_kernel) continue;
    const std::string key = n->op + kernel_dtype_suffix(*n, kd);
    Entry& e = bad[key];
    if (e.count++ == 0) {
      e.first = n->name;
      order.push_back(key);
    }
  }
  if (order.empty()) return "";
  std::string msg = "graph has " + std::to_string(order.size()) + " unsupported op type" +
                    (order.size() == 1 ? "" : "s") + " on " + device_kind_name(d) + ": ";
  for (size_t i = 0; i < order.size(); ++i) {
    const Entry& e = bad[order[i]];
    if (i) msg += ", ";
    msg += order[i] + " (" + std::to_string(e.count) + (e.count == 1 ? " node" : " nodes") +
           ", first '" + e.first + "')";
  }
  return msg;
}

Session::Session(Graph g, SessionOptions o) : graph_(std::move(g)), opts_(o) {
  if (env_flag("AAMP_REFERENCE_KERNELS")) opts_.reference_kernels_only = true;
  graph_.check_structure();
  DeviceRuntime* dev =
      opts_.device == DeviceKind::kCPU ? nullptr : find_device_runtime(opts_.device);
  std::string why;  // why the device cannot run kernels, "" when it can
  if (!KernelRegistry::global().has_device(opts_.device))
    why = opts_.device == DeviceKind::kGPU
              ? "this aamp was built without CUDA (configure with -DAAMP_CUDA=ON on a machine with "
                "the CUDA toolkit)"
              : "no kernels are registered for it";
  else if (opts_.device != DeviceKind::kCPU)
    why = dev ? dev->unavailable_reason() : "no device runtime is registered";
  if (!why.empty())
    throw Error(
        ErrorCode::kUnimplemented,
        std::string("device '") + device_kind_name(opts_.device) + "' is not available: " + why);
  const std::string msg = unsupported_ops_message(graph_, opts_.device);
  if (!msg.empty()) throw Error(ErrorCode::kUnimplemented, msg);
  if (opts_.device == DeviceKind::kCPU && !cpu_has_native_fp16() &&
      !env_flag("AAMP_ALLOW_EMULATED_FP16")) {
    if (const Node* n = first_float16_node(graph_))
      throw Error(ErrorCode::kUnimplemented,
                  n->describe() +
                      " computes in float16, but this CPU has no native float16 (AVX512-FP16): "
                      "convert the model to bfloat16 for the CPU (or run it on the GPU); "
                      "AAMP_ALLOW_EMULATED_FP16=1 runs float16 in the slow reference kernels");
  }
  for (const auto& n : graph_.nodes()) KernelRegistry::global().check_node(*n, opts_.device);
  if (dev) stream_ = dev->create_stream();
}

Session::~Session() {
  plans_.clear();
  if (stream_) find_device_runtime(opts_.device)->destroy_stream(stream_);
}

std::vector<Tensor> Session::run(const std::vector<std::pair<std::string, Tensor>>& feeds,
                                 const std::vector<std::string>& fetches, const RunOptions& ro) {
  return run_plan(feeds, fetches, ro, nullptr);
}

std::vector<ResidentTensor> Session::run_resident(
    const std::vector<std::pair<std::string, Tensor>>& feeds,
    const std::vector<std::string>& fetches, const RunOptions& ro) {
  std::vector<ResidentTensor> out;
  run_plan(feeds, fetches, ro, &out);
  return out;
}

std::vector<Tensor> Session::run_plan(const std::vector<std::pair<std::string, Tensor>>& feeds,
                                      const std::vector<std::string>& fetches, const RunOptions& ro,
                                      std::vector<ResidentTensor>* resident) {
  std::vector<FeedSpec> specs;
  std::vector<const Tensor*> values;
  std::set<std::string> seen;
  for (const auto& [name, t] : feeds) {
    TensorRef r;
    try {
      r = TensorRef::parse(name);
    } catch (const Error&) {
      throw Error(ErrorCode::kInvalidArgument, "feed '" + name + "': malformed tensor name");
    }
    const Node* n = graph_.find(r.node);
    if (!n)
      throw Error(ErrorCode::kInvalidArgument,
                  "feed '" + name + "': no node named '" + r.node + "'");
    if (!is_placeholder(*n) || r.port != 0)
      throw Error(
          ErrorCode::kInvalidArgument,
          "feed '" + name + "': only placeholders can be fed, " + n->describe() + " is not one");
    if (!seen.insert(r.node).second)
      throw Error(ErrorCode::kInvalidArgument, "feed '" + name + "' given twice");
    const IODesc want = input_desc(r.node);
    if (t.empty() || (want.dtype != DType::kInvalid && t.dtype() != want.dtype) ||
        !compatible(want.shape, t.shape().dims) || !t.shape().is_fully_defined())
      throw Error(ErrorCode::kInvalidArgument,
                  "feed '" + name + "': expected " + dtype_name(want.dtype) + " " +
                      want.shape.to_string() + ", got " + dtype_name(t.dtype()) + " " +
                      t.shape().to_string());
    specs.push_back({r, t.dtype(), t.shape().dims, std::nullopt});
    values.push_back(&t);
  }
  // Canonical order (by name) for the cache key.
  std::vector<size_t> idx(specs.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(),
            [&](size_t a, size_t b) { return specs[a].ref.node < specs[b].ref.node; });
  std::vector<FeedSpec> sorted_specs;
  std::vector<const Tensor*> sorted_values;
  std::string key;
  for (size_t i : idx) {
    sorted_specs.push_back(specs[i]);
    sorted_values.push_back(values[i]);
    key += specs[i].ref.node + ":" + dtype_name(specs[i].dtype) +
           Shape(specs[i].shape).to_string() + ";";
  }
  std::vector<TensorRef> refs;
  key += "|";
  for (const std::string& f : fetches) {
    TensorRef r;
    try {
      r = TensorRef::parse(f);
    } catch (const Error&) {
      throw Error(ErrorCode::kInvalidArgument, "fetch '" + f + "': malformed tensor name");
    }
    if (r.is_control() || !graph_.find(r.node))
      throw Error(ErrorCode::kInvalidArgument,
                  "unknown fetch '" + f + "': no node named '" + r.node + "'");
    refs.push_back(r);
    key += r.to_string() + ";";
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = plans_.find(key);
  if (it == plans_.end())
    it = plans_.emplace(key, std::make_unique<Plan>(graph_, opts_, sorted_specs, refs, stream_))
             .first;
  last_ = it->second.get();
  return last_->run(sorted_values, ro.feeds_resident, resident);
}

PlanStats Session::last_stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!last_) throw Error(ErrorCode::kInvalidArgument, "last_stats(): nothing has run yet");
  return last_->stats();
}

std::vector<std::string> Session::input_names() const {
  std::vector<std::string> v;
  for (const auto& n : graph_.nodes())
    if (n->op == "Placeholder") v.push_back(n->name);
  return v;
}

std::vector<std::string> Session::output_names() const {
  // Nodes inside a while loop's body run once per iteration: they have no value to fetch.
  const auto depth = loop_depths(graph_);
  std::vector<std::string> v;
  for (const Node* n : graph_.default_outputs()) {
    if (auto it = depth.find(n); it != depth.end() && it->second > 0) continue;
    const int k = num_outputs(*n);
    for (int p = 0; p < k; ++p) v.push_back(p == 0 ? n->name : n->name + ":" + std::to_string(p));
  }
  return v;
}

IODesc Session::input_desc(const std::string& name) const {
  const Node* n = graph_.find(TensorRef::parse(name).node);
  if (!n || !is_placeholder(*n))
    throw Error(ErrorCode::kInvalidArgument, "'" + name + "' is not an input (placeholder)");
  IODesc d;
  d.name = n->name;
  if (const AttrValue* v = n->find_attr("dtype"); v && v->is<DType>()) d.dtype = v->get<DType>();
  if (const AttrValue* v = n->find_attr("shape"); v && v->is<Shape>())
    d.shape = v->get<Shape>();
  else
    d.shape = Shape::unknown();
  return d;
}

}  // namespace aamp
