#include "aamp/backends/cpu/onednn_tail.h"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "aamp/backends/cpu/ref_linalg_params.h"
#include "aamp/backends/cpu/reference_common.h"
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
  if (n == 0) return;
  // The output as runs of `len` elements that share a channel pattern: NHWC / matmul (inner 1)
  // rows of `channels` (channel = index in the run), NCHW planes of `inner` (one channel each).
  // Each step then runs as its own loop over the run (float32: in place, else a float32 copy),
  // which vectorizes; the element-wise form (a division and a switch per element and step) was
  // 10x slower.
  const bool rows = inner == 1;
  const int64_t len = rows ? channels : inner;
  const int64_t runs = n / len;
  constexpr int64_t kGrain = 1 << 14;
  dispatch_float(y.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* out = y.as<T>();
    parallel_for(
        runs, std::max<int64_t>(kGrain / len, 1), ctx.threads, [&](int64_t r0, int64_t r1) {
          // float32 runs in place; other dtypes through a float32 copy of the run.
          std::vector<float> buf(std::is_same_v<T, float> ? 0 : static_cast<size_t>(len));
          for (int64_t r = r0; r < r1; ++r) {
            T* run = out + r * len;
            const size_t ch = static_cast<size_t>(r % channels);  // NCHW: the plane's channel
            float* v = buf.data();
            if constexpr (std::is_same_v<T, float>)
              v = run;
            else
              for (int64_t j = 0; j < len; ++j) v[j] = as_float(run[j]);
            for (size_t s = 0; s < steps_.size(); ++s) {
              const EpilogueOp k = steps_[s].kind;
              const float* a = args_[s].data();
              if (k == EpilogueOp::kPrelu) {
                if (rows)
                  for (int64_t j = 0; j < len; ++j) v[j] = prelu(v[j], a[j]);
                else
                  for (int64_t j = 0; j < len; ++j) v[j] = prelu(v[j], a[ch]);
              } else if (k == EpilogueOp::kBiasAdd) {
                if (rows)
                  for (int64_t j = 0; j < len; ++j) v[j] += a[j];
                else
                  for (int64_t j = 0; j < len; ++j) v[j] += a[ch];
              } else {
                for (int64_t j = 0; j < len; ++j) v[j] = activate(k, v[j], act_);
              }
            }
            if constexpr (std::is_same_v<T, bfloat16>)
              ref::narrow_to_bf16(v, run, len);
            else if constexpr (!std::is_same_v<T, float>)
              for (int64_t j = 0; j < len; ++j) run[j] = from_float<T>(v[j]);
          }
        });
  });
}

}  // namespace aamp::onednn
