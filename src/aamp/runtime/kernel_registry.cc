#include <string>
#include <utility>

#include "aamp/ops/registry.h"
#include "aamp/runtime/kernel.h"

namespace aamp {

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
