// Helpers for building small graphs in tests/ops.
#pragma once

#include <string>
#include <vector>

#include "aamp/ir/graph.h"

namespace aamp::testing {

inline Node make_node(const std::string& name, const std::string& op,
                      std::vector<std::string> inputs = {}, AttrMap attrs = {}) {
  Node n;
  n.name = name;
  n.op = op;
  n.inputs = std::move(inputs);
  n.attrs = std::move(attrs);
  return n;
}

inline Node placeholder(const std::string& name, DType t = DType::kFloat) {
  return make_node(name, "Placeholder", {}, {{"dtype", t}});
}

// Conv2D with valid attrs, reading `in` and `filter`.
inline Node conv2d(const std::string& name, const std::string& in, const std::string& filter) {
  return make_node(name, "Conv2D", {in, filter},
                   {{"T", DType::kFloat},
                    {"strides", int_list({1, 1, 1, 1})},
                    {"padding", "SAME"},
                    {"data_format", "NHWC"}});
}

}  // namespace aamp::testing
