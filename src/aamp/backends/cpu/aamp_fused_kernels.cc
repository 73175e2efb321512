// CPU kernels of aamp's own fused ops (ops/aamp_fused_ops.cc): LayerNorm, InstanceNorm,
// _AampFusedAddSoftmax and _AampFusedAttention. They read and write T (float32, bfloat16 or
// float16) and compute in float32; normalisation statistics are always float32. aamp's activation
// ops (Swish, Mish, HardSwish, Gelu) are element-wise reference kernels (reference_elementwise.cc).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "aamp/backends/cpu/cpu_clones.h"
#include "aamp/backends/cpu/softmax_row.h"
#include "aamp/core/dispatch.h"
#include "aamp/core/error.h"
#include "aamp/ops/attention.h"
#include "aamp/ops/attrs.h"
#include "aamp/runtime/kernel.h"
#include "aamp/runtime/thread_pool.h"

namespace aamp {

namespace {

// LayerNorm (last axis) and InstanceNorm (spatial axes). Both normalise groups of `len`
// elements; the group layout differs.
class NormKernel : public Kernel {
 public:
  NormKernel(const KernelInit& init, bool instance) : instance_(instance) {
    const Node& n = *init.node;
    eps_ = op_attr_float(n, "epsilon");
    if (instance) {
      nchw_ = op_attr_string(n, "data_format") == "NCHW";
      const AttrValue* f = n.find_attr("fused_ops");
      if (f && f->is<AttrList>() && !f->get<AttrList>().s.empty()) act_ = f->get<AttrList>().s[0];
      alpha_ = op_attr_float(n, "leakyrelu_alpha");
      AAMP_CHECK(init.inputs[0].shape.size() == 4, ErrorCode::kInvalidGraph,
                 n.describe() + ": InstanceNorm needs a 4-D input");
      AAMP_CHECK(act_.empty() || act_ == "Relu" || act_ == "LeakyRelu", ErrorCode::kUnimplemented,
                 n.describe() + ": unsupported fused activation '" + act_ + "'");
      relu_ = act_ == "Relu";
      leaky_ = act_ == "LeakyRelu";
    }
  }

  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs[0];
    const auto& s = x.shape;
    int64_t channels = s.empty() ? 1 : s.back();
    int64_t groups, len;  // groups of len elements, normalised independently
    if (!instance_) {
      len = channels;
      groups = len ? x.num_elements() / len : 0;
    } else if (!nchw_) {
      channels = s[3];
      groups = s[0] * channels;
      len = s[1] * s[2];
    } else {
      channels = s[1];
      groups = s[0] * channels;
      len = s[2] * s[3];
    }
    std::vector<float> gamma(static_cast<size_t>(channels)), beta(static_cast<size_t>(channels));
    read_vec(ctx.inputs[1], gamma);
    read_vec(ctx.inputs[2], beta);
    dispatch_float(x.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* in = x.as<T>();
      T* out = ctx.outputs[0].as<T>();
      // Groups are independent: split them over threads (each group is at least a row).
      const int64_t grain = std::max<int64_t>(1, (1 << 14) / std::max<int64_t>(len, 1));
      if (!instance_) {  // LayerNorm: contiguous rows
        parallel_for(groups, grain, ctx.threads, [&](int64_t g0, int64_t g1) {
          std::vector<float> row(static_cast<size_t>(len));
          for (int64_t g = g0; g < g1; ++g)
            layer_norm_row(in + g * len, out + g * len, len, gamma.data(), beta.data(), row.data());
        });
        return;
      }
      parallel_for(groups, grain, ctx.threads, [&](int64_t g0, int64_t g1) {
        for (int64_t g = g0; g < g1; ++g) {
          // element k of group g lives at index(g, k); its channel is chan(g, k)
          auto index = [&](int64_t k) -> int64_t {
            if (!instance_) return g * len + k;
            int64_t b = g / channels, c = g % channels;
            return nchw_ ? (b * channels + c) * len + k : (b * len + k) * channels + c;
          };
          double sum = 0, sq = 0;
          for (int64_t k = 0; k < len; ++k) sum += as_float(in[index(k)]);
          const double mean = sum / static_cast<double>(len);
          for (int64_t k = 0; k < len; ++k) {
            double d = as_float(in[index(k)]) - mean;
            sq += d * d;
          }
          const float rstd =
              static_cast<float>(1.0 / std::sqrt(sq / static_cast<double>(len) + eps_));
          for (int64_t k = 0; k < len; ++k) {
            int64_t c = instance_ ? g % channels : k;
            float v = (as_float(in[index(k)]) - static_cast<float>(mean)) * rstd *
                          gamma[static_cast<size_t>(c)] +
                      beta[static_cast<size_t>(c)];
            if (relu_)
              v = std::max(v, 0.0f);
            else if (leaky_)
              v = v < 0 ? v * alpha_ : v;
            out[index(k)] = from_float<T>(v);
          }
        }
      });
    });
  }

