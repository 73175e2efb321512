// The implementation side of the TensorFlow plugin's graph optimizer: the effective config (the
// Python set_config's AAMP_CONFIG_JSON > ITEX_*/AAMP_* environment > defaults, read on every
// call) and one optimize call: parse the GraphDef, run aamp's remapper -> AMP -> remapper with
// TensorFlow's kernels deciding what may go low precision, serialize. Any failure leaves the
// graph unchanged with one warning naming the step.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "aamp/api/optimize.h"
#include "aamp/core/cpu_features.h"
#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"
#include "aamp/ops/attrs.h"
#include "aamp/ops/registry.h"
#include "aamp_tf_impl.h"
#include "impl/impl_internal.h"
#include "impl/impl_ops.h"

namespace aamp::tfplugin {

namespace {

char* dup_string(const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (p) std::memcpy(p, s.c_str(), s.size() + 1);
  return p;
}

bool env_off(const char* name) {
  const char* v = std::getenv(name);
  if (!v) return false;
  std::string s;
  for (const char* c = v; *c; ++c)
    s += static_cast<char>(std::tolower(static_cast<unsigned char>(*c)));
  return s == "0" || s == "false" || s == "off" || s == "no";
}

// AAMP_CONFIG_JSON: the fields the Python set_config() set, named as AmpConfig's.
AmpConfig config_from_json(const std::string& text) {
  AmpConfig c;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kInvalidArgument,
                std::string("AAMP_CONFIG_JSON is not valid JSON: ") + e.what());
  }
  if (!j.is_object())
    throw Error(ErrorCode::kInvalidArgument, "AAMP_CONFIG_JSON must be an object");
  std::optional<std::string>* strings[] = {
      &c.data_type,       &c.allowlist_add,    &c.inferlist_add,    &c.clearlist_add,
      &c.denylist_add,    &c.allowlist_remove, &c.inferlist_remove, &c.clearlist_remove,
      &c.denylist_remove, &c.log_path,         &c.deny_nodes};
  const char* string_keys[] = {"data_type",        "allowlist_add",    "inferlist_add",
                               "clearlist_add",    "denylist_add",     "allowlist_remove",
                               "inferlist_remove", "clearlist_remove", "denylist_remove",
                               "log_path",         "deny_nodes"};
  std::optional<bool>* bools[] = {&c.enabled, &c.remapper, &c.unsafe_force_all};
  const char* bool_keys[] = {"enabled", "remapper", "unsafe_force_all"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool known = false;
    for (size_t i = 0; i < std::size(string_keys); ++i)
      if (it.key() == string_keys[i]) {
        if (!it.value().is_string())
          throw Error(ErrorCode::kInvalidArgument,
                      "AAMP_CONFIG_JSON field '" + it.key() + "' must be a string");
        *strings[i] = it.value().get<std::string>();
        known = true;
      }
    for (size_t i = 0; i < std::size(bool_keys); ++i)
      if (it.key() == bool_keys[i]) {
        if (!it.value().is_boolean())
          throw Error(ErrorCode::kInvalidArgument,
                      "AAMP_CONFIG_JSON field '" + it.key() + "' must be true or false");
        *bools[i] = it.value().get<bool>();
        known = true;
      }
    if (!known)
      throw Error(ErrorCode::kInvalidArgument,
                  "AAMP_CONFIG_JSON has an unknown field '" + it.key() + "'");
  }
  return c;
}

// Each distinct warning is given once per process (a bad config would repeat it on every graph).
bool first_time(const std::string& msg) {
  static std::mutex mu;
  static std::set<std::string> seen;
  std::lock_guard<std::mutex> lock(mu);
  return seen.insert(msg).second;
}

std::string safe_label(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-') ? c : '_';
  if (out.size() > 48) out.resize(48);
  return out;
}

