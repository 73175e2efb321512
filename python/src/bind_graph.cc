// Graph bindings: aamp.load(path) -> Graph, Graph.save(path), inputs/outputs, op histogram.
#include <pybind11/stl.h>

#include <map>
#include <string>
#include <vector>

#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"
#include "aamp/ir/graph.h"
#include "aamp/ops/signature.h"
#include "aamp/ops/validate.h"
#include "bindings.h"

namespace pyb = pybind11;

namespace aamp::py {
namespace {

// (name, dtype name, dims with -1 for unknown; None for unknown rank).
pyb::tuple io_tuple(const std::string& name, DType t, const Shape* s) {
  pyb::object dims = pyb::none();
  if (s && !s->unknown_rank) dims = pyb::cast(s->dims);
  return pyb::make_tuple(name, t == DType::kInvalid ? std::string("unknown") : dtype_name(t), dims);
}

DType type_attr(const Node& n, const char* key) {
  const AttrValue* v = n.find_attr(key);
  return v && v->is<DType>() ? v->get<DType>() : DType::kInvalid;
}

}  // namespace

void bind_graph(pyb::module_& m) {
  pyb::class_<Graph>(m, "Graph", "A TensorFlow graph loaded into aamp's IR.")
      .def(
          "save", [](const Graph& g, const std::string& path) { save_graph(g, path); },
          pyb::arg("path"), "Saves as .pb (binary GraphDef) or .pbtxt (text) by extension.")
      .def_property_readonly(
          "inputs",
          [](const Graph& g) {
            pyb::list l;
            for (const auto& n : g.nodes()) {
              if (n->op != "Placeholder" && n->op != "PlaceholderWithDefault") continue;
              const AttrValue* s = n->find_attr("shape");
              l.append(io_tuple(n->name, type_attr(*n, "dtype"),
                                s && s->is<Shape>() ? &s->get<Shape>() : nullptr));
            }
            return l;
          },
          "Placeholders as (name, dtype, shape) tuples; -1 marks an unknown dimension.")
      .def_property_readonly(
          "outputs",
          [](const Graph& g) {
            pyb::list l;
            for (const Node* n : g.default_outputs()) {
              // The output's dtype from the op's signature (Cast: DstT, ArgMax: output_type...),
              // "unknown" for ops the registry does not know.
              DType t = DType::kInvalid;
              try {
                std::vector<DType> types = output_dtypes(*n);
                if (!types.empty()) t = types[0];
              } catch (const Error&) {
              }
              l.append(io_tuple(n->name, t, nullptr));
            }
            return l;
          },
          "Nodes nothing reads (by data or control edges; not Const, NoOp or placeholders), as "
          "(name, dtype, shape) tuples.")
      .def_property_readonly("num_nodes", [](const Graph& g) { return g.size(); })
      .def(
          "op_histogram",
          [](const Graph& g) {
            std::map<std::string, int> h;
            for (const auto& n : g.nodes()) ++h[n->op];
            return h;
          },
          "Op type -> number of nodes.")
      .def(
          "validate",
          [](const Graph& g, bool tf_compatible) { return validate(g, tf_compatible).summary(); },
          pyb::arg("tf_compatible") = false,
          "Checks ops, attrs and arity against the op registry; returns a summary line.")
      .def("copy", [](const Graph& g) { return Graph(g); })
      .def("__len__", [](const Graph& g) { return g.size(); })
      .def("__repr__", [](const Graph& g) {
        return "<aamp.Graph with " + std::to_string(g.size()) + " nodes>";
      });
  m.def("load", &load_graph, pyb::arg("path"),
        "Loads a frozen GraphDef (.pb, .pbtxt) or a TF.js graph model (model.json).");
}

}  // namespace aamp::py
