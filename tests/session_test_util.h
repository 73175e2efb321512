// Helpers for tests that run a Session over a whole model.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "aamp/io/graph_io.h"
#include "aamp/runtime/session.h"
#include "test_util.h"

namespace aamp::testing {

using Feeds = std::vector<std::pair<std::string, Tensor>>;

// A zero-filled feed for every input of `s`, unknown dims taken as 1, into `feeds`. Returns why
// the model cannot be fed that way ("" when it can): an input of unknown rank, or one of more
// than `max_elements` elements.
inline std::string zero_feeds(const Session& s, Feeds& feeds,
                              int64_t max_elements = std::numeric_limits<int64_t>::max()) {
  feeds.clear();
  for (const std::string& name : s.input_names()) {
    const IODesc d = s.input_desc(name);
    if (d.shape.unknown_rank) return name + " has an unknown rank";
    Shape shape = d.shape;
    for (auto& dim : shape.dims)
      if (dim < 0) dim = 1;
    if (shape.num_elements() > max_elements) return name + " would be too large";
    feeds.emplace_back(name, Tensor(d.dtype, shape));
  }
  return "";
}

// What follows a loop: tests/testdata/control_flow/tensor_list_loop.pbtxt (its output `rows` is
// the input x [n, 3] with row i scaled by i + 1), then mm = MatMul(rows, [[1], [10], [100]]).
inline Graph loop_then_matmul() {
  return parse_graphdef_text(read_testdata("control_flow/tensor_list_loop.pbtxt") + R"(
node { name: "w" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT
         tensor_shape { dim { size: 3 } dim { size: 1 } } float_val: 1 float_val: 10
         float_val: 100 } } } }
node { name: "mm" op: "MatMul" input: "rows" input: "w" attr { key: "T" value { type: DT_FLOAT } }
       attr { key: "transpose_a" value { b: false } } attr { key: "transpose_b" value { b: false } } }
)",
                             "loop_then_matmul.pbtxt");
}

// The kernel name the profile of `st` gives the step of `node` ("" when no step ran it).
inline std::string profiled_kernel(const PlanStats& st, const std::string& node) {
  for (const NodeProfile& p : st.profile)
    if (p.node == node) return p.kernel;
  return "";
}

}  // namespace aamp::testing