 private:
  // One LayerNorm row: statistics in float32 (8 partial sums: the loops vectorize and the
  // additions do not form one long dependency chain), then y = (x - mean) * rstd * gamma + beta.
  template <typename T>
  void layer_norm_row(const T* x, T* y, int64_t len, const float* gamma, const float* beta,
                      float* row) const {
    constexpr int kLanes = 8;
    float acc[kLanes] = {};
    int64_t k = 0;
    for (int64_t i = 0; i < len; ++i) row[i] = as_float(x[i]);
    for (; k + kLanes <= len; k += kLanes)
      for (int l = 0; l < kLanes; ++l) acc[l] += row[k + l];
    float sum = 0;
    for (; k < len; ++k) sum += row[k];
    for (float a : acc) sum += a;
    const float mean = sum / static_cast<float>(len);
    float sq_acc[kLanes] = {};
    for (k = 0; k + kLanes <= len; k += kLanes)
      for (int l = 0; l < kLanes; ++l) {
        const float d = row[k + l] - mean;
        sq_acc[l] += d * d;
      }
    float sq = 0;
    for (; k < len; ++k) sq += (row[k] - mean) * (row[k] - mean);
    for (float a : sq_acc) sq += a;
    const float rstd = 1.0f / std::sqrt(sq / static_cast<float>(len) + eps_);
    for (int64_t i = 0; i < len; ++i)
      y[i] = from_float<T>((row[i] - mean) * rstd * gamma[i] + beta[i]);
  }

  static void read_vec(const TensorView& t, std::vector<float>& v) {
    AAMP_CHECK(t.num_elements() == static_cast<int64_t>(v.size()), ErrorCode::kInvalidArgument,
               "normalisation scale/offset has " + std::to_string(t.num_elements()) +
                   " elements, expected " + std::to_string(v.size()));
    dispatch_float(t.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      for (size_t i = 0; i < v.size(); ++i) v[i] = as_float(t.as<T>()[i]);
    });
  }
  bool instance_;
  bool nchw_ = false;
  bool relu_ = false, leaky_ = false;  // InstanceNorm's fused activation
  float eps_ = 1e-3f;
  float alpha_ = 0.2f;
  std::string act_;
};

