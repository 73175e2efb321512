// The fused_ops of _FusedConv2D / FusedDepthwiseConv2dNative as the GPU's epilogue program
// (cuda_conv_kernels.h): parsed once at kernel creation by the shared parser (ops/epilogue.h),
// bound to the run's device arguments by bind().
#pragma once

#include <vector>

#include "aamp/backends/cpu/ref_linalg_params.h"
#include "aamp/backends/cuda/cuda_conv_kernels.h"
#include "aamp/runtime/kernel.h"

namespace aamp::cuda {

class ConvEpilogue {
 public:
  ConvEpilogue() = default;
  // n's fused_ops (arguments from data input 2 on) for an NHWC output of shape `out`. Throws
  // Error(kUnimplemented) naming the node for an argument that is neither per channel, of the
  // output's shape nor a scalar, of another dtype than the output, or more than kMaxEpSteps steps.
  ConvEpilogue(const Node& n, const KernelInit& init, const std::vector<int64_t>& out);

  bool empty() const { return e_.steps.empty(); }
  const Epilogue& parsed() const { return e_; }
  // How step s reads its argument (kNone for activations).
  EpArg arg_mode(size_t s) const { return prog_.arg[s]; }
  // The program with this run's argument pointers.
  EpProgram bind(const KernelContext& ctx) const;

 private:
  Epilogue e_;
  EpProgram prog_;
  int first_input_[kMaxEpSteps] = {};
};

}  // namespace aamp::cuda
