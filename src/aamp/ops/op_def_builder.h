// Helpers that spell out signatures which are not in TensorFlow's ops.pbtxt: TensorFlow's hidden
// fused ops and TF.js's own ops (ops/fused_ops.cc) and aamp's own ops (ops/aamp_fused_ops.cc).
// Every list here is a function's value, never a namespace-scope container: the registry is
// built on first use, which can happen from another translation unit's static initializer,
// before such containers would be constructed (they would read as empty, silently dropping an
// op's type constraints).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aamp/ops/op_def.h"

namespace aamp::opdef {

// float32, bfloat16, float16: the types aamp's own ops take.
inline std::vector<DType> float_types() { return amp_float_types(); }

// An input or output typed by `type_attr`, a list of `number_attr` of them when given.
inline ArgDef arg(const std::string& name, const std::string& type_attr,
                  const std::string& number_attr = "") {
  ArgDef a;
  a.name = name;
  a.type_attr = type_attr;
  a.number_attr = number_attr;
  return a;
}

// An arg of one fixed dtype ("x: float").
inline ArgDef fixed_arg(const std::string& name, DType type) {
  ArgDef a;
  a.name = name;
  a.type = type;
  return a;
}

inline AttrDef attr(const std::string& name, const std::string& type,
                    std::optional<AttrValue> dflt = std::nullopt) {
  AttrDef a;
  a.name = name;
  a.type = type;
  a.default_value = std::move(dflt);
  return a;
}

inline AttrDef type_attr(const std::string& name, std::vector<DType> allowed,
                         std::optional<AttrValue> dflt = std::nullopt) {
  AttrDef a = attr(name, "type", std::move(dflt));
  a.allowed_types = std::move(allowed);
  return a;
}

inline AttrDef string_attr(const std::string& name, std::vector<std::string> allowed,
                           std::optional<AttrValue> dflt = std::nullopt) {
  AttrDef a = attr(name, "string", std::move(dflt));
  a.allowed_values = std::move(allowed);
  return a;
}

inline AttrDef min_attr(const std::string& name, int64_t minimum,
                        std::optional<AttrValue> dflt = std::nullopt) {
  AttrDef a = attr(name, "int", std::move(dflt));
  a.has_minimum = true;
  a.minimum = minimum;
  return a;
}

inline OpDef op(const std::string& name, std::vector<ArgDef> in, std::vector<ArgDef> out,
                std::vector<AttrDef> attrs) {
  OpDef d;
  d.name = name;
  d.inputs = std::move(in);
  d.outputs = std::move(out);
  d.attrs = std::move(attrs);
  return d;
}

}  // namespace aamp::opdef
