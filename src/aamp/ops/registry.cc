#include "aamp/ops/registry.h"

#include "aamp/ops/families.h"

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

void OpRegistry::register_kernel(std::string_view op, DeviceKind d, std::vector<DType> dtypes) {
  std::lock_guard<std::mutex> l(mu_);
  auto& s = kernels_[{std::string(op), d}];
  s.insert(dtypes.begin(), dtypes.end());
}

bool OpRegistry::has_kernel(std::string_view op, DeviceKind d, DType t) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = kernels_.find({std::string(op), d});
  return it != kernels_.end() && it->second.count(t) != 0;
}

bool OpRegistry::has_any_kernel(std::string_view op, DeviceKind d) const {
  std::lock_guard<std::mutex> l(mu_);
  return kernels_.count({std::string(op), d}) != 0;
}

}  // namespace aamp
