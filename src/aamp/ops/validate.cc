#include "aamp/ops/validate.h"

#include <algorithm>
#include <exception>
#include <set>
#include <unordered_map>

#include "aamp/core/error.h"
#include "aamp/ops/registry.h"

namespace aamp {

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}

std::string type_names(const std::vector<DType>& v) {
  std::vector<std::string> n;
  for (DType t : v) n.push_back(dtype_name(t));
  return join(n);
}

// Which AttrValue kind an attr type string asks for ("list(...)" -> "list").
std::string expected_kind(const std::string& type) {
  if (type.rfind("list(", 0) == 0) return "list";
  return type;
}

// The AttrList member a list(X) attr may fill; the others must be empty.
bool list_holds_only(const AttrList& l, const std::string& elem) {
  size_t filled[] = {l.s.size(),    l.i.size(),     l.f.size(),      l.b.size(),
                     l.type.size(), l.shape.size(), l.tensor.size(), l.func.size()};
  static const char* kNames[] = {"string", "int",   "float",  "bool",
                                 "type",   "shape", "tensor", "func"};
  for (size_t k = 0; k < 8; ++k) {
    if (filled[k] != 0 && elem != kNames[k]) return false;
  }
  return true;
}

size_t list_size(const AttrList& l) {
  return l.s.size() + l.i.size() + l.f.size() + l.b.size() + l.type.size() + l.shape.size() +
         l.tensor.size() + l.func.size();
}

class NodeChecker {
 public:
  NodeChecker(const Node& n, std::vector<ValidationIssue>& out) : n_(n), out_(out) {}

  void add(const std::string& msg) { out_.push_back({n_.name, n_.op, msg}); }

  // Returns false when the attr's value is unusable (missing or of the wrong kind).
  bool check_attr(const OpDef& def, const AttrDef& a) {
    const AttrValue* v = attr_or_default(def, n_, a.name);
    if (!v) {
      add("missing required attr '" + a.name + "' (" + a.type + ")");
      return false;
    }
    if (v->is<AttrPlaceholder>()) return true;  // function bodies: bound at instantiation
    std::string kind = expected_kind(a.type);
    if (kind != v->kind_name()) {
      add("attr '" + a.name + "' is " + v->kind_name() + ", expected " + a.type);
      return false;
    }
    if (kind == "list") {
      std::string elem = a.type.substr(5, a.type.size() - 6);
      const AttrList& l = v->get<AttrList>();
      if (!list_holds_only(l, elem)) {
        add("attr '" + a.name + "' value " + v->to_string() + " is not a " + a.type);
        return false;
      }
      if (a.has_minimum && static_cast<int64_t>(list_size(l)) < a.minimum) {
        add("attr '" + a.name + "' has " + std::to_string(list_size(l)) +
            " elements, fewer than the minimum " + std::to_string(a.minimum));
      }
      if (!a.allowed_types.empty()) {
        for (DType t : l.type) check_type_allowed(a, t);
      }
      if (!a.allowed_values.empty()) {
        for (const auto& s : l.s) check_string_allowed(a, s);
      }
      return true;
    }
    if (kind == "type" && !a.allowed_types.empty()) check_type_allowed(a, v->get<DType>());
    if (kind == "string" && !a.allowed_values.empty()) {
      check_string_allowed(a, v->get<std::string>());
    }
    if (kind == "int" && a.has_minimum && v->get<int64_t>() < a.minimum) {
      add("attr '" + a.name + "' value " + std::to_string(v->get<int64_t>()) +
          " is below the minimum " + std::to_string(a.minimum));
      return false;
    }
    return true;
  }

  void check_type_allowed(const AttrDef& a, DType t) {
    if (std::find(a.allowed_types.begin(), a.allowed_types.end(), t) != a.allowed_types.end()) {
      return;
    }
    add("attr '" + a.name + "' value " + dtype_name(t) + " not in [" + type_names(a.allowed_types) +
        "]");
  }

  void check_string_allowed(const AttrDef& a, const std::string& s) {
    if (std::find(a.allowed_values.begin(), a.allowed_values.end(), s) != a.allowed_values.end()) {
      return;
    }
    add("attr '" + a.name + "' value \"" + s + "\" not in [" + join(a.allowed_values) + "]");
  }

  void run(bool tf_compatible) {
    const OpDef* def = find_signature(n_);
    if (!def) {
      add("unknown op '" + n_.op + "'");
      return;
    }
    if (tf_compatible && def->aamp_only) {
      add("op '" + n_.op + "' is aamp-only: stock TensorFlow cannot run it");
    }
    if (tf_compatible && def->tfjs_only) {
      add("op '" + n_.op + "' is TensorFlow.js-only: stock TensorFlow cannot run it");
    }
    bool attrs_ok = true;
    for (const AttrDef& a : def->attrs) attrs_ok = check_attr(*def, a) && attrs_ok;
    for (const auto& [name, _] : n_.attrs) {
      if (!name.empty() && name[0] == '_') continue;
      if (!def->find_attr(name)) add("attr '" + name + "' is not in the signature of " + n_.op);
    }
    if (!attrs_ok) return;  // counts need the attrs
    std::vector<TypeSlot> slots;
    try {
      slots = input_slots(*def, n_);
    } catch (const Error& e) {
      add(strip_prefix(e.what()));
      return;
    }
    int got = n_.num_data_inputs();
    if (got != static_cast<int>(slots.size())) {
      std::vector<std::string> names;
      for (const auto& in : def->inputs) {
        std::string s = in.name;
        if (!in.number_attr.empty()) s += "[" + in.number_attr + "]";
        if (!in.type_list_attr.empty()) s += "[" + in.type_list_attr + "]";
        names.push_back(s);
      }
      add("has " + std::to_string(got) + " data inputs, the signature expects " +
          std::to_string(slots.size()) + " (" + join(names) + ")");
    }
  }

