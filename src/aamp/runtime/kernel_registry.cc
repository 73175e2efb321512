#include <string>
#include <utility>

#include "aamp/core/error.h"
#include "aamp/ops/registry.h"
#include "aamp/runtime/kernel.h"

namespace aamp {

TensorView& KernelContext::allocate_output(int i, const std::vector<int64_t>& shape) {
  if (!allocator)
    throw Error(ErrorCode::kInternal,
                "a kernel sized its output at run time outside dynamic execution");
  if (i < 0 || i >= static_cast<int>(outputs.size()))
    throw Error(ErrorCode::kInternal, "allocate_output: no output " + std::to_string(i));
  outputs[static_cast<size_t>(i)] = allocator(i, shape);
  return outputs[static_cast<size_t>(i)];
}

DType kernel_dtype(const Node& n, const std::vector<DType>& in, const std::vector<DType>& out) {
  if (const AttrValue* v = n.find_attr("T"); v && v->is<DType>()) return v->get<DType>();
  for (const auto& [k, v] : n.attrs)
    if (v.is<DType>() && is_float(v.get<DType>())) return v.get<DType>();
  if (!in.empty()) return in[0];
  if (!out.empty()) return out[0];
  return DType::kFloat;
}

void rethrow_for_node(const Node& n, const std::exception& e) {
  const std::string msg = e.what();
  const bool named = msg.find("'" + n.name + "'") != std::string::npos;
  if (const auto* ae = dynamic_cast<const Error*>(&e))
    throw Error(ae->code(), named ? msg : n.describe() + ": " + msg);
  throw Error(ErrorCode::kInternal, n.describe() + ": " + msg);
}

std::unique_ptr<Kernel> create_kernel(const Node& n, const KernelInit& init, DeviceKind d,
                                      bool reference_only, std::string* name) {
  std::vector<DType> in, out;
  for (const TensorDesc& t : init.inputs) in.push_back(t.dtype);
  for (const TensorDesc& t : init.outputs) out.push_back(t.dtype);
  const DType kt = kernel_dtype(n, in, out);
  const KernelRegistration* reg =
      KernelRegistry::global().lookup(n.op, d, kt, init, reference_only);
  if (!reg)
    throw Error(ErrorCode::kUnimplemented, n.describe() + ": no " + device_kind_name(d) +
                                               " kernel for dtype " + dtype_name(kt));
  if (name) *name = reg->name;
  try {
    return reg->factory(init);
  } catch (const std::exception& e) {
    rethrow_for_node(n, e);
  }
}

KernelRegistry& KernelRegistry::global() {
  static KernelRegistry* r = new KernelRegistry();
  return *r;
}

void KernelRegistry::add(KernelRegistration r) {
  OpRegistry::global().register_kernel(r.op, r.device, r.dtypes);
  regs_.push_back(std::move(r));
}

const KernelRegistration* KernelRegistry::lookup(std::string_view op, DeviceKind d, DType t,
                                                 const KernelInit& init,
                                                 bool reference_only) const {
  const KernelRegistration* best = nullptr;
  for (const auto& r : regs_) {
    if (r.op != op || r.device != d) continue;
    if (reference_only && r.priority != 0) continue;
    if (init.has_cast_from() && !r.folds_input_casts) continue;
    bool dtype_ok = false;
    for (DType x : r.dtypes) dtype_ok |= x == t;
    if (!dtype_ok) continue;
    if (r.supports && !r.supports(init)) continue;
    if (!best || r.priority > best->priority) best = &r;
  }
  return best;
}

std::vector<const KernelRegistration*> KernelRegistry::all(std::string_view op,
                                                           DeviceKind d) const {
  std::vector<const KernelRegistration*> v;
  for (const auto& r : regs_)
    if (r.op == op && r.device == d) v.push_back(&r);
  return v;
}

bool KernelRegistry::has_device(DeviceKind d) const {
  for (const auto& r : regs_)
    if (r.device == d) return true;
  return false;
}

void KernelRegistry::add_check(std::string op, DeviceKind d, NodeCheck f) {
  checks_.push_back({std::move(op), d, std::move(f)});
}

void KernelRegistry::check_node(const Node& n, DeviceKind d) const {
  for (const auto& c : checks_)
    if (c.op == n.op && c.device == d) c.check(n);
}

}  // namespace aamp
