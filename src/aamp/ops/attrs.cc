#include "aamp/ops/attrs.h"

#include "aamp/core/error.h"
#include "aamp/ir/graph.h"
#include "aamp/ops/registry.h"

namespace aamp {

const AttrValue& op_attr(const Node& n, const std::string& name) {
  if (const AttrValue* v = n.find_attr(name)) return *v;
  if (const OpInfo* info = OpRegistry::global().find(n.op))
    if (const AttrDef* a = info->def.find_attr(name); a && a->default_value)
      return *a->default_value;
  throw Error(ErrorCode::kInvalidGraph,
              n.describe() + ": missing attr '" + name + "' (its op declares no default)");
}

bool op_declares_attr(const Node& n, const std::string& name) {
  const OpInfo* info = OpRegistry::global().find(n.op);
  return info && info->def.find_attr(name) != nullptr;
}

namespace {
template <typename T>
const T& typed(const Node& n, const std::string& name, const char* kind) {
  const AttrValue& v = op_attr(n, name);
  if (!v.is<T>())
    throw Error(ErrorCode::kInvalidGraph,
                n.describe() + ": attr '" + name + "' should be " + kind + ", is " + v.kind_name());
  return v.get<T>();
}
}  // namespace

int64_t op_attr_int(const Node& n, const std::string& name) {
  return typed<int64_t>(n, name, "int");
}
float op_attr_float(const Node& n, const std::string& name) {
  return typed<float>(n, name, "float");
}
bool op_attr_bool(const Node& n, const std::string& name) { return typed<bool>(n, name, "bool"); }
const std::string& op_attr_string(const Node& n, const std::string& name) {
  return typed<std::string>(n, name, "string");
}

}  // namespace aamp
