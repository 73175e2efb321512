// The part of a fused epilogue that runs after a oneDNN primitive instead of as its post-ops.
//
// oneDNN 2.x implements a PReLU post-op only in its reference primitives ("ref:any"): a
// convolution then runs 10-50x slower, and the reference matmul (2.6) fails to execute at all.
// Kernels therefore split the epilogue at its first PReLU when the full one would select a
// reference implementation: the head stays in the primitive, the PReLU and the per-channel
// bias / activation steps after it run as one pass over the output. It does not apply when a
// step after the PReLU needs a non-per-channel argument (Add, Mul, FusedBatchNorm): split()
// then refuses and the kernel keeps the full epilogue.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aamp/ops/activation.h"
#include "aamp/ops/epilogue.h"
#include "aamp/runtime/kernel.h"

namespace aamp::onednn {

// True for oneDNN's reference implementations (impl_info_str() "ref:...").
bool is_ref_impl(const std::string& impl_info);

class TailEpilogue {
 public:
  // Moves `ep`'s steps from its first PReLU on into `tail`; false (both untouched) when `ep` has
  // no PReLU or a later step is not a PReLU, BiasAdd or activation. The moved steps' constant
  // arguments (init.const_inputs) are read into float32 here, once; the others at each run.
  static bool split(Epilogue& ep, const KernelInit& init, TailEpilogue& tail);
  bool empty() const { return steps_.empty(); }

  // Applies the steps in place to output 0, whose element i has channel (i / inner) % channels
  // (inner = 1: channels innermost, as NHWC and matmul outputs; H*W for NCHW).
  void apply(const KernelContext& ctx, int64_t channels, int64_t inner);

 private:
  std::vector<EpilogueStep> steps_;
  ActParams act_;
  std::vector<std::vector<float>> args_;  // per step: its argument in float32 (empty: none)
  std::vector<bool> constant_;            // per step: args_ was read at creation
};

}  // namespace aamp::onednn
