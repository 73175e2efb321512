// oneDNN kernel of _AampFusedAttention (float32 / bfloat16): the scaled scores of a group of
// batches (every head) as one batched matmul that reads q and k where they lie (the strides of
// layout BHSD, BSHD or BS3HD, k as the transposed operand: no Transpose copies), each row's mask
// + softmax in float32 (softmax_row.h) written back in place as T, and a second batched matmul
// with v that writes the output through its layout's strides. The scores are stored as T, as the
// unfused graph's batched matmul writes them (the scale applied by the matmul first, so that
// bfloat16 rounds the logits, not the raw products). They live in the kernel's scratch, a group
// of batches at a time: as many as fit in the output's size, at least one (BERT-base b1: 393 KB
// of scores, where the unfused graph held scores and probabilities, 786 KB). Not taken (the
// vectorized kernel runs) unless oneDNN runs both products on its brgemm kernels (AMX /
// AVX-512): its generic GEMM made the block up to 2.7x slower (strides of a head subset or of
// the merged q/k/v layout, or a CPU without AVX-512).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "aamp/backends/cpu/onednn_common.h"
#include "aamp/backends/cpu/softmax_row.h"
#include "aamp/core/dispatch.h"
#include "aamp/core/error.h"
#include "aamp/ops/attention.h"
#include "aamp/runtime/thread_pool.h"

namespace aamp::onednn {
namespace {

// The largest divisor of n that is at most cap (>= 1).
int64_t divisor_at_most(int64_t n, int64_t cap) {
  for (int64_t d = std::min(n, std::max<int64_t>(cap, 1)); d > 1; --d)
    if (n % d == 0) return d;
  return 1;
}

class AttentionKernel : public Kernel {
 public:
  explicit AttentionKernel(const KernelInit& init)
      : t_(init.inputs.at(0).dtype), g_(attention_geometry(*init.node, init.input_shapes())) {
    const size_t es = dtype_size(t_);
    // Batches per group: the scores of a group fit in the output's bytes (or are one batch's).
    // Groups always take every head: for a subset of the heads oneDNN 2.6 leaves its AMX/AVX-512
    // brgemm matmul for a generic one (BERT's block 2.7x slower).
    const int64_t head_bytes = g_.q_len * g_.kv_len * static_cast<int64_t>(es);
    const int64_t out_bytes =
        g_.batch * g_.heads * g_.q_len * g_.v_depth * static_cast<int64_t>(es);
    hc_ = g_.heads;
    bc_ = divisor_at_most(g_.batch, out_bytes / std::max<int64_t>(g_.heads * head_bytes, 1));
    const memory::data_type mt = dt(t_);
    const memory::desc q_md({bc_, hc_, g_.q_len, g_.depth}, mt, {g_.q.b, g_.q.h, g_.q.s, 1});
    const memory::desc kt_md({bc_, hc_, g_.depth, g_.kv_len}, mt, {g_.k.b, g_.k.h, 1, g_.k.s});
    const memory::dims s_dims = {bc_, hc_, g_.q_len, g_.kv_len};
    const memory::desc s_md(s_dims, mt, row_major(s_dims));
    const memory::desc v_md({bc_, hc_, g_.kv_len, g_.v_depth}, mt, {g_.v.b, g_.v.h, g_.v.s, 1});
    const memory::desc o_md({bc_, hc_, g_.q_len, g_.v_depth}, mt,
                            {g_.out.b, g_.out.h, g_.out.s, 1});
    set_threads(init.threads);
    auto make = [&](const memory::desc& a, const memory::desc& b, const memory::desc& d,
                    const dnnl::primitive_attr& attr) {
      dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, d), attr, engine());
      const std::string impl = pd.impl_info_str();
      AAMP_CHECK(impl.rfind("brg", 0) == 0, ErrorCode::kUnimplemented,
                 init.node->describe() + ": oneDNN offers no brgemm matmul here (" + impl + ")");
      return pd;
    };
    dnnl::primitive_attr scaled;
    scaled.set_output_scales(0, {g_.scale});
    scores_ = dnnl::matmul(make(q_md, kt_md, s_md, scaled));
    values_ = dnnl::matmul(make(s_md, v_md, o_md, dnnl::primitive_attr()));
    q_ = memory(q_md, engine(), nullptr);
    kt_ = memory(kt_md, engine(), nullptr);
    s_ = memory(s_md, engine(), nullptr);
    v_ = memory(v_md, engine(), nullptr);
    o_ = memory(o_md, engine(), nullptr);
    scratch_ = static_cast<size_t>(bc_ * hc_ * head_bytes);
  }
  size_t scratch_bytes() const override { return scratch_; }

