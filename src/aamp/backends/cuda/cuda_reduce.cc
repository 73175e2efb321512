// GPU kernels of Sum, Mean, Max and Min over constant axes (keep_dims either way: the element
// order is the same), in float32, float16 and bfloat16. Launchers in cuda_reduce.cu.
#include <memory>

#include "aamp/backends/cpu/reference_common.h"
#include "aamp/backends/cuda/cuda_common.h"
#include "aamp/backends/cuda/cuda_kernels.h"
#include "aamp/ops/shape_inference.h"

namespace aamp::cuda {
namespace {

// Dims (size, stride) in order, size-1 dims dropped, memory-adjacent neighbours merged.
struct Dims {
  std::vector<int64_t> size, stride;
  void push(int64_t n, int64_t s) {
    if (n == 1) return;
    if (!size.empty() && stride.back() == s * n) {
      size.back() *= n;
      stride.back() = s;
      return;
    }
    size.push_back(n);
    stride.push_back(s);
  }
  StridedMap map() const {
    StridedMap m;
    m.rank = static_cast<int>(size.size());
    for (size_t d = 0; d < size.size(); ++d) m.dims[d] = size[d], m.stride[d] = stride[d];
    return m;
  }
};

// Splits the input's dims into kept and reduced ones.
void split_dims(const KernelInit& init, Dims& kept, Dims& red) {
  const auto& in = init.inputs.at(0).shape;
  std::vector<bool> is_red(in.size(), false);
  for (int64_t a : ref::const_ints(init, 1))
    is_red[static_cast<size_t>(normalize_axis(a, static_cast<int64_t>(in.size()), init.node))] =
        true;
  std::vector<int64_t> st(in.size(), 1);
  for (size_t k = in.size(); k-- > 1;) st[k - 1] = st[k] * in[k];
  for (size_t d = 0; d < in.size(); ++d) (is_red[d] ? red : kept).push(in[d], st[d]);
}

class ReduceKernel : public Kernel {
 public:
  ReduceKernel(Reduce op, const KernelInit& init) : op_(op) {
    Dims kept, red;
    split_dims(init, kept, red);
    kept_ = kept.map();
    red_ = red.map();
  }
  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs[0];
    if (red_.rank == 0 && op_ != Reduce::kMean)
      copy_device(ctx.outputs[0].data, x.data, ctx.outputs[0].byte_size(), ctx.stream);
    else
      launch_reduce(op_, x.dtype, x.data, ctx.outputs[0].data, kept_, red_, ctx.stream);
  }

 private:
  Reduce op_;
  StridedMap kept_, red_;
};

bool reduce_supported(const KernelInit& i) {
  if (i.inputs.size() != 2 || i.const_inputs.size() < 2 || !i.const_inputs[1] ||
      i.outputs.size() != 1 || i.inputs[0].dtype != i.outputs[0].dtype)
    return false;
  try {
    Dims kept, red;
    split_dims(i, kept, red);
    return kept.size.size() <= static_cast<size_t>(kMaxRank) &&
           red.size.size() <= static_cast<size_t>(kMaxRank);
  } catch (const Error&) {
    return false;
  }
}

const bool kRegistered = [] {
  const std::pair<const char*, Reduce> ops[] = {
      {"Sum", Reduce::kSum}, {"Mean", Reduce::kMean}, {"Max", Reduce::kMax}, {"Min", Reduce::kMin}};
  for (const auto& [op, r] : ops)
    add_gpu(
        op, gpu_float_types(),
        [r = r](const KernelInit& i) { return std::make_unique<ReduceKernel>(r, i); },
        reduce_supported);
  return true;
}();

}  // namespace
}  // namespace aamp::cuda
