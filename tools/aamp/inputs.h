// Model inputs for the CLI's run/bench commands: name=file.npy files, and seeded random tensors
// for every other Placeholder (unknown dims take the batch size; ids/masks get small
// non-negative integers).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "aamp/ir/graph.h"
#include "aamp/ir/tensor.h"

namespace aamp::cli {

using Feeds = std::vector<std::pair<std::string, Tensor>>;

// One tensor per Placeholder of g, in graph order. Inputs named by a "name=file.npy" spec are
// read from the file (its dtype and shape must fit the Placeholder); the others get seeded
// random values: floats uniform in [0, 1), integers in [0, 100) ([0, 2) for names containing
// "mask" or "type", all ones for "mask"), bools random. Unknown dims take `batch`; an input of
// unknown rank is a scalar (see scalar_defaults). Throws Error(kInvalidArgument) for a malformed
// spec, a name that is not a Placeholder or a file that does not fit; Error(kUnimplemented)
// naming the placeholder when its dtype cannot be generated.
Feeds make_inputs(const Graph& g, const std::vector<std::string>& specs, int64_t batch,
                  uint64_t seed);

// The placeholders of unknown rank that make_inputs fed as random scalars (not given by a spec).
std::vector<std::string> scalar_defaults(const Graph& g, const std::vector<std::string>& specs);
// "input 'r1i' of unknown rank was fed as a random scalar; give it with --input r1i=file.npy",
// or "" for none: printed as a note, and added to the error when the model then fails.
std::string scalar_defaults_note(const std::vector<std::string>& names);

}  // namespace aamp::cli