// softmax(logits + mask) over the last axis, mask broadcast NumPy-style.
class AddSoftmaxKernel : public Kernel {
 public:
  void run(KernelContext& ctx) override {
    const TensorView& a = ctx.inputs[0];
    const TensorView& m = ctx.inputs[1];
    const auto& out_shape = ctx.outputs[0].shape;
    const int rank = static_cast<int>(out_shape.size());
    const int64_t cols = rank ? out_shape.back() : 1;
    const int64_t rows = cols ? ctx.outputs[0].num_elements() / cols : 0;
    // Strides of each input, aligned right, zero on broadcast dims.
    auto strides = [&](const std::vector<int64_t>& s) {
      std::vector<int64_t> st(static_cast<size_t>(rank), 0);
      int64_t acc = 1;
      for (int i = rank - 1, j = static_cast<int>(s.size()) - 1; i >= 0 && j >= 0; --i, --j) {
        st[static_cast<size_t>(i)] = s[static_cast<size_t>(j)] == 1 ? 0 : acc;
        acc *= s[static_cast<size_t>(j)];
      }
      return st;
    };
    auto sa = strides(a.shape), sm = strides(m.shape);
    dispatch_float(a.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T* pa = a.as<T>();
      const T* pm = m.as<T>();
      T* out = ctx.outputs[0].as<T>();
      const int64_t grain = std::max<int64_t>(1, (1 << 14) / std::max<int64_t>(cols, 1));
      parallel_for(rows, grain, ctx.threads, [&](int64_t r0, int64_t r1) {
        std::vector<float> buf(static_cast<size_t>(cols));
        for (int64_t r = r0; r < r1; ++r) {
          // offsets of row r in both inputs
          int64_t oa = 0, om = 0, rem = r;
          for (int d = rank - 2; d >= 0; --d) {
            int64_t i = rem % out_shape[static_cast<size_t>(d)];
            rem /= out_shape[static_cast<size_t>(d)];
            oa += i * sa[static_cast<size_t>(d)];
            om += i * sm[static_cast<size_t>(d)];
          }
          const int64_t ca = rank ? sa[static_cast<size_t>(rank - 1)] : 0;
          const int64_t cm = rank ? sm[static_cast<size_t>(rank - 1)] : 0;
          float* bp = buf.data();
          if (ca == 1 && (cm == 0 || cm == 1)) {  // contiguous rows: loops that vectorize
            const T* ra = pa + oa;
            const T* rm = pm + om;
            if (cm == 1)
              for (int64_t c = 0; c < cols; ++c) bp[c] = as_float(ra[c]) + as_float(rm[c]);
            else
              for (int64_t c = 0; c < cols; ++c) bp[c] = as_float(ra[c]) + as_float(rm[0]);
          } else {
            for (int64_t c = 0; c < cols; ++c)
              bp[c] = as_float(pa[oa + c * ca]) + as_float(pm[om + c * cm]);
          }
          cpu::softmax_in_place(bp, cols);
          for (int64_t c = 0; c < cols; ++c) out[r * cols + c] = from_float<T>(bp[c]);
        }
      });
    });
  }
};

// The geometry both CPU kernels of _AampFusedAttention work from (ops/attention.h), and their
// operands as typed pointers (k and v at their offsets in a packed q/k/v tensor).
class AttentionKernelBase : public Kernel {
 public:
  explicit AttentionKernelBase(const KernelInit& init)
      : g_(attention_geometry(*init.node, init.input_shapes())) {}

 protected:
  template <typename T>
  struct Operands {
    const T *q, *k, *v, *mask;  // mask nullptr: none
    T* out;
  };
  template <typename T>
  Operands<T> operands(const KernelContext& ctx) const {
    return {ctx.inputs[0].as<T>(), ctx.inputs[1].as<T>() + g_.k_offset,
            ctx.inputs[2].as<T>() + g_.v_offset, g_.masked ? ctx.inputs[3].as<T>() : nullptr,
            ctx.outputs[0].as<T>()};
  }

  AttentionGeometry g_;
};

