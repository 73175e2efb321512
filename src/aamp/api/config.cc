#include "aamp/api/config.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>

#include "aamp/core/error.h"
#include "aamp/ops/registry.h"

namespace aamp {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// AAMP_<suffix> wins over ITEX_<suffix>; nullopt when neither is set.
std::optional<std::pair<std::string, std::string>> env_value(const std::string& suffix) {
  for (const char* prefix : {"AAMP_", "ITEX_"}) {
    std::string name = prefix + suffix;
    if (const char* v = std::getenv(name.c_str())) return std::make_pair(name, std::string(v));
  }
  return std::nullopt;
}

std::optional<bool> env_bool(const std::string& suffix) {
  auto v = env_value(suffix);
  if (!v) return std::nullopt;
  std::string s = lower(trim(v->second));
  if (s == "1" || s == "true" || s == "on" || s == "yes") return true;
  if (s == "0" || s == "false" || s == "off" || s == "no" || s.empty()) return false;
  throw Error(ErrorCode::kInvalidArgument, "environment variable " + v->first + "='" + v->second +
                                               "' is not a boolean (use 1/0, true/false, on/off)");
}

// aamp's own AAMP_<suffix> boolean (no ITEX_ form).
std::optional<bool> aamp_env_bool(const std::string& suffix) {
  if (!std::getenv(("AAMP_" + suffix).c_str())) return std::nullopt;
  return env_bool(suffix);  // AAMP_ is set, so it is the one read
}

std::optional<std::string> env_string(const std::string& suffix) {
  auto v = env_value(suffix);
  if (!v) return std::nullopt;
  return v->second;
}

template <typename T>
std::optional<T> pick(const std::optional<T>& a, const std::optional<T>& b) {
  return a ? a : b;
}

}  // namespace

