#include "aamp/ops/signature.h"

#include <algorithm>

#include "aamp/core/error.h"
#include "aamp/ops/registry.h"

namespace aamp {

namespace {

[[noreturn]] void fail(const Node& n, const std::string& msg) {
  throw Error(ErrorCode::kInvalidGraph, n.describe() + ": " + msg);
}

const AttrValue& required(const OpDef& def, const Node& n, const std::string& name) {
  const AttrValue* v = attr_or_default(def, n, name);
  if (!v) fail(n, "missing attr '" + name + "'");
  return *v;
}

std::vector<TypeSlot> slots(const OpDef& def, const std::vector<ArgDef>& args, const Node& n) {
  std::vector<TypeSlot> out;
  for (size_t a = 0; a < args.size(); ++a) {
    const ArgDef& arg = args[a];
    int count = arg_count(def, arg, n);
    for (int k = 0; k < count; ++k) {
      TypeSlot s;
      s.arg = static_cast<int>(a);
      s.index_in_arg = k;
      s.is_ref = arg.is_ref;
      if (!arg.type_list_attr.empty()) {
        s.type_attr = arg.type_list_attr;
        s.list_index = k;
      } else if (!arg.type_attr.empty()) {
        s.type_attr = arg.type_attr;
      } else {
        s.fixed = arg.type;
      }
      out.push_back(std::move(s));
    }
  }
  return out;
}

std::vector<DType> dtypes(const OpDef& def, const Node& n, const std::vector<TypeSlot>& ss) {
  std::vector<DType> out;
  out.reserve(ss.size());
  for (const auto& s : ss) out.push_back(slot_dtype(def, n, s));
  return out;
}

std::vector<std::string> attr_names(const std::vector<TypeSlot>& ss) {
  std::vector<std::string> out;
  out.reserve(ss.size());
  for (const auto& s : ss) out.push_back(s.type_attr);
  return out;
}

}  // namespace

const OpDef* find_signature(const Node& n) {
  const OpInfo* info = OpRegistry::global().find(n.op);
  return info && info->def.has_signature ? &info->def : nullptr;
}

const OpDef& signature_of(const Node& n) {
  const OpDef* d = find_signature(n);
  if (!d) throw Error(ErrorCode::kUnimplemented, n.describe() + ": unknown op");
  return *d;
}

const AttrValue* attr_or_default(const OpDef& def, const Node& n, const std::string& name) {
  if (const AttrValue* v = n.find_attr(name)) return v;
  const AttrDef* a = def.find_attr(name);
  return a && a->default_value ? &*a->default_value : nullptr;
}

int arg_count(const OpDef& def, const ArgDef& arg, const Node& n) {
  if (!arg.number_attr.empty()) {
    const AttrValue& v = required(def, n, arg.number_attr);
    if (!v.is<int64_t>()) {
      fail(n, "attr '" + arg.number_attr + "' is " + v.kind_name() + ", expected int");
    }
    int64_t c = v.get<int64_t>();
    if (c < 0 || c > (1 << 24)) {
      fail(n, "attr '" + arg.number_attr + "' value " + std::to_string(c) + " is out of range");
    }
    return static_cast<int>(c);
  }
  if (!arg.type_list_attr.empty()) {
    const AttrValue& v = required(def, n, arg.type_list_attr);
    if (!v.is<AttrList>()) {
      fail(n, "attr '" + arg.type_list_attr + "' is " + v.kind_name() + ", expected list(type)");
    }
    return static_cast<int>(v.get<AttrList>().type.size());
  }
  return 1;
}

std::vector<TypeSlot> input_slots(const OpDef& def, const Node& n) {
  return slots(def, def.inputs, n);
}
std::vector<TypeSlot> output_slots(const OpDef& def, const Node& n) {
  return slots(def, def.outputs, n);
}
std::vector<TypeSlot> input_slots(const Node& n) { return input_slots(signature_of(n), n); }
std::vector<TypeSlot> output_slots(const Node& n) { return output_slots(signature_of(n), n); }

DType slot_dtype(const OpDef& def, const Node& n, const TypeSlot& s) {
  if (s.type_attr.empty()) return s.fixed;
  const AttrValue& v = required(def, n, s.type_attr);
  if (s.list_index >= 0) {
    if (!v.is<AttrList>()) {
      fail(n, "attr '" + s.type_attr + "' is " + v.kind_name() + ", expected list(type)");
    }
    const auto& types = v.get<AttrList>().type;
    if (static_cast<size_t>(s.list_index) >= types.size()) {
      fail(n, "attr '" + s.type_attr + "' has " + std::to_string(types.size()) +
                  " types, position " + std::to_string(s.list_index) + " requested");
    }
    return types[static_cast<size_t>(s.list_index)];
  }
  if (!v.is<DType>()) fail(n, "attr '" + s.type_attr + "' is " + v.kind_name() + ", expected type");
  return v.get<DType>();
}

std::vector<DType> input_dtypes(const OpDef& def, const Node& n) {
  return dtypes(def, n, input_slots(def, n));
}
std::vector<DType> output_dtypes(const OpDef& def, const Node& n) {
  return dtypes(def, n, output_slots(def, n));
}
std::vector<DType> input_dtypes(const Node& n) { return input_dtypes(signature_of(n), n); }
std::vector<DType> output_dtypes(const Node& n) { return output_dtypes(signature_of(n), n); }

std::vector<std::string> input_type_attrs(const Node& n) { return attr_names(input_slots(n)); }
std::vector<std::string> output_type_attrs(const Node& n) { return attr_names(output_slots(n)); }

std::vector<std::string> governing_type_attrs(const OpDef& def) {
  std::vector<std::string> used;
  for (const auto* args : {&def.inputs, &def.outputs}) {
    for (const auto& a : *args) {
      if (!a.type_attr.empty()) used.push_back(a.type_attr);
    }
  }
  std::vector<std::string> out;
  for (const auto& a : def.attrs) {
    if (a.type == "type" && std::find(used.begin(), used.end(), a.name) != used.end()) {
      out.push_back(a.name);
    }
  }
  return out;
}

}  // namespace aamp
