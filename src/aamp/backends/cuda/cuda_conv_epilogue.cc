#include "aamp/backends/cuda/cuda_conv_epilogue.h"

#include <string>

#include "aamp/core/error.h"

namespace aamp::cuda {
namespace {


int64_t elements(const std::vector<int64_t>& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

// Whether `arg` is `out` with leading 1s (or fewer dims).
bool same_as_output(const std::vector<int64_t>& arg, const std::vector<int64_t>& out) {
  if (elements(arg) != elements(out)) return false;
  size_t i = arg.size(), j = out.size();
  while (i > 0 && j > 0)
    if (arg[--i] != out[--j]) return false;
  while (i > 0)
    if (arg[--i] != 1) return false;
  return true;
}

// Per channel: C values on the last axis ([C], [1, 1, C], ...).
bool per_channel(const std::vector<int64_t>& arg, int64_t channels) {
  if (elements(arg) != channels) return false;
  for (size_t i = 0; i + 1 < arg.size(); ++i)
    if (arg[i] != 1) return false;
  return true;
}

}  // namespace

ConvEpilogue::ConvEpilogue(const Node& n, const KernelInit& init, const std::vector<int64_t>& out) {
  e_ = parse_epilogue(n, kFirstEpilogueArg, static_cast<int>(init.inputs.size()));
  if (e_.steps.empty()) return;
  AAMP_CHECK(e_.steps.size() <= static_cast<size_t>(kMaxEpSteps), ErrorCode::kUnimplemented,
             n.describe() + ": more than " + std::to_string(kMaxEpSteps) +
                 " fused_ops are not supported on gpu");
  const DType t = init.outputs.at(0).dtype;
  const int64_t channels = out.empty() ? 1 : out.back();
  prog_.num_steps = static_cast<int32_t>(e_.steps.size());
  prog_.epsilon = e_.epsilon;
  prog_.act = e_.act;
  prog_.channels = channels;
  for (size_t s = 0; s < e_.steps.size(); ++s) {
    const EpilogueStep& st = e_.steps[s];
    prog_.kind[s] = st.kind;
    first_input_[s] = st.arg;
    if (is_activation(st.kind)) continue;
    const int num_args = epilogue_op_def(st.kind).num_args;
    EpArg mode = EpArg::kNone;
    for (int k = 0; k < num_args; ++k) {
      const TensorDesc& a = init.inputs.at(static_cast<size_t>(st.arg + k));
      AAMP_CHECK(a.dtype == t, ErrorCode::kUnimplemented,
                 n.describe() + ": fused argument " + std::to_string(st.arg + k) + " is " +
                     dtype_name(a.dtype) + ", the output " + dtype_name(t) +
                     " (the GPU's epilogue needs one dtype)");
      const bool channel_only = epilogue_op_def(st.kind).per_channel_only;
      EpArg m = EpArg::kNone;
      if (per_channel(a.shape, channels))
        m = EpArg::kChannel;
      else if (!channel_only && same_as_output(a.shape, out))
        m = EpArg::kFull;
      else if (!channel_only && elements(a.shape) == 1)
        m = EpArg::kScalar;
      AAMP_CHECK(m != EpArg::kNone, ErrorCode::kUnimplemented,
                 n.describe() + ": fused argument " + Shape(a.shape).to_string() +
                     " is neither per channel, of the output's shape " + Shape(out).to_string() +
                     " nor a scalar (not supported on gpu)");
      AAMP_CHECK(k == 0 || m == mode, ErrorCode::kUnimplemented,
                 n.describe() + ": FusedBatchNorm arguments must all be per channel");
      mode = m;
    }
    prog_.arg[s] = mode;
  }
}

EpProgram ConvEpilogue::bind(const KernelContext& ctx) const {
  EpProgram p = prog_;
  for (int s = 0; s < p.num_steps; ++s) {
    if (p.arg[s] == EpArg::kNone) continue;
    const int num_args = epilogue_op_def(p.kind[s]).num_args;
    for (int k = 0; k < num_args; ++k)
      p.ptr[s][k] = ctx.inputs[static_cast<size_t>(first_input_[s] + k)].data;
  }
  return p;
}

}  // namespace aamp::cuda
