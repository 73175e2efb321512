#include "aamp/passes/amp_lists.h"

#include "aamp/core/error.h"
#include "aamp/ops/registry.h"

namespace aamp {

AmpLists AmpLists::defaults(DeviceKind device) {
  AmpLists l;
  const OpRegistry& r = OpRegistry::global();
  for (const auto& op : r.op_names()) {
    const OpInfo* info = r.find(op);
    if (!info) continue;
    AmpClass c = info->amp_class(device);
    if (c != AmpClass::kNone) l.list(c).insert(op);
  }
  return l;
}

AmpClass AmpLists::classify(const std::string& op) const {
  if (allow.count(op)) return AmpClass::kAllow;
  if (deny.count(op)) return AmpClass::kDeny;
  if (infer.count(op)) return AmpClass::kInfer;
  if (clear.count(op)) return AmpClass::kClear;
  return AmpClass::kNone;
}

std::set<std::string>& AmpLists::list(AmpClass c) {
  switch (c) {
    case AmpClass::kAllow:
      return allow;
    case AmpClass::kInfer:
      return infer;
    case AmpClass::kClear:
      return clear;
    case AmpClass::kDeny:
      return deny;
    case AmpClass::kNone:
      break;
  }
  throw Error(ErrorCode::kInternal, "AmpLists::list: no list for class none");
}

const std::set<std::string>& AmpLists::list(AmpClass c) const {
  return const_cast<AmpLists*>(this)->list(c);
}

std::string AmpLists::paintbuckets_text() const {
  std::string s;
  auto section = [&](const char* title, const std::set<std::string>& ops, bool last) {
    s += title;
    s += "\n";
    for (const auto& op : ops) s += op + "\n";
    if (!last) s += "\n";
  };
  section("AllowList:", allow, false);
  section("DenyList:", deny, false);
  section("InferList:", infer, false);
  section("ClearList:", clear, true);
  return s;
}

const char* amp_list_name(AmpClass c) {
  switch (c) {
    case AmpClass::kAllow:
      return "allowlist";
    case AmpClass::kInfer:
      return "inferlist";
    case AmpClass::kClear:
      return "clearlist";
    case AmpClass::kDeny:
      return "denylist";
    case AmpClass::kNone:
      return "no list";
  }
  return "no list";
}

}  // namespace aamp
