#include "aamp/ir/attr.h"

#include <sstream>

namespace aamp {

bool FuncAttr::operator==(const FuncAttr& o) const { return name == o.name && attrs == o.attrs; }

bool AttrList::operator==(const AttrList& o) const {
  return s == o.s && i == o.i && f == o.f && b == o.b && type == o.type && shape == o.shape &&
         func == o.func && tensor == o.tensor;
}

bool AttrValue::operator==(const AttrValue& o) const { return value == o.value; }

const char* AttrValue::kind_name() const {
  static const char* kNames[] = {"none",  "string", "int",  "float", "bool",       "type",
                                 "shape", "tensor", "list", "func",  "placeholder"};
  return kNames[value.index()];
}

std::string AttrValue::to_string() const {
  std::ostringstream os;
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::monostate>)
          os << "<none>";
        else if constexpr (std::is_same_v<V, std::string>)
          os << '"' << v << '"';
        else if constexpr (std::is_same_v<V, bool>)
          os << (v ? "true" : "false");
        else if constexpr (std::is_same_v<V, DType>)
          os << dtype_name(v);
        else if constexpr (std::is_same_v<V, Shape>)
          os << v.to_string();
        else if constexpr (std::is_same_v<V, Tensor>)
          os << "tensor<" << dtype_name(v.dtype()) << v.shape().to_string() << ">";
        else if constexpr (std::is_same_v<V, AttrList>) {
          os << '[';
          size_t n = 0;
          auto sep = [&] { return n++ ? "," : ""; };
          for (auto& x : v.s) os << sep() << '"' << x << '"';
          for (auto x : v.i) os << sep() << x;
          for (auto x : v.f) os << sep() << x;
          for (bool x : v.b) os << sep() << (x ? "true" : "false");
          for (auto x : v.type) os << sep() << dtype_name(x);
          for (auto& x : v.shape) os << sep() << x.to_string();
          for (auto& x : v.tensor) os << sep() << "tensor<" << dtype_name(x.dtype()) << ">";
          for (auto& x : v.func) os << sep() << x.name;
          os << ']';
        } else if constexpr (std::is_same_v<V, FuncAttr>)
          os << "func " << v.name;
        else if constexpr (std::is_same_v<V, AttrPlaceholder>)
          os << "placeholder " << v.name;
        else
          os << v;
      },
      value);
  return os.str();
}

}  // namespace aamp
