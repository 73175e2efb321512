// GPU kernel of _AampFusedAttention (ops/aamp_fused_ops.cc): float16 / bfloat16, the depths of
// ops/attention.h's gpu_attention_depths; the launcher is in cuda_attention.cu. Other shapes and
// float32 are not taken here (the CPU reference runs them).
#include <memory>

#include "aamp/backends/cuda/cuda_common.h"
#include "aamp/backends/cuda/cuda_kernels.h"
#include "aamp/ops/attention.h"

namespace aamp::cuda {
namespace {

class AttentionKernel : public Kernel {
 public:
  explicit AttentionKernel(const KernelInit& init) : t_(init.inputs.at(0).dtype) {
    const AttentionGeometry g = attention_geometry(*init.node, init.input_shapes());
    a_.batch = g.batch, a_.heads = g.heads, a_.q_len = g.q_len, a_.kv_len = g.kv_len;
    a_.depth = static_cast<int>(g.depth), a_.v_depth = static_cast<int>(g.v_depth);
    a_.scale = g.scale;
    a_.q_b = g.q.b, a_.q_h = g.q.h, a_.q_s = g.q.s;
    a_.k_b = g.k.b, a_.k_h = g.k.h, a_.k_s = g.k.s;
    a_.v_b = g.v.b, a_.v_h = g.v.h, a_.v_s = g.v.s;
    a_.o_b = g.out.b, a_.o_h = g.out.h, a_.o_s = g.out.s;
    a_.m_b = g.mask_b, a_.m_h = g.mask_h, a_.m_q = g.mask_q, a_.m_k = g.mask_k;
    masked_ = g.masked;
    k_offset_ = g.k_offset, v_offset_ = g.v_offset;
  }
  void run(KernelContext& ctx) override {
    AttentionArgs a = a_;
    a.mask = masked_ ? ctx.inputs[3].data : nullptr;
    const size_t es = dtype_size(t_);
    launch_attention(t_, ctx.inputs[0].data,
                     static_cast<const char*>(ctx.inputs[1].data) + k_offset_ * es,
                     static_cast<const char*>(ctx.inputs[2].data) + v_offset_ * es,
                     ctx.outputs[0].data, a, ctx.stream);
  }

 private:
  DType t_;
  AttentionArgs a_;
  bool masked_ = false;
  int64_t k_offset_ = 0, v_offset_ = 0;
};

bool attention_supported(const KernelInit& i) {
  if (i.inputs.size() < 3 || i.outputs.size() != 1) return false;
  for (const TensorDesc& d : i.inputs)
    if (d.dtype != i.outputs[0].dtype) return false;
  try {
    const AttentionGeometry g = attention_geometry(*i.node, i.input_shapes());
    return gpu_attention_depths(g.depth, g.v_depth);
  } catch (const Error&) {
    return false;  // the CPU kernel reports the bad shapes
  }
}

const bool kRegistered = [] {
  add_gpu(
      "_AampFusedAttention", {DType::kHalf, DType::kBFloat16},
      [](const KernelInit& i) { return std::make_unique<AttentionKernel>(i); },
      attention_supported);
  return true;
}();

}  // namespace
}  // namespace aamp::cuda