std::vector<std::string> split_op_list(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    std::string item = trim(s.substr(start, end - start));
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

DType parse_amp_data_type(const std::string& s) {
  std::string l = lower(trim(s));
  if (l == "bfloat16" || l == "bf16" || l == "dt_bfloat16") return DType::kBFloat16;
  if (l == "float16" || l == "fp16" || l == "half" || l == "dt_half") return DType::kHalf;
  throw Error(ErrorCode::kInvalidArgument,
              "invalid AMP data type '" + s +
                  "'; valid values: BFLOAT16 (bfloat16, bf16), FLOAT16 (float16, fp16, half)");
}

AmpConfig AmpConfig::from_env() {
  const std::string p = "AUTO_MIXED_PRECISION";
  AmpConfig c;
  c.enabled = env_bool(p);
  c.data_type = env_string(p + "_DATA_TYPE");
  c.allowlist_add = env_string(p + "_ALLOWLIST_ADD");
  c.inferlist_add = env_string(p + "_INFERLIST_ADD");
  c.clearlist_add = env_string(p + "_CLEARLIST_ADD");
  c.denylist_add = env_string(p + "_DENYLIST_ADD");
  c.allowlist_remove = env_string(p + "_ALLOWLIST_REMOVE");
  c.inferlist_remove = env_string(p + "_INFERLIST_REMOVE");
  c.clearlist_remove = env_string(p + "_CLEARLIST_REMOVE");
  c.denylist_remove = env_string(p + "_DENYLIST_REMOVE");
  c.unsafe_force_all = env_bool(p + "_UNSAFE_FORCE_ALL");
  c.log_path = env_string(p + "_LOG_PATH");
  c.remapper = env_bool("REMAPPER");
  c.tf_compatible = env_bool("TF_COMPATIBLE");
  // An aamp extension: no ITEX_ form.
  if (const char* v = std::getenv("AAMP_AUTO_MIXED_PRECISION_DENY_NODES")) c.deny_nodes = v;
  c.verify_each_pass = aamp_env_bool("VERIFY_EACH_PASS");
  c.strict = aamp_env_bool("STRICT");
  if (const char* v = std::getenv("AAMP_DUMP_AFTER_EACH_PASS"); v && *v) c.dump_dir = v;
  return c;
}

AmpConfig AmpConfig::merge(const AmpConfig& api, const AmpConfig& env) {
  AmpConfig c;
  c.enabled = pick(api.enabled, env.enabled);
  c.data_type = pick(api.data_type, env.data_type);
  c.allowlist_add = pick(api.allowlist_add, env.allowlist_add);
  c.inferlist_add = pick(api.inferlist_add, env.inferlist_add);
  c.clearlist_add = pick(api.clearlist_add, env.clearlist_add);
  c.denylist_add = pick(api.denylist_add, env.denylist_add);
  c.allowlist_remove = pick(api.allowlist_remove, env.allowlist_remove);
  c.inferlist_remove = pick(api.inferlist_remove, env.inferlist_remove);
  c.clearlist_remove = pick(api.clearlist_remove, env.clearlist_remove);
  c.denylist_remove = pick(api.denylist_remove, env.denylist_remove);
  c.unsafe_force_all = pick(api.unsafe_force_all, env.unsafe_force_all);
  c.log_path = pick(api.log_path, env.log_path);
  c.remapper = pick(api.remapper, env.remapper);
  c.tf_compatible = pick(api.tf_compatible, env.tf_compatible);
  c.deny_nodes = pick(api.deny_nodes, env.deny_nodes);
  c.verify_each_pass = pick(api.verify_each_pass, env.verify_each_pass);
  c.strict = pick(api.strict, env.strict);
  c.dump_dir = pick(api.dump_dir, env.dump_dir);
  c.accuracy_guard_nodes = api.accuracy_guard_nodes;  // never from the environment
  c.accuracy_probe_nodes = api.accuracy_probe_nodes;
  return c;
}

DType AmpConfig::target(DeviceKind device) const {
  if (!data_type || trim(*data_type).empty() || lower(trim(*data_type)) == "default")
    return device == DeviceKind::kGPU ? DType::kHalf : DType::kBFloat16;
  return parse_amp_data_type(*data_type);
}

AmpLists AmpConfig::lists(DeviceKind device, std::vector<std::string>* warnings) const {
  AmpLists l = AmpLists::defaults(device);
  const OpRegistry& reg = OpRegistry::global();
  std::set<std::string> unknown;
  auto note = [&](const std::string& op) {
    const OpInfo* info = reg.find(op);
    if (!info || !info->def.has_signature) unknown.insert(op);
  };
  struct Edit {
    const std::optional<std::string>* field;
    AmpClass cls;
  };
  // Removals first, then additions, so "remove from A, add to B" moves an op.
  for (Edit e :
       {Edit{&allowlist_remove, AmpClass::kAllow}, Edit{&inferlist_remove, AmpClass::kInfer},
        Edit{&clearlist_remove, AmpClass::kClear}, Edit{&denylist_remove, AmpClass::kDeny}}) {
    if (!*e.field) continue;
    for (const auto& op : split_op_list(**e.field)) {
      note(op);
      l.list(e.cls).erase(op);
    }
  }
  for (Edit e : {Edit{&allowlist_add, AmpClass::kAllow}, Edit{&inferlist_add, AmpClass::kInfer},
                 Edit{&clearlist_add, AmpClass::kClear}, Edit{&denylist_add, AmpClass::kDeny}}) {
    if (!*e.field) continue;
    for (const auto& op : split_op_list(**e.field)) {
      note(op);
      l.list(e.cls).insert(op);
    }
  }
  const AmpClass order[] = {AmpClass::kAllow, AmpClass::kInfer, AmpClass::kClear, AmpClass::kDeny};
  for (size_t i = 0; i < 4; ++i)
    for (size_t j = i + 1; j < 4; ++j)
      for (const auto& op : l.list(order[i]))
        if (l.list(order[j]).count(op))
          throw Error(ErrorCode::kInvalidArgument,
                      "op " + op + " present in multiple lists: " + amp_list_name(order[i]) +
                          " and " + amp_list_name(order[j]) +
                          " (to move an op, remove it from one list and add it to the other)");
  if (!unknown.empty() && warnings) {
    std::string msg = "AMP lists name op(s) unknown to aamp (kept as custom ops):";
    for (const auto& op : unknown) msg += " " + op;
    warnings->push_back(msg);
  }
  return l;
}

}  // namespace aamp