  std::string strip_prefix(const std::string& msg) const {
    std::string p = n_.describe() + ": ";
    return msg.rfind(p, 0) == 0 ? msg.substr(p.size()) : msg;
  }

 private:
  const Node& n_;
  std::vector<ValidationIssue>& out_;
};

// Output dtypes of a node, or empty when they cannot be resolved (issues reported elsewhere).
std::vector<DType> try_output_dtypes(const Node& n) {
  const OpDef* def = find_signature(n);
  if (!def) return {};
  try {
    return output_dtypes(*def, n);
  } catch (const Error&) {
    return {};
  }
}

// Data inputs whose producer's dtype differs from what the consumer's signature expects.
void check_input_dtypes(const Graph& g, const std::set<std::string>& bad_nodes,
                        std::vector<ValidationIssue>& issues) {
  std::unordered_map<std::string, std::vector<DType>> outs;
  auto out_types = [&](const std::string& name) -> const std::vector<DType>* {
    auto it = outs.find(name);
    if (it == outs.end()) {
      const Node* p = g.find(name);
      it = outs.emplace(name, p ? try_output_dtypes(*p) : std::vector<DType>{}).first;
    }
    return &it->second;
  };
  for (const auto& np : g.nodes()) {
    const Node& n = *np;
    if (bad_nodes.count(n.name)) continue;
    const OpDef* def = find_signature(n);
    if (!def) continue;
    std::vector<DType> want;
    try {
      want = input_dtypes(*def, n);
    } catch (const Error&) {
      continue;
    }
    int count = std::min<int>(n.num_data_inputs(), static_cast<int>(want.size()));
    for (int i = 0; i < count; ++i) {
      TensorRef ref;
      try {
        ref = n.input(i);
      } catch (const Error&) {
        continue;
      }
      const std::vector<DType>* have = out_types(ref.node);
      if (ref.port < 0 || static_cast<size_t>(ref.port) >= have->size()) continue;
      DType h = (*have)[static_cast<size_t>(ref.port)];
      DType w = want[static_cast<size_t>(i)];
      if (h == DType::kInvalid || w == DType::kInvalid || h == w) continue;
      issues.push_back({n.name, n.op,
                        "input " + std::to_string(i) + " ('" + n.inputs[static_cast<size_t>(i)] +
                            "') is " + dtype_name(h) + ", expected " + dtype_name(w)});
    }
  }
}

}  // namespace

std::string ValidationIssue::to_string() const {
  if (node.empty()) return message;
  return "node '" + node + "' (" + op + "): " + message;
}

std::string ValidationResult::summary() const {
  if (issues.empty()) return "ok";
  // Issues with the same op and message are one line naming their first nodes (a function body
  // has hundreds of _Arg nodes); at most kLines lines.
  constexpr size_t kLines = 20, kNames = 3;
  std::vector<std::vector<const ValidationIssue*>> groups;
  for (const ValidationIssue& i : issues) {
    auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& v) {
      return !i.node.empty() && v[0]->op == i.op && v[0]->message == i.message;
    });
    if (g == groups.end())
      groups.push_back({&i});
    else
      g->push_back(&i);
  }
  std::string s;
  for (size_t k = 0; k < groups.size() && k < kLines; ++k) {
    const auto& v = groups[k];
    if (k) s += "\n";
    if (v.size() == 1) {
      s += v[0]->to_string();
      continue;
    }
    s += std::to_string(v.size()) + " nodes (" + v[0]->op + "), ";
    for (size_t j = 0; j < v.size() && j < kNames; ++j) s += (j ? ", '" : "'") + v[j]->node + "'";
    if (v.size() > kNames) s += " and " + std::to_string(v.size() - kNames) + " more";
    s += ": " + v[0]->message;
  }
  if (groups.size() > kLines)
    s += "\n... and " + std::to_string(groups.size() - kLines) + " more kinds of issue";
  return s;
}

void validate_node(const Node& n, bool tf_compatible, std::vector<ValidationIssue>& issues) {
  NodeChecker(n, issues).run(tf_compatible);
}

ValidationResult validate(const Graph& g, bool tf_compatible) {
  ValidationResult r;
  try {
    g.check_structure();
  } catch (const std::exception& e) {
    r.issues.push_back({"", "", e.what()});
  }
  std::set<std::string> bad_nodes;
  for (const auto& n : g.nodes()) {
    size_t before = r.issues.size();
    validate_node(*n, tf_compatible, r.issues);
    if (r.issues.size() != before) bad_nodes.insert(n->name);
  }
  check_input_dtypes(g, bad_nodes, r.issues);
  return r;
}

}  // namespace aamp
