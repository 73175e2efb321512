// Helpers for tests that run a Session over a whole model.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "aamp/runtime/session.h"

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

}  // namespace aamp::testing
