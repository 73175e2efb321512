// Model inputs for the CLI's run/bench commands: seeded random tensors for every Placeholder
// (unknown dims take the batch size; ids/masks get small non-negative integers) and
// name=file.npy overrides.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "aamp/ir/graph.h"
#include "aamp/ir/tensor.h"

namespace aamp::cli {

using Feeds = std::vector<std::pair<std::string, Tensor>>;

// One tensor per Placeholder of g, in graph order: floats uniform in [0, 1), integers in
// [0, 100) ([0, 2) for names containing "mask" or "type", all ones for "mask"), bools random.
// Throws Error naming the placeholder when its dtype cannot be generated.
Feeds random_inputs(const Graph& g, int64_t batch, uint64_t seed);

// Applies "name=file.npy" specs on top of `feeds` (replacing the generated tensor). Throws
// Error(kInvalidArgument) for a malformed spec or a name that is not a Placeholder.
void apply_input_files(const Graph& g, const std::vector<std::string>& specs, Feeds* feeds);

}  // namespace aamp::cli