// TensorFlow's OpDef of `op` (its own registry, user ops and aamp's registered ops included), or
// nullopt when TensorFlow does not know the op.
std::optional<OpDef> tf_op_def(const AampTfCallbacks* cb, const std::string& op) {
  if (!cb || !cb->lookup_op_def) return std::nullopt;
  char* data = nullptr;
  size_t size = 0;
  if (!cb->lookup_op_def(cb->ctx, op.c_str(), &data, &size)) return std::nullopt;
  std::string bytes(data, size);
  std::free(data);
  return op_def_from_tf(bytes, op);
}

// TensorFlow's OpDefs by op name, each asked of TensorFlow once per graph (the kernel hook and
// fit_attrs_to_tf share them).
class TfOpDefs {
 public:
  explicit TfOpDefs(const AampTfCallbacks* cb) : cb_(cb) {}
  // nullptr when TensorFlow does not know the op.
  const OpDef* find(const std::string& op) {
    auto it = defs_.find(op);
    if (it == defs_.end()) it = defs_.emplace(op, tf_op_def(cb_, op)).first;
    return it->second ? &*it->second : nullptr;
  }

 private:
  const AampTfCallbacks* cb_;
  std::map<std::string, std::optional<OpDef>> defs_;
};

// Registers TensorFlow's signature of each op named in the config's lists that aamp does not
// know (a user's custom op), so that AMP can paint it.
void register_custom_ops(const AmpConfig& c, const AampTfCallbacks* cb) {
  if (!cb || !cb->lookup_op_def) return;
  OpRegistry& reg = OpRegistry::global();
  for (const auto* field :
       {&c.allowlist_add, &c.inferlist_add, &c.clearlist_add, &c.denylist_add}) {
    if (!*field) continue;
    for (const auto& op : split_op_list(**field)) {
      const OpInfo* info = reg.find(op);
      if (info && info->def.has_signature) continue;
      if (std::optional<OpDef> def = tf_op_def(cb, op)) reg.register_op(std::move(*def));
    }
  }
}

// Nodes the passes created or changed the op of get the attrs TensorFlow's signature of their op
// declares: undeclared ones are dropped (MatMul's grad_a / grad_b do not exist on _FusedMatMul;
// TensorFlow logs an error for each), "_" attrs kept; a required list(type) attr that aamp's form
// spells as `num_args` tensors of T (TensorFlow's _FusedConv2D has `args: TArgs`) is filled in.
void fit_attrs_to_tf(Graph& g, const std::set<std::pair<std::string, std::string>>& before,
                     TfOpDefs& defs) {
  for (const auto& n : g.nodes()) {
    if (before.count({n->name, aamp_op_name(n->op)})) continue;
    const OpDef* found = defs.find(n->op);
    if (!found) continue;
    const OpDef& def = *found;
    for (auto a = n->attrs.begin(); a != n->attrs.end();) {
      if (a->first.rfind('_', 0) != 0 && !def.find_attr(a->first))
        a = n->attrs.erase(a);
      else
        ++a;
    }
    for (const AttrDef& a : def.attrs) {
      if (a.default_value || n->has_attr(a.name) || a.type != "list(type)") continue;
      const AttrValue* t = n->find_attr("T");
      if (!t || !t->is<DType>()) continue;
      n->attrs[a.name] = type_list(
          std::vector<DType>(static_cast<size_t>(op_attr_int(*n, "num_args")), t->get<DType>()));
    }
  }
}

// Whether some node has a float dtype attr (T, dtype, Tout, a type list, ...).
bool has_float_attr(const Graph& g) {
  for (const auto& n : g.nodes())
    for (const auto& [key, a] : n->attrs) {
      if (a.is<DType>() && is_float(a.get<DType>())) return true;
      if (a.is<AttrList>())
        for (DType t : a.get<AttrList>().type)
          if (is_float(t)) return true;
    }
  return false;
}

// What optimize() would reject before touching a graph: the data type and the lists. Returns
// the lists.
AmpLists check_config(const AmpConfig& c, std::vector<std::string>* warnings = nullptr) {
  DType t = c.target(DeviceKind::kCPU);
  if (t == DType::kHalf && !cpu_has_native_fp16())
    throw Error(ErrorCode::kUnimplemented,
                "AMP data type FLOAT16 needs a CPU with native FP16 (AVX512-FP16), which this "
                "CPU lacks; use BFLOAT16 on the CPU");
  return c.lists(DeviceKind::kCPU, warnings);
}

}  // namespace

