// GPU kernels of LayerNorm (aamp op: x, scale, offset; normalizes over the last axis) and
// _AampFusedAddSoftmax (softmax(logits + mask) over the last axis, the mask broadcast
// NumPy-style, e.g. [B,1,1,S] against [B,H,S,S]). Launchers in cuda_norm_softmax.cu.
#include <memory>

#include "aamp/backends/cuda/cuda_common.h"
#include "aamp/backends/cuda/cuda_kernels.h"
#include "aamp/ops/attrs.h"

namespace aamp::cuda {
namespace {

class LayerNormKernel : public Kernel {
 public:
  explicit LayerNormKernel(const KernelInit& init) {
    const Node& n = *init.node;
    eps_ = op_attr_float(n, "epsilon");
    const auto& x = init.inputs.at(0).shape;
    cols_ = x.empty() ? 1 : x.back();
    int64_t total = 1;
    for (int64_t d : x) total *= d;
    rows_ = cols_ ? total / cols_ : 0;
    for (size_t i = 1; i <= 2; ++i) {
      int64_t k = 1;
      for (int64_t d : init.inputs.at(i).shape) k *= d;
      AAMP_CHECK(k == cols_, ErrorCode::kInvalidGraph,
                 n.describe() + ": scale/offset must have " + std::to_string(cols_) +
                     " elements (the last dim of x), got " + std::to_string(k));
    }
  }
  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs[0];
    launch_layer_norm(x.dtype, ctx.inputs[1].dtype, x.data, ctx.inputs[1].data, ctx.inputs[2].data,
                      ctx.outputs[0].data, rows_, cols_, eps_, ctx.stream);
  }
  std::vector<std::pair<int, int>> inplace_pairs() const override { return {{0, 0}}; }

 private:
  int64_t rows_ = 0, cols_ = 1;
  float eps_ = 1e-3f;
};

bool layer_norm_supported(const KernelInit& i) {
  if (i.inputs.size() != 3 || i.outputs.size() != 1) return false;
  const DType g = i.inputs[1].dtype;
  return g == i.inputs[2].dtype &&
         (g == DType::kFloat || g == DType::kHalf || g == DType::kBFloat16);
}

// Row layout of `in` broadcast to `out` (both row-major): the leading out dims' strides and the
// last dim's stride (0 where `in` has size 1 or lacks the dim).
void row_index(const std::vector<int64_t>& in, const std::vector<int64_t>& out, StridedMap& ri,
               int64_t& col_stride) {
  const size_t r = out.size();
  int64_t s = 1;
  std::vector<int64_t> st(r, 0);
  for (size_t k = r; k-- > 0;) {
    const size_t off = r - in.size();
    const int64_t d = k >= off ? in[k - off] : 1;
    st[k] = d == 1 ? 0 : s;
    s *= d;
  }
  col_stride = r ? st[r - 1] : 0;
  ri.rank = r ? static_cast<int>(r - 1) : 0;
  for (size_t k = 0; k + 1 < r; ++k) {
    ri.dims[k] = out[k];
    ri.stride[k] = st[k];
  }
}

class AddSoftmaxKernel : public Kernel {
 public:
  explicit AddSoftmaxKernel(const KernelInit& init) {
    const auto& out = init.outputs.at(0).shape;
    row_index(init.inputs.at(0).shape, out, x_rows_, x_cs_);
    row_index(init.inputs.at(1).shape, out, m_rows_, m_cs_);
    x_full_ = init.inputs[0].shape == out;
    cols_ = out.empty() ? 1 : out.back();
    int64_t total = 1;
    for (int64_t d : out) total *= d;
    rows_ = cols_ ? total / cols_ : 0;
  }
  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs[0];
    launch_add_softmax(x.dtype, x.data, x_rows_, x_cs_, ctx.inputs[1].data, m_rows_, m_cs_,
                       ctx.outputs[0].data, rows_, cols_, ctx.stream);
  }
  std::vector<std::pair<int, int>> inplace_pairs() const override {
    if (x_full_) return {{0, 0}};
    return {};
  }

 private:
  StridedMap x_rows_, m_rows_;
  int64_t x_cs_ = 1, m_cs_ = 0, rows_ = 0, cols_ = 1;
  bool x_full_ = true;
};

bool add_softmax_supported(const KernelInit& i) {
  return i.inputs.size() == 2 && i.outputs.size() == 1 && !i.outputs[0].shape.empty() &&
         i.outputs[0].shape.size() <= static_cast<size_t>(kMaxRank) + 1 &&
         i.inputs[0].dtype == i.outputs[0].dtype && i.inputs[1].dtype == i.outputs[0].dtype;
}

const bool kRegistered = [] {
  add_gpu(
      "LayerNorm", gpu_float_types(),
      [](const KernelInit& i) { return std::make_unique<LayerNormKernel>(i); },
      layer_norm_supported);
  add_gpu(
      "_AampFusedAddSoftmax", gpu_float_types(),
      [](const KernelInit& i) { return std::make_unique<AddSoftmaxKernel>(i); },
      add_softmax_supported);
  return true;
}();

}  // namespace
}  // namespace aamp::cuda