  void run(KernelContext& ctx) override {
    const int64_t es = static_cast<int64_t>(dtype_size(t_));
    auto* q = static_cast<char*>(ctx.inputs[0].data);
    auto* k = static_cast<char*>(ctx.inputs[1].data) + g_.k_offset * es;
    auto* v = static_cast<char*>(ctx.inputs[2].data) + g_.v_offset * es;
    auto* o = static_cast<char*>(ctx.outputs[0].data);
    s_.set_data_handle(ctx.scratch);
    set_threads(ctx.threads);
    const int64_t sk = g_.kv_len, rows = bc_ * hc_ * g_.q_len;
    for (int64_t b0 = 0; b0 < g_.batch; b0 += bc_)
      for (int64_t h0 = 0; h0 < g_.heads; h0 += hc_) {
        q_.set_data_handle(q + g_.q.at(b0, h0, 0) * es);
        kt_.set_data_handle(k + g_.k.at(b0, h0, 0) * es);
        v_.set_data_handle(v + g_.v.at(b0, h0, 0) * es);
        o_.set_data_handle(o + g_.out.at(b0, h0, 0) * es);
        scores_.execute(stream(),
                        {{DNNL_ARG_SRC, q_}, {DNNL_ARG_WEIGHTS, kt_}, {DNNL_ARG_DST, s_}});
        stream().wait();
        dispatch_float(t_, [&](auto tag) {
          using T = typename decltype(tag)::type;
          T* s = static_cast<T*>(ctx.scratch);
          const T* mask = g_.masked ? ctx.inputs[3].as<T>() : nullptr;
          parallel_for(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(sk, 1)), ctx.threads,
                       [&](int64_t r0, int64_t r1) {
                         std::vector<float> x(static_cast<size_t>(sk));
                         for (int64_t r = r0; r < r1; ++r) {
                           T* sr = s + r * sk;
                           for (int64_t j = 0; j < sk; ++j) x[j] = as_float(sr[j]);
                           if (mask) {
                             const int64_t i = r % g_.q_len, h = h0 + (r / g_.q_len) % hc_,
                                           b = b0 + r / (g_.q_len * hc_);
                             const T* mr = mask + g_.mask_row(b, h, i);
                             for (int64_t j = 0; j < sk; ++j) x[j] += as_float(mr[j * g_.mask_k]);
                           }
                           cpu::softmax_in_place(x.data(), sk);
                           for (int64_t j = 0; j < sk; ++j) sr[j] = from_float<T>(x[j]);
                         }
                       });
        });
        values_.execute(stream(), {{DNNL_ARG_SRC, s_}, {DNNL_ARG_WEIGHTS, v_}, {DNNL_ARG_DST, o_}});
        stream().wait();
      }
  }

 private:
  DType t_;
  AttentionGeometry g_;
  int64_t bc_ = 1, hc_ = 1;  // batches and heads per group
  dnnl::matmul scores_, values_;
  memory q_, kt_, s_, v_, o_;
  size_t scratch_ = 0;
};

const bool kRegistered = register_kernels([] {
  register_onednn(
      "_AampFusedAttention", [](const KernelInit& i) { AttentionKernel k(i); },
      [](const KernelInit& i) -> std::unique_ptr<Kernel> {
        return std::make_unique<AttentionKernel>(i);
      });
});

}  // namespace
}  // namespace aamp::onednn
