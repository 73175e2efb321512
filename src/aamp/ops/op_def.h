// Op signatures (TensorFlow's OpDef model) and per-op knowledge: AMP class, shape function.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "aamp/core/dtype.h"
#include "aamp/ir/attr.h"

namespace aamp {

struct ArgDef {
  std::string name;
  DType type = DType::kInvalid;  // fixed type, or kInvalid when type_attr/type_list_attr is used
  std::string type_attr;         // e.g. "T"
  std::string number_attr;       // e.g. "N": the arg is a list of N tensors of type_attr
  std::string type_list_attr;    // e.g. "Tcomponents": a list of tensors of these types
  bool is_ref = false;
};

struct AttrDef {
  std::string name;
  // TF attr type string: "string", "int", "float", "bool", "type", "shape", "tensor", "func",
  // "list(string)", "list(int)", "list(float)", "list(bool)", "list(type)", "list(shape)",
  // "list(tensor)", "list(func)".
  std::string type;
  std::optional<AttrValue> default_value;
  std::vector<DType> allowed_types;         // empty = any (for "type" / "list(type)")
  std::vector<std::string> allowed_values;  // empty = any (for "string" / "list(string)")
  bool has_minimum = false;
  int64_t minimum = 0;
};

struct OpDef {
  std::string name;
  std::vector<ArgDef> inputs;
  std::vector<ArgDef> outputs;
  std::vector<AttrDef> attrs;
  bool is_stateful = false;
  // true for ops only aamp runs (its own fused forms); tf_compatible validation rejects them.
  bool aamp_only = false;
  // true for ops only TensorFlow.js runs (FusedDepthwiseConv2dNative, Prelu): TF.js graph models
  // contain them, stock TensorFlow does not; tf_compatible validation rejects them too.
  bool tfjs_only = false;
  // true once a signature was registered (OpRegistry::register_op sets it). Entries created by
  // OpRegistry::info() alone (per-op knowledge without a signature) have none; validation treats
  // their ops as unknown. (An op with no args and no attrs, like NoOp, still has a signature.)
  bool has_signature = false;

  const AttrDef* find_attr(const std::string& n) const;
};

enum class DeviceKind { kCPU, kGPU };
const char* device_kind_name(DeviceKind d);

// The four AMP lists of spec section 2; kNone = in no list (stays float32).
enum class AmpClass { kNone, kAllow, kInfer, kClear, kDeny };
const char* amp_class_name(AmpClass c);  // "allow", "infer", "clear", "deny", "none"

}  // namespace aamp
