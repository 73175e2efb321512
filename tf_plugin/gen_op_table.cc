// Build-time generator of the TensorFlow plugin's op table (adapter/plugin_kernels.cc includes
// its output): every aamp_only op of aamp's op registry under its TensorFlow name
// (impl/impl_ops.h), with its inputs, outputs and attrs in TF_OpDefinitionBuilder's spec syntax
// ("x: T", "U: {float}", "epsilon: float = 0.001", "args: num_args * T"), the dtypes of its
// kernels (the allowed types of "T") and its shape function (input 0's shape, a broadcast of
// the inputs, or unknown). The adapter links nothing of aamp, since no aamp code may run at
// `import tensorflow`; this is how its table follows the op records without restating them.
//
// Usage: aamp_tf_gen_op_table OUT
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "aamp/ops/registry.h"
#include "aamp_graph.pb.h"
#include "impl/impl_ops.h"

namespace {

using aamp::AttrDef;
using aamp::AttrList;
using aamp::AttrValue;
using aamp::DType;
using aamp::OpDef;

[[noreturn]] void fail(const OpDef& d, const std::string& what) {
  throw std::runtime_error("op " + d.name + ": " + what +
                           " (extend tf_plugin/gen_op_table.cc to write it)");
}

// TensorFlow's name of a dtype in op specs: DT_BFLOAT16 -> "bfloat16".
std::string tf_type(DType t) {
  std::string s = aamp::tfproto::DataType_Name(static_cast<aamp::tfproto::DataType>(t));
  if (s.rfind("DT_", 0) != 0) throw std::runtime_error("no TensorFlow name for a dtype");
  s = s.substr(3);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// The C API's TF_DataType enumerator of a dtype: TF_BFLOAT16.
std::string tf_c_type(DType t) {
  std::string s = tf_type(t);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return "TF_" + s;
}

// The shortest decimal that reads back as the same float.
std::string float_text(float f) {
  char buf[32];
  for (int p = 1; p <= 9; ++p) {
    std::snprintf(buf, sizeof buf, "%.*g", p, static_cast<double>(f));
    if (std::strtof(buf, nullptr) == f) break;
  }
  return buf;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

std::string default_text(const OpDef& d, const AttrDef& a) {
  const AttrValue& v = *a.default_value;
  if (a.type == "int") return std::to_string(v.get<int64_t>());
  if (a.type == "float") return float_text(v.get<float>());
  if (a.type == "bool") return v.get<bool>() ? "true" : "false";
  if (a.type == "string") return quoted(v.get<std::string>());
  if (a.type == "type") return "DT_" + tf_c_type(v.get<DType>()).substr(3);
  const AttrList* l = v.is<AttrList>() ? &v.get<AttrList>() : nullptr;
  if (l && (a.type == "list(int)" || a.type == "list(string)")) {
    std::string s;
    for (int64_t i : l->i) s += (s.empty() ? "" : ", ") + std::to_string(i);
    for (const std::string& x : l->s) s += (s.empty() ? "" : ", ") + quoted(x);
    return "[" + s + "]";
  }
  fail(d, "a default of attr '" + a.name + "' (" + a.type + ")");
}

std::string attr_spec(const OpDef& d, const AttrDef& a) {
  std::string s = a.name + ": ";
  if (a.type == "type" && !a.allowed_types.empty()) {
    std::string l;
    for (DType t : a.allowed_types) l += (l.empty() ? "" : ", ") + tf_type(t);
    s += "{" + l + "}";
  } else if (a.type == "string" && !a.allowed_values.empty()) {
    std::string l;
    for (const std::string& v : a.allowed_values) l += (l.empty() ? "" : ", ") + quoted(v);
    s += "{" + l + "}";
  } else {
    s += a.type;
  }
  if (a.has_minimum) s += " >= " + std::to_string(a.minimum);
  if (a.default_value) s += " = " + default_text(d, a);
  return s;
}

std::string arg_spec(const OpDef& d, const aamp::ArgDef& a) {
  if (a.is_ref || !a.type_list_attr.empty()) fail(d, "arg '" + a.name + "'");
  const std::string type = a.type_attr.empty() ? tf_type(a.type) : a.type_attr;
  return a.name + ": " + (a.number_attr.empty() ? "" : a.number_attr + " * ") + type;
}

std::string c_strings(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ", ") + ("\"" + x + "\"");
  return "{" + s + "}";
}

std::string row(const aamp::OpInfo& info) {
  const OpDef& d = info.def;
  std::vector<std::string> in, out, attrs, dtypes;
  for (const auto& a : d.inputs) in.push_back(arg_spec(d, a));
  for (const auto& a : d.outputs) out.push_back(arg_spec(d, a));
  for (const auto& a : d.attrs) attrs.push_back(attr_spec(d, a));
  const AttrDef* t = d.find_attr("T");
  if (!t || t->type != "type" || t->allowed_types.empty())
    fail(d, "kernels without a type attr 'T' listing its dtypes");
  for (DType x : t->allowed_types) dtypes.push_back(tf_c_type(x));
  std::string dt;
  for (const std::string& x : dtypes) dt += (dt.empty() ? "" : ", ") + x;
  const char* shape = info.traits().same_shape     ? "ShapeFn::kInput0"
                      : info.traits().broadcasting ? "ShapeFn::kBroadcast"
                                                   : "ShapeFn::kUnknown";
  return "{\"" + aamp::tfplugin::tf_op_name(d.name) + "\",\n     " + c_strings(in) + ",\n     " +
         c_strings(out) + ",\n     " + c_strings(attrs) + ",\n     {" + dt + "},\n     " + shape +
         "},\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " OUT\n";
    return 2;
  }
  std::ostringstream text;
  text << "// Generated by tf_plugin/gen_op_table.cc from aamp's op registry: do not edit.\n";
  try {
    const aamp::OpRegistry& r = aamp::OpRegistry::global();
    for (const std::string& op : r.op_names()) {
      const aamp::OpInfo* info = r.find(op);
      if (info->def.has_signature && info->def.aamp_only) text << row(*info);
    }
  } catch (const std::exception& e) {
    std::cerr << argv[0] << ": " << e.what() << "\n";
    return 1;
  }
  std::ofstream f(argv[1]);
  f << text.str();
  if (!f) {
    std::cerr << argv[0] << ": cannot write " << argv[1] << "\n";
    return 1;
  }
  return 0;
}
