// oneDNN kernel of _AampFusedAttention (float32 / bfloat16): the scores of every (batch, head) as
// one batched matmul that reads q and k where they lie (the strides of layout BHSD, BSHD or
// BS3HD, k as the transposed operand: no Transpose copies), each row's scale + mask + softmax in
// float32 (softmax_row.h), the probabilities stored as T, and a second batched matmul with v that
// writes the output in its layout. Scores and probabilities live in the kernel's scratch (plan
// arena). Not taken (the vectorized kernel runs) when oneDNN would run either product on its
// reference implementation.
#include <algorithm>
#include <memory>
#include <string>

#include "aamp/backends/cpu/onednn_common.h"
#include "aamp/backends/cpu/softmax_row.h"
#include "aamp/core/dispatch.h"
#include "aamp/core/error.h"
#include "aamp/ops/attention.h"
#include "aamp/runtime/thread_pool.h"

namespace aamp::onednn {
namespace {

constexpr size_t kAlign = 64;
size_t aligned(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

class AttentionKernel : public Kernel {
 public:
  explicit AttentionKernel(const KernelInit& init) : t_(init.inputs.at(0).dtype) {
    std::vector<std::vector<int64_t>> shapes;
    for (const TensorDesc& d : init.inputs) shapes.push_back(d.shape);
    g_ = attention_geometry(*init.node, shapes);
    const memory::data_type mt = dt(t_);
    const memory::desc q_md({g_.batch, g_.heads, g_.q_len, g_.depth}, mt,
                            {g_.q.b, g_.q.h, g_.q.s, 1});
    const memory::desc kt_md({g_.batch, g_.heads, g_.depth, g_.kv_len}, mt,
                             {g_.k.b, g_.k.h, 1, g_.k.s});
    const memory::dims s_dims = {g_.batch, g_.heads, g_.q_len, g_.kv_len};
    const memory::desc s_md(s_dims, memory::data_type::f32, row_major(s_dims));
    const memory::desc p_md(s_dims, mt, row_major(s_dims));
    const memory::desc v_md({g_.batch, g_.heads, g_.kv_len, g_.v_depth}, mt,
                            {g_.v.b, g_.v.h, g_.v.s, 1});
    const memory::desc o_md({g_.batch, g_.heads, g_.q_len, g_.v_depth}, mt,
                            {g_.out.b, g_.out.h, g_.out.s, 1});
    set_threads(init.threads);
    auto make = [&](const memory::desc& a, const memory::desc& b, const memory::desc& d) {
      dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, d), engine());
      const std::string impl = pd.impl_info_str();
      AAMP_CHECK(impl.rfind("ref", 0) != 0, ErrorCode::kUnimplemented,
                 init.node->describe() + ": oneDNN has only its reference matmul (" + impl + ")");
      return pd;
    };
    scores_ = dnnl::matmul(make(q_md, kt_md, s_md));
    values_ = dnnl::matmul(make(p_md, v_md, o_md));
    q_ = memory(q_md, engine(), nullptr);
    kt_ = memory(kt_md, engine(), nullptr);
    s_ = memory(s_md, engine(), nullptr);
    p_ = memory(p_md, engine(), nullptr);
    v_ = memory(v_md, engine(), nullptr);
    o_ = memory(o_md, engine(), nullptr);
    s_bytes_ = aligned(static_cast<size_t>(g_.batch * g_.heads * g_.q_len * g_.kv_len) * 4);
    p_bytes_ =
        aligned(static_cast<size_t>(g_.batch * g_.heads * g_.q_len * g_.kv_len) * dtype_size(t_));
  }
  size_t scratch_bytes() const override { return s_bytes_ + p_bytes_; }

  void run(KernelContext& ctx) override {
    const size_t es = dtype_size(t_);
    auto* scratch = static_cast<unsigned char*>(ctx.scratch);
    float* s = reinterpret_cast<float*>(scratch);
    q_.set_data_handle(ctx.inputs[0].data);
    kt_.set_data_handle(static_cast<char*>(ctx.inputs[1].data) + g_.k_offset * es);
    v_.set_data_handle(static_cast<char*>(ctx.inputs[2].data) + g_.v_offset * es);
    s_.set_data_handle(s);
    p_.set_data_handle(scratch + s_bytes_);
    o_.set_data_handle(ctx.outputs[0].data);
    set_threads(ctx.threads);
    scores_.execute(stream(), {{DNNL_ARG_SRC, q_}, {DNNL_ARG_WEIGHTS, kt_}, {DNNL_ARG_DST, s_}});
    stream().wait();
    const int64_t sk = g_.kv_len, rows = g_.batch * g_.heads * g_.q_len;
    dispatch_float(t_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* p = reinterpret_cast<T*>(scratch + s_bytes_);
      const T* mask = g_.masked ? ctx.inputs[3].as<T>() : nullptr;
      parallel_for(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(sk, 1)), ctx.threads,
                   [&](int64_t r0, int64_t r1) {
                     for (int64_t r = r0; r < r1; ++r) {
                       float* sr = s + r * sk;
                       for (int64_t j = 0; j < sk; ++j) sr[j] *= g_.scale;
                       if (mask) {
                         const int64_t i = r % g_.q_len, h = (r / g_.q_len) % g_.heads,
                                       b = r / (g_.q_len * g_.heads);
                         const T* mr = mask + b * g_.mask_b + h * g_.mask_h + i * g_.mask_q;
                         for (int64_t j = 0; j < sk; ++j) sr[j] += as_float(mr[j * g_.mask_k]);
                       }
                       cpu::softmax_in_place(sr, sk);
                       T* pr = p + r * sk;
                       for (int64_t j = 0; j < sk; ++j) pr[j] = from_float<T>(sr[j]);
                     }
                   });
    });
    values_.execute(stream(), {{DNNL_ARG_SRC, p_}, {DNNL_ARG_WEIGHTS, v_}, {DNNL_ARG_DST, o_}});
    stream().wait();
  }

 private:
  DType t_;
  AttentionGeometry g_;
  dnnl::matmul scores_, values_;
  memory q_, kt_, s_, p_, v_, o_;
  size_t s_bytes_ = 0, p_bytes_ = 0;
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
