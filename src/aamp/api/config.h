// AmpConfig: the one configuration object of Advanced AMP (spec section 4), shared by the C++
// API, the CLI and Python.
//
//   AmpConfig c;                       // every field unset
//   c.allowlist_add = "Softmax";       // API fields win over the environment
//   AmpConfig eff = AmpConfig::merge(c, AmpConfig::from_env());   // API > env > default
//   ResolvedAmp r = eff.resolve(DeviceKind::kCPU);                // lists, dtype, warnings
//
// Environment names: ITEX_AUTO_MIXED_PRECISION, ITEX_AUTO_MIXED_PRECISION_DATA_TYPE,
// ITEX_AUTO_MIXED_PRECISION_{ALLOWLIST,INFERLIST,CLEARLIST,DENYLIST}_{ADD,REMOVE},
// ITEX_AUTO_MIXED_PRECISION_UNSAFE_FORCE_ALL, ITEX_AUTO_MIXED_PRECISION_LOG_PATH, ITEX_REMAPPER,
// and the same names with the AAMP_ prefix instead of ITEX_ (AAMP_ wins when both are set);
// aamp's own AAMP_AUTO_MIXED_PRECISION_DENY_NODES, AAMP_VERIFY_EACH_PASS, AAMP_STRICT and
// AAMP_DUMP_AFTER_EACH_PASS (no ITEX_ forms).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aamp/core/dtype.h"
#include "aamp/ops/op_def.h"
#include "aamp/passes/amp_lists.h"

namespace aamp {

struct AmpConfig {
  // Unset fields fall back to the next source (env, then the default in brackets).
  std::optional<bool> enabled;           // auto_mixed_precision on/off [on for the API and CLI]
  std::optional<std::string> data_type;  // "BFLOAT16"/"bf16"/"FLOAT16"/"fp16" [BF16 CPU, FP16 GPU]
  // Comma-separated op type names.
  std::optional<std::string> allowlist_add, inferlist_add, clearlist_add, denylist_add;
  std::optional<std::string> allowlist_remove, inferlist_remove, clearlist_remove, denylist_remove;
  std::optional<bool> unsafe_force_all;  // [false]
  std::optional<std::string> log_path;   // [none]
  std::optional<bool> remapper;          // [true]
  std::optional<bool> tf_compatible;     // [false] only ops stock TensorFlow runs
  // Comma-separated node names kept float32: painted as if their op were in the denylist (an
  // aamp extension, env AAMP_AUTO_MIXED_PRECISION_DENY_NODES only; ITEX has no equivalent).
  // Names are those of the graph AMP paints, i.e. after the remapper's fusions (a fused
  // Conv2D+BiasAdd+Relu takes one name: see the decision log). Unknown names: a warning.
  std::optional<std::string> deny_nodes;
  // Nodes the accuracy guard (accuracy_guard.h) keeps float32: like deny_nodes, logged with the
  // rule "accuracy-guard". Set by the guard, not by users; not read from the environment.
  std::vector<std::string> accuracy_guard_nodes;
  // Nodes painted as if allowlisted (rule "accuracy-probe"): the guard's probes of one node
  // alone in low precision. Not for users; not read from the environment.
  std::vector<std::string> accuracy_probe_nodes;

  // Checks of the pass pipeline (PassManagerOptions), for finding a pass that breaks a graph.
  // validate() the graph after each pass; a problem a pass introduces fails that pass [false]
  // (env AAMP_VERIFY_EACH_PASS).
  std::optional<bool> verify_each_pass;
  // A failing pass throws Error naming it instead of being rolled back with a warning [false]
  // (env AAMP_STRICT).
  std::optional<bool> strict;
  // Folder (created if missing) that receives the graph before any pass and after each pass as
  // text GraphDefs, numbered in pipeline order: 00-input.pbtxt, 01-remapper.pbtxt,
  // 02-auto_mixed_precision.pbtxt, 03-remapper_post_amp.pbtxt [none] (env
  // AAMP_DUMP_AFTER_EACH_PASS).
  std::optional<std::string> dump_dir;

  // The fields set in the environment (see the header comment). Bad booleans throw Error
  // naming the variable.
  static AmpConfig from_env();
  // Per field: `api` when set, else `env`.
  static AmpConfig merge(const AmpConfig& api, const AmpConfig& env);

  // The target dtype for a device: data_type parsed, or the device default. Throws
  // Error(kInvalidArgument) listing the valid values for an unknown string.
  DType target(DeviceKind device) const;
  // The effective lists: registry defaults for the device with the add/remove edits applied.
  // Unknown op names add a warning to `warnings` naming them; an op ending in two lists throws
  // Error(kInvalidArgument) naming the op and both lists.
  AmpLists lists(DeviceKind device, std::vector<std::string>* warnings = nullptr) const;
};

// Parses "BFLOAT16", "bfloat16", "bf16", "FLOAT16", "float16", "fp16", "half" (any case).
DType parse_amp_data_type(const std::string& s);
// Splits "A, B,,C" into {"A","B","C"}.
std::vector<std::string> split_op_list(const std::string& s);

}  // namespace aamp