AmpConfig effective_config() {
  AmpConfig api;
  if (const char* j = std::getenv("AAMP_CONFIG_JSON"); j && *j) api = config_from_json(j);
  return AmpConfig::merge(api, AmpConfig::from_env());
}

std::string bad_config_message(const std::string& what) {
  return "aamp: bad configuration: " + what + "; the plugin leaves TensorFlow's graphs unchanged";
}

int config_state(AampTfConfigState* state, char** error) {
  *state = AampTfConfigState{};
  state->plugin_off = env_off("AAMP_TF_PLUGIN") ? 1 : 0;
  try {
    AmpConfig c = effective_config();
    state->amp_on = c.enabled.value_or(false) ? 1 : 0;
    state->remapper_on = c.remapper.value_or(state->amp_on != 0) ? 1 : 0;
    if (state->amp_on) check_config(c);
    return 0;
  } catch (const std::exception& e) {
    if (error) *error = dup_string(bad_config_message(e.what()));
    return 1;
  }
}

void optimize(const char* graph, size_t size, const char* const* preserve, int n_preserve,
              const char* label, const AampTfCallbacks* cb, AampTfOptimizeResult* out) {
  *out = AampTfOptimizeResult{};
  std::vector<std::string> warnings;
  auto finish = [&] {
    std::string w;
    for (const auto& m : warnings)
      if (first_time(m)) w += (w.empty() ? "" : "\n") + m;
    if (!w.empty()) out->warnings = dup_string(w);
  };
  const char* step = "configuration";
  try {
    if (env_off("AAMP_TF_PLUGIN")) return;
    AmpConfig cfg;
    try {
      cfg = effective_config();
    } catch (const std::exception& e) {
      warnings.push_back(bad_config_message(e.what()));
      finish();
      return;
    }
    const bool amp_on = cfg.enabled.value_or(false);
    const bool remap_on = cfg.remapper.value_or(amp_on);
    if (!amp_on && !remap_on) return;
    register_custom_ops(cfg, cb);
    AmpLists lists;
    try {
      lists = amp_on ? check_config(cfg, &warnings) : cfg.lists(DeviceKind::kCPU, &warnings);
    } catch (const std::exception& e) {
      warnings.push_back(bad_config_message(e.what()));
      finish();
      return;
    }
    step = "parse";
    Graph g = parse_graphdef_binary(std::string_view(graph, size), "TensorFlow graph");
    to_aamp_names(g);
    std::set<std::pair<std::string, std::string>> input_ops;
    for (const auto& n : g.nodes()) input_ops.emplace(n->name, n->op);
    // Cheap exit: no float tensor anywhere (tf.data's index and shuffle functions, variable
    // updates of counters): no fusion or precision change applies.
    if (!cfg.unsafe_force_all.value_or(false) && !has_float_attr(g)) {
      finish();
      return;
    }
    // Cheap exit: AMP alone and no allowlisted op (no float contraction) in the graph.
    if (!remap_on && !cfg.unsafe_force_all.value_or(false)) {
      bool any = false;
      for (const auto& n : g.nodes()) any = any || lists.allow.count(n->op) != 0;
      if (!any) {
        finish();
        return;
      }
    }
    std::vector<std::string> fetches;
    std::set<std::string> seen;
    for (int i = 0; i < n_preserve; ++i) {
      std::string node = TensorRef::parse(preserve[i]).node;
      if (g.find(node) && seen.insert(node).second) fetches.push_back(node);
    }
    static std::atomic<int> seq{0};
    const int id = seq.fetch_add(1);
    std::string prefix;
    if (cfg.log_path && !cfg.log_path->empty())
      prefix = "g" + std::to_string(id) + "_" + safe_label(label ? label : "graph") + "_";
    cfg.enabled = amp_on;
    cfg.remapper = remap_on;
    cfg.tf_compatible = true;  // TensorFlow's own fused forms where it has them ...
    PassHooks hooks;
    hooks.aamp_ops = true;  // ... and aamp's ops, which the plugin registers with TF
    // A dtype TensorFlow can run: its OpDef allows it for the attr (_FusedConv2D's signature has
    // bfloat16 only where TensorFlow turns its oneDNN ops on, not on a CPU without AVX-512: a
    // kernel registered for it does not make the node valid there), and a CPU kernel takes it.
    // With TensorFlow's oneDNN ops on, its graph rewrite replaces those ops before they run.
    hooks.tf_onednn = tf_runs_onednn();
    // _AampCachedCast keeps a variable's bfloat16 copy while its buffer is unchanged
    // (passes/variable_cast_cache.h); AAMP_TF_CACHE_WEIGHTS=0 casts on every run instead.
    hooks.cache_variable_casts = !env_off("AAMP_TF_CACHE_WEIGHTS");
    auto defs = std::make_shared<TfOpDefs>(cb);
    hooks.has_kernel = [cb, defs, onednn = hooks.tf_onednn](const std::string& op,
                                                            const std::string& attr, DType t) {
      if (!cb) return true;
      const std::string name = tf_op_name(op);
      const OpDef* def = defs->find(name);
      if (!onednn && def)
        if (const AttrDef* a = def->find_attr(attr);
            a && !a->allowed_types.empty() &&
            std::find(a->allowed_types.begin(), a->allowed_types.end(), t) ==
                a->allowed_types.end())
          return false;
      if (!cb->has_kernel) return true;
      return cb->has_kernel(cb->ctx, name.c_str(), attr.c_str(), static_cast<int>(t)) != 0;
    };
    step = "optimize";
    // The log path gets files only for graphs the plugin rewrites: a first run without it
    // decides, a second one on the original graph writes them.
    AmpConfig quiet = cfg;
    quiet.log_path.reset();
    Graph original = prefix.empty() ? Graph() : g;
    OptimizeResult r = optimize(g, quiet, DeviceKind::kCPU, fetches, hooks);
    for (const auto& w : r.warnings) warnings.push_back(w);
    bool changed = false;
    for (const auto& p : r.passes) {
      if (!p.ok) {
        warnings.push_back("aamp: pass " + p.pass + " failed (" + p.summary +
                           "); TensorFlow runs this graph unchanged");
        finish();
        return;
      }
      changed = changed || p.changed;
    }
    if (!changed) {
      finish();
      return;
    }
    if (!prefix.empty()) {
      step = "log path";
      g = std::move(original);
      r = optimize(g, cfg, DeviceKind::kCPU, fetches, hooks, prefix);
    }
    step = "serialize";
    to_tf_names(g);
    fit_attrs_to_tf(g, input_ops, *defs);
    std::string bytes = serialize_graphdef_binary(g);
    out->graph = static_cast<char*>(std::malloc(bytes.size()));
    if (!out->graph) throw Error(ErrorCode::kInternal, "out of memory");
    std::memcpy(out->graph, bytes.data(), bytes.size());
    out->graph_size = bytes.size();
    out->rewritten = 1;
    std::string summary = r.amp_ran ? r.amp.message() : "remapper only";
    summary += "; fusions " + std::to_string(r.remapper_pre.total() + r.remapper_post.total());
    out->summary = dup_string(summary);
    if (!prefix.empty()) {
      std::ofstream idx(std::filesystem::path(*cfg.log_path) / "graphs.tsv", std::ios::app);
      idx << prefix << "\t" << g.size() << " nodes\t" << summary << "\n";
    }
  } catch (const std::exception& e) {
    if (out->graph) std::free(out->graph);
    *out = AampTfOptimizeResult{};
    warnings.push_back(std::string("aamp: ") + step + " failed: " + e.what() +
                       "; TensorFlow runs this graph unchanged");
  }
  finish();
}

}  // namespace aamp::tfplugin
