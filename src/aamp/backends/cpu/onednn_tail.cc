#include "aamp/backends/cpu/onednn_tail.h"

#include "aamp/backends/cpu/ref_linalg_params.h"
#include "aamp/core/dispatch.h"
#include "aamp/core/error.h"
#include "aamp/runtime/thread_pool.h"

namespace aamp::onednn {

bool is_ref_impl(const std::string& impl_info) { return impl_info.rfind("ref", 0) == 0; }

bool TailEpilogue::split(Epilogue& ep, const KernelInit& init, TailEpilogue& tail) {
  size_t first = ep.steps.size();
  for (size_t i = 0; i < ep.steps.size() && first == ep.steps.size(); ++i)
    if (ep.steps[i].kind == EpilogueOp::kPrelu) first = i;
  if (first == ep.steps.size()) return false;
  for (size_t i = first; i < ep.steps.size(); ++i) {
    const EpilogueOp k = ep.steps[i].kind;
    if (k != EpilogueOp::kPrelu && k != EpilogueOp::kBiasAdd && !is_activation(k)) return false;
  }
  tail.steps_.assign(ep.steps.begin() + static_cast<std::ptrdiff_t>(first), ep.steps.end());
  tail.act_ = ep.act;
  tail.args_.assign(tail.steps_.size(), {});
  tail.constant_.assign(tail.steps_.size(), false);
  for (size_t i = 0; i < tail.steps_.size(); ++i) {
    const size_t arg = static_cast<size_t>(tail.steps_[i].arg);
    if (tail.steps_[i].arg < 0 || arg >= init.const_inputs.size() || !init.const_inputs[arg])
      continue;
    linalg::to_floats(*init.const_inputs[arg], tail.args_[i]);
    tail.constant_[i] = true;
  }
  ep.steps.resize(first);
  return true;
}

void TailEpilogue::apply(const KernelContext& ctx, int64_t channels, int64_t inner) {
  for (size_t i = 0; i < steps_.size(); ++i)
    if (steps_[i].arg >= 0 && !constant_[i])
      linalg::to_floats(ctx.inputs.at(static_cast<size_t>(steps_[i].arg)), args_[i]);
  for (size_t i = 0; i < steps_.size(); ++i)
    AAMP_CHECK(
        steps_[i].arg < 0 || static_cast<int64_t>(args_[i].size()) == channels,
        ErrorCode::kInvalidArgument,
        "PReLU / BiasAdd argument size differs from the channel count " + std::to_string(channels));
  const TensorView& y = ctx.outputs[0];
  const int64_t n = y.num_elements();
  dispatch_float(y.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* out = y.as<T>();
    parallel_for(n, 1 << 14, ctx.threads, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        const size_t c = static_cast<size_t>((i / inner) % channels);
        float v = as_float(out[i]);
        for (size_t s = 0; s < steps_.size(); ++s) {
          const EpilogueOp k = steps_[s].kind;
          if (k == EpilogueOp::kPrelu)
            v = prelu(v, args_[s][c]);
          else if (k == EpilogueOp::kBiasAdd)
            v += args_[s][c];
          else
            v = activate(k, v, act_);
        }
        out[i] = from_float<T>(v);
      }
    });
  });
}

}  // namespace aamp::onednn
