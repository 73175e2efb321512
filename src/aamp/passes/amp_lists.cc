#include "aamp/passes/amp_lists.h"

#include <cstdint>
#include <mutex>

#include "aamp/core/error.h"
#include "aamp/ops/registry.h"

namespace aamp {

AmpLists AmpLists::defaults(DeviceKind device) {
  // Computed once per device and registry generation (a host such as TensorFlow asks for every
  // graph it hands over, and the registry holds every TensorFlow op). A class set on a record
  // after info() returned it is seen by the next info() call's generation; registration happens
  // before graphs are optimized.
  struct Cached {
    uint64_t generation = ~uint64_t{0};
    AmpLists lists;
  };
  static std::mutex mu;
  static Cached cached[2];
  const OpRegistry& reg = OpRegistry::global();
  const uint64_t gen = reg.generation();
  Cached& c = cached[device == DeviceKind::kCPU ? 0 : 1];
  std::lock_guard<std::mutex> l(mu);
  if (c.generation != gen) {
    AmpLists fresh;
    reg.for_each([&](const std::string& op, const OpInfo& info) {
      const AmpClass k = info.amp_class(device);
      if (k != AmpClass::kNone) fresh.list(k).insert(fresh.list(k).end(), op);  // sorted names
    });
    c.lists = std::move(fresh);
    c.generation = gen;
  }
  return c.lists;
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