// _AampFusedAttention, the plain way: per (batch, head, query) row, the scores against every key
// in float32, the softmax (plus the mask) and the probability-weighted sum of v rows: the
// reference the fast kernels (the vectorized one below, onednn_attention.cc's and the GPU's) are
// checked against.
class AttentionKernel : public AttentionKernelBase {
 public:
  using AttentionKernelBase::AttentionKernelBase;
  void run(KernelContext& ctx) override {
    const AttentionGeometry& g = g_;
    const int64_t rows = g.batch * g.heads * g.q_len;
    dispatch_float(ctx.inputs[0].dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const auto [q, k, v, mask, out] = operands<T>(ctx);
      const int64_t work = std::max<int64_t>(1, g.kv_len * (g.depth + g.v_depth));
      parallel_for(rows, std::max<int64_t>(1, (1 << 16) / work), ctx.threads,
                   [&](int64_t r0, int64_t r1) {
                     std::vector<float> qf(static_cast<size_t>(g.depth)),
                         p(static_cast<size_t>(g.kv_len)), acc(static_cast<size_t>(g.v_depth));
                     for (int64_t r = r0; r < r1; ++r) {
                       const int64_t i = r % g.q_len, h = (r / g.q_len) % g.heads,
                                     b = r / (g.q_len * g.heads);
                       const T* qr = q + g.q.at(b, h, i);
                       for (int64_t d = 0; d < g.depth; ++d) qf[d] = as_float(qr[d]);
                       float mx = -INFINITY;
                       for (int64_t j = 0; j < g.kv_len; ++j) {
                         const T* kr = k + g.k.at(b, h, j);
                         float s = 0.0f;
                         for (int64_t d = 0; d < g.depth; ++d) s += qf[d] * as_float(kr[d]);
                         s *= g.scale;
                         if (mask) s += as_float(mask[g.mask_row(b, h, i) + j * g.mask_k]);
                         p[j] = s;
                         mx = std::max(mx, s);
                       }
                       float sum = 0.0f;
                       for (int64_t j = 0; j < g.kv_len; ++j) sum += p[j] = std::exp(p[j] - mx);
                       std::fill(acc.begin(), acc.end(), 0.0f);
                       for (int64_t j = 0; j < g.kv_len; ++j) {
                         const T* vr = v + g.v.at(b, h, j);
                         for (int64_t d = 0; d < g.v_depth; ++d) acc[d] += p[j] * as_float(vr[d]);
                       }
                       T* o = out + g.out.at(b, h, i);
                       for (int64_t d = 0; d < g.v_depth; ++d) o[d] = from_float<T>(acc[d] / sum);
                     }
                   });
    });
  }
};

// _AampFusedAttention's inner products on float32 buffers, 8 query rows x 16 columns of
// accumulators at a time (registers: enough independent FMAs to hide their latency), compiled like
// softmax_in_place. Column counts are padded to multiples of 16 by the caller.
constexpr int kAttRows = 8, kAttCols = 16;

// 16 floats as one value (GCC vector extension): one AVX-512 register, two AVX2 ones, four SSE
// ones, by the clone.
typedef float AttVec __attribute__((vector_size(kAttCols * sizeof(float))));

// c[r][j] = sum_k a[r][k] * b[k][j] for 8 rows: a [8][inner] (row stride lda), b [inner][cols],
// c [8][cols]. The scores (a = q, b = k transposed) and the output (a = probabilities, b = v).
AAMP_CPU_CLONES void eight_rows_times(const float* a, int64_t lda, const float* b, int64_t inner,
                                      int64_t cols, float* c) {
  for (int64_t j0 = 0; j0 < cols; j0 += kAttCols) {
    AttVec acc[kAttRows] = {};
    for (int64_t k = 0; k < inner; ++k) {
      AttVec bv;
      std::memcpy(&bv, b + k * cols + j0, sizeof bv);
      for (int r = 0; r < kAttRows; ++r) acc[r] += a[r * lda + k] * bv;
    }
    for (int r = 0; r < kAttRows; ++r) std::memcpy(c + r * cols + j0, &acc[r], sizeof(AttVec));
  }
}

