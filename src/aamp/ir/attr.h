// AttrValue: every kind TensorFlow's AttrValue proto can hold.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "aamp/core/dtype.h"
#include "aamp/ir/tensor.h"

namespace aamp {

struct AttrValue;

// NameAttrList: a function name with attrs (AttrValue.func).
struct FuncAttr {
  std::string name;
  std::map<std::string, AttrValue> attrs;
  bool operator==(const FuncAttr& o) const;
};

// AttrValue.list. TF fills exactly one of these for a given attr type, but all are kept.
struct AttrList {
  std::vector<std::string> s;
  std::vector<int64_t> i;
  std::vector<float> f;
  std::vector<bool> b;
  std::vector<DType> type;
  std::vector<Shape> shape;
  std::vector<Tensor> tensor;
  std::vector<FuncAttr> func;
  bool operator==(const AttrList& o) const;
};

// Placeholder attr (AttrValue.placeholder, used inside function bodies).
struct AttrPlaceholder {
  std::string name;
  bool operator==(const AttrPlaceholder&) const = default;
};

struct AttrValue {
  // monostate = AttrValue with no value set.
  using Value = std::variant<std::monostate, std::string, int64_t, float, bool, DType, Shape,
                             Tensor, AttrList, FuncAttr, AttrPlaceholder>;
  Value value;

  AttrValue() = default;
  template <typename T>
  AttrValue(T v) : value(std::move(v)) {}  // NOLINT: implicit on purpose
  AttrValue(const char* s) : value(std::string(s)) {}
  AttrValue(int v) : value(static_cast<int64_t>(v)) {}

  template <typename T>
  bool is() const {
    return std::holds_alternative<T>(value);
  }
  template <typename T>
  const T& get() const {
    return std::get<T>(value);
  }
  template <typename T>
  T& get() {
    return std::get<T>(value);
  }
  // "string", "int", "float", "bool", "type", "shape", "tensor", "list", "func", "placeholder",
  // "none".
  const char* kind_name() const;
  std::string to_string() const;  // short, human-readable (for logs and errors)
  bool operator==(const AttrValue& o) const;
};

using AttrMap = std::map<std::string, AttrValue>;

// The values of list attrs: list(int) ("strides", "ksize", ...), list(string) ("fused_ops") and
// list(type) ("T" of IdentityN, "TArgs"). An AttrList converts to an AttrValue implicitly.
inline AttrList int_list(std::vector<int64_t> v) {
  AttrList l;
  l.i = std::move(v);
  return l;
}
inline AttrList string_list(std::vector<std::string> v) {
  AttrList l;
  l.s = std::move(v);
  return l;
}
inline AttrList type_list(std::vector<DType> v) {
  AttrList l;
  l.type = std::move(v);
  return l;
}

}  // namespace aamp
