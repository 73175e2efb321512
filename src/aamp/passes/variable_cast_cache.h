// VariableCastCachePass: for a host that keeps kernel state between runs (the TensorFlow plugin),
// a Cast of a variable's value (ReadVariableOp, directly or through Identity) from float32 to
// bfloat16 becomes CachedCast (TensorFlow: _AampCachedCast). TensorFlow never changes a buffer
// that ReadVariableOp returned: an assignment or optimizer update writes a new buffer while the
// old one is referenced. So the host's kernel, holding the value it last read, reuses its
// bfloat16 copy while a run reads the same buffer, instead of casting every weight on every run.
//
// Does not apply:
// - without PassHooks::cache_variable_casts (aamp's runtime and files for stock TensorFlow);
// - to Casts of anything else (Consts are converted once by AMP; activations change each run);
// - to other dtype pairs (float16 targets, bfloat16 -> float32);
// - to a Cast that is a fetch (its node must keep its op for the caller);
// - to a graph that updates variables (a training step: assignments, ResourceApply*, scatters),
//   where every run reads new weights and holding them would make each update copy them.
#pragma once

#include <string>

#include "aamp/passes/pass_manager.h"

namespace aamp {

class VariableCastCachePass : public Pass {
 public:
  std::string name() const override { return "VariableCastCache"; }
  PassResult run(Graph& g, const PassContext& ctx) override;
};

}  // namespace aamp