// _AampFusedAttention, vectorized: one task per (batch, head, block of query rows) converts that
// head's k (transposed, [D][Sk]) and v ([Sk][Dv]) to float32 once; then 8 query rows at a time
// take their scores, the softmax with the vectorized exp, and their output (both products by
// eight_rows_times). No [Sq,Sk] tensor and no transposed copy of q, k, v or the output reaches
// memory.
class AttentionFastKernel : public AttentionKernelBase {
 public:
  using AttentionKernelBase::AttentionKernelBase;
  void run(KernelContext& ctx) override {
    const AttentionGeometry& g = g_;
    const int64_t heads = g.batch * g.heads;
    if (heads == 0 || g.q_len == 0) return;
    // Enough tasks for every thread: query rows split into blocks of at least 16.
    const int64_t want = std::max<int64_t>(1, 2 * resolve_threads(ctx.threads) / heads);
    const int64_t blocks = std::min<int64_t>(want, (g.q_len + 15) / 16);
    const int64_t block_rows = (g.q_len + blocks - 1) / blocks;
    auto pad = [](int64_t n) { return (n + kAttCols - 1) / kAttCols * kAttCols; };
    const int64_t sk = g.kv_len, skp = pad(sk), d_k = g.depth, d_v = g.v_depth, dvp = pad(d_v);
    dispatch_float(ctx.inputs[0].dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      const auto [q, k, v, mask, out] = operands<T>(ctx);
      parallel_for(heads * blocks, 1, ctx.threads, [&](int64_t t0, int64_t t1) {
        std::vector<float> kt(static_cast<size_t>(d_k * skp), 0.0f);
        std::vector<float> vf(static_cast<size_t>(sk * dvp), 0.0f);
        std::vector<float> qf(static_cast<size_t>(kAttRows * d_k), 0.0f);
        std::vector<float> s(static_cast<size_t>(kAttRows * skp));
        std::vector<float> o(static_cast<size_t>(kAttRows * dvp));
        int64_t loaded = -1;
        for (int64_t task = t0; task < t1; ++task) {
          const int64_t bh = task / blocks, b = bh / g.heads, h = bh % g.heads;
          if (bh != loaded) {
            for (int64_t j = 0; j < sk; ++j) {
              const T* kr = k + g.k.at(b, h, j);
              const T* vr = v + g.v.at(b, h, j);
              for (int64_t d = 0; d < d_k; ++d) kt[d * skp + j] = as_float(kr[d]);
              for (int64_t d = 0; d < d_v; ++d) vf[j * dvp + d] = as_float(vr[d]);
            }
            loaded = bh;
          }
          const int64_t i0 = (task % blocks) * block_rows;
          const int64_t i1 = std::min(g.q_len, i0 + block_rows);
          for (int64_t r0 = i0; r0 < i1; r0 += kAttRows) {
            const int rows = static_cast<int>(std::min<int64_t>(kAttRows, i1 - r0));
            for (int r = 0; r < rows; ++r) {
              const T* qr = q + g.q.at(b, h, r0 + r);
              for (int64_t d = 0; d < d_k; ++d) qf[r * d_k + d] = as_float(qr[d]) * g.scale;
            }
            eight_rows_times(qf.data(), d_k, kt.data(), d_k, skp, s.data());
            for (int r = 0; r < rows; ++r) {
              float* sp = s.data() + r * skp;
              if (mask) {
                const T* mr = mask + g.mask_row(b, h, r0 + r);
                for (int64_t j = 0; j < sk; ++j) sp[j] += as_float(mr[j * g.mask_k]);
              }
              cpu::softmax_in_place(sp, sk);
            }
            eight_rows_times(s.data(), skp, vf.data(), sk, dvp, o.data());
            for (int r = 0; r < rows; ++r) {
              T* orow = out + g.out.at(b, h, r0 + r);
              for (int64_t d = 0; d < d_v; ++d) orow[d] = from_float<T>(o[r * dvp + d]);
            }
          }
        }
      });
    });
  }
};

void add(const std::string& op, KernelFactory f) {
  KernelRegistry::global().add(
      {op, DeviceKind::kCPU, amp_float_types(), 0, "reference", std::move(f), {}});
}

const bool kRegistered = register_kernels([] {
  add("LayerNorm", [](const KernelInit& i) { return std::make_unique<NormKernel>(i, false); });
  add("InstanceNorm", [](const KernelInit& i) { return std::make_unique<NormKernel>(i, true); });
  add("_AampFusedAddSoftmax",
      [](const KernelInit&) { return std::make_unique<AddSoftmaxKernel>(); });
  add("_AampFusedAttention",
      [](const KernelInit& i) { return std::make_unique<AttentionKernel>(i); });
  KernelRegistry::global().add(
      {"_AampFusedAttention",
       DeviceKind::kCPU,
       amp_float_types(),
       5,
       "vectorized",
       [](const KernelInit& i) { return std::make_unique<AttentionFastKernel>(i); },
       {}});
});

}  // namespace
}  // namespace aamp
