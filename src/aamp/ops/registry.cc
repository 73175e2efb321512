#include "aamp/ops/registry.h"

#include "aamp/ops/families.h"
#include "aamp/ops/shape_inference.h"

namespace aamp {

const AttrDef* OpDef::find_attr(const std::string& n) const {
  for (const auto& a : attrs)
    if (a.name == n) return &a;
  return nullptr;
}

const char* device_kind_name(DeviceKind d) { return d == DeviceKind::kCPU ? "cpu" : "gpu"; }

const char* amp_class_name(AmpClass c) {
  switch (c) {
    case AmpClass::kAllow:
      return "allow";
    case AmpClass::kInfer:
      return "infer";
    case AmpClass::kClear:
      return "clear";
    case AmpClass::kDeny:
      return "deny";
    case AmpClass::kNone:
      return "none";
  }
  return "none";
}

AmpClass OpInfo::amp_class(DeviceKind d) const {
  const auto& o = d == DeviceKind::kCPU ? amp_cpu_ : amp_gpu_;
  return o ? *o : amp_;
}

OpInfo& OpInfo::same_shape() {
  traits_.same_shape = traits_.same_rank = true;
  shape_fn_ = shape_fns::unary;
  return *this;
}

OpInfo& OpInfo::elementwise() {
  traits_.elementwise = true;
  return same_shape();
}

OpInfo& OpInfo::broadcasting() {
  traits_.broadcasting = true;
  shape_fn_ = shape_fns::broadcast;
  return *this;
}

OpRegistry::OpRegistry() {
  register_tf_op_signatures(*this);
  register_math_ops(*this);
  register_nn_ops(*this);
  register_array_ops(*this);
  register_control_flow_ops(*this);
  register_fused_ops(*this);
  register_aamp_fused_ops(*this);
}

OpRegistry& OpRegistry::global() {
  static OpRegistry* r = new OpRegistry();  // never destroyed: used from static destructors
  return *r;
}

const OpInfo* OpRegistry::find(std::string_view op) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = ops_.find(op);
  return it == ops_.end() ? nullptr : it->second.get();
}

OpInfo& OpRegistry::info(std::string_view op) {
  std::lock_guard<std::mutex> l(mu_);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  auto it = ops_.find(op);
  if (it != ops_.end()) return *it->second;
  auto p = std::make_unique<OpInfo>();
  p->def.name = std::string(op);
  OpInfo& ref = *p;
  ops_.emplace(std::string(op), std::move(p));
  return ref;
}

OpInfo& OpRegistry::register_op(OpDef def) {
  OpInfo& i = info(def.name);
  // Replaces the signature only: the AMP class and shape function set through info() stay.
  i.def = std::move(def);
  i.def.has_signature = true;
  return i;
}

std::vector<std::string> OpRegistry::op_names() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::string> v;
  for (const auto& [k, _] : ops_) v.push_back(k);
  return v;
}

void OpRegistry::for_each(const std::function<void(const std::string&, const OpInfo&)>& f) const {
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& [k, info] : ops_) f(k, *info);
}

std::vector<std::string> OpRegistry::ops_where(
    const std::function<bool(const OpInfo&)>& pred) const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::string> v;
  for (const auto& [k, info] : ops_)
    if (pred(*info)) v.push_back(k);
  return v;
}

bool OpRegistry::has_trait(std::string_view op, bool OpTraits::*trait) const {
  const OpInfo* i = find(op);
  return i && i->traits().*trait;
}

void OpRegistry::register_kernel(std::string_view op, DeviceKind d, std::vector<DType> dtypes) {
  OpInfo& i = info(op);
  std::lock_guard<std::mutex> l(mu_);
  auto& s = d == DeviceKind::kCPU ? i.kernels_cpu_ : i.kernels_gpu_;
  s.insert(dtypes.begin(), dtypes.end());
  if (dtypes.empty()) s.insert(DType::kInvalid);  // a kernel without a dtype list still counts
}

bool OpRegistry::has_kernel(std::string_view op, DeviceKind d, DType t) const {
  const OpInfo* i = find(op);
  return i && i->kernel_dtypes(d).count(t) != 0;
}

bool OpRegistry::has_any_kernel(std::string_view op, DeviceKind d) const {
  const OpInfo* i = find(op);
  return i && !i->kernel_dtypes(d).empty();
}

}  // namespace aamp
