#include "impl/impl_ops.h"

#include <algorithm>

#include "aamp/core/error.h"
#include "aamp/io/proto_convert.h"
#include "aamp/ops/registry.h"

namespace aamp::tfplugin {

namespace {

constexpr std::string_view kPrefix = "_Aamp";

bool is_aamp_only(const std::string& op) {
  const OpInfo* info = OpRegistry::global().find(op);
  return info && info->def.has_signature && info->def.aamp_only;
}

ArgDef arg_from_tf(const tfproto::OpDef::ArgDef& a) {
  ArgDef d;
  d.name = a.name();
  d.type = static_cast<DType>(a.type());
  d.type_attr = a.type_attr();
  d.number_attr = a.number_attr();
  d.type_list_attr = a.type_list_attr();
  d.is_ref = a.is_ref();
  return d;
}

}  // namespace

std::string tf_op_name(const std::string& aamp_op) {
  if (aamp_op.rfind(kPrefix, 0) == 0 || !is_aamp_only(aamp_op)) return aamp_op;
  return std::string(kPrefix) + aamp_op;
}

std::string aamp_op_name(const std::string& tf_op) {
  if (tf_op.rfind(kPrefix, 0) != 0) return tf_op;
  std::string base = tf_op.substr(kPrefix.size());
  if (is_aamp_only(base)) return base;
  return tf_op;
}

void to_tf_names(Graph& g) {
  for (const auto& n : g.nodes()) n->op = tf_op_name(n->op);
}

void to_aamp_names(Graph& g) {
  for (const auto& n : g.nodes()) n->op = aamp_op_name(n->op);
}

const std::vector<std::string>& fused_op_tf_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& op : OpRegistry::global().op_names())
      if (is_aamp_only(op)) v.push_back(tf_op_name(op));
    std::sort(v.begin(), v.end());
    return v;
  }();
  return names;
}

OpDef op_def_from_tf(std::string_view bytes, const std::string& op) {
  tfproto::OpDef p;
  if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw Error(ErrorCode::kParse, "TensorFlow's OpDef of op " + op + " does not parse");
  OpDef d;
  d.name = p.name();
  for (const auto& a : p.input_arg()) d.inputs.push_back(arg_from_tf(a));
  for (const auto& a : p.output_arg()) d.outputs.push_back(arg_from_tf(a));
  for (const auto& a : p.attr()) {
    AttrDef ad;
    ad.name = a.name();
    ad.type = a.type();
    if (a.has_default_value()) ad.default_value = io_internal::attr_from_proto(a.default_value());
    if (a.has_allowed_values()) {
      for (int t : a.allowed_values().list().type()) ad.allowed_types.push_back(static_cast<DType>(t));
      for (const auto& s : a.allowed_values().list().s()) ad.allowed_values.push_back(s);
    }
    ad.has_minimum = a.has_minimum();
    ad.minimum = a.minimum();
    d.attrs.push_back(std::move(ad));
  }
  d.is_stateful = p.is_stateful();
  d.has_signature = true;
  return d;
}

}  // namespace aamp::tfplugin
