// oneDNN kernels for MaxPool, AvgPool (TF's SAME average excludes the padding), Softmax (last
// axis), FusedBatchNorm / V2 / V3 in inference mode (is_training = false) and the standalone
// activations (Relu, Relu6, Elu, LeakyRelu, Sigmoid, Tanh, Swish, Mish, HardSwish, Gelu: oneDNN's
// eltwise, the algorithm its fused epilogues use). Pooling offers to run in place where
// pool_inplace_safe holds and then runs aamp's own walk (pool_inplace.h).
#include <cstring>
#include <memory>

#include "aamp/backends/cpu/onednn_common.h"
#include "aamp/backends/cpu/pool_inplace.h"
#include "aamp/core/error.h"
#include "aamp/ops/attrs.h"
#include "aamp/ops/epilogue.h"

namespace aamp::onednn {
namespace {

class PoolKernel : public PrimitiveKernel {
 public:
  PoolKernel(const KernelInit& init, bool probe) : PrimitiveKernel(init) {
    const Node& n = *init.node;
    AAMP_CHECK(!init.inputs.empty() && !init.outputs.empty(), ErrorCode::kInvalidGraph,
               n.describe() + ": missing input");
    const DType t = init.inputs[0].dtype;
    AAMP_CHECK(init.outputs[0].dtype == t, ErrorCode::kUnimplemented, n.describe() + ": dtypes");
    const memory::data_type mt = dt(t);
    const linalg::Conv2DGeom g = linalg::pool_geom(n, init.inputs[0].shape);
    g_ = g;
    max_ = n.op == "MaxPool";
    AAMP_CHECK(g.n > 0 && g.in_c > 0 && g.out_h > 0 && g.out_w > 0, ErrorCode::kUnimplemented,
               n.describe() + ": empty pooling");
    const auto tag = g.nchw ? memory::format_tag::nchw : memory::format_tag::nhwc;
    const memory::desc in_md({g.n, g.in_c, g.in_h, g.in_w}, mt, tag);
    const memory::desc out_md({g.n, g.out_c, g.out_h, g.out_w}, mt, tag);
    const auto alg = n.op == "MaxPool" ? dnnl::algorithm::pooling_max
                                       : dnnl::algorithm::pooling_avg_exclude_padding;
    dnnl::pooling_forward::primitive_desc pd(
        dnnl::pooling_forward::desc(dnnl::prop_kind::forward_inference, alg, in_md, out_md,
                                    {g.stride_h, g.stride_w}, {g.k_h, g.k_w}, {g.pad_t, g.pad_l},
                                    {g.pad_b, g.pad_r}),
        engine());
    if (probe) return;
    prim_ = dnnl::pooling_forward(pd);
    bind(DNNL_ARG_SRC, in_md, Source::kInput, 0);
    bind(DNNL_ARG_DST, out_md, Source::kOutput, 0);
    inplace_ = linalg::pool_inplace_safe(g);
  }

  void run(KernelContext& ctx) override {
    if (ctx.inputs[0].data == ctx.outputs[0].data)
      linalg::pool_nhwc(g_, max_, ctx.inputs[0], ctx.outputs[0], ctx.threads);
    else
      PrimitiveKernel::run(ctx);
  }
  std::vector<std::pair<int, int>> inplace_shrink_pairs() const override {
    if (inplace_) return {{0, 0}};
    return {};
  }

 private:
  linalg::Conv2DGeom g_;
  bool max_ = false;
  bool inplace_ = false;
};

class SoftmaxKernel : public PrimitiveKernel {
 public:
  SoftmaxKernel(const KernelInit& init, bool probe) : PrimitiveKernel(init) {
    const Node& n = *init.node;
    AAMP_CHECK(!init.inputs.empty() && !init.outputs.empty(), ErrorCode::kInvalidGraph,
               n.describe() + ": missing input");
    const DType t = init.inputs[0].dtype;
    AAMP_CHECK(init.outputs[0].dtype == t, ErrorCode::kUnimplemented, n.describe() + ": dtypes");
    const auto& s = init.inputs[0].shape;
    AAMP_CHECK(!s.empty(), ErrorCode::kUnimplemented, n.describe() + ": scalar softmax");
    for (int64_t d : s)
      AAMP_CHECK(d > 0, ErrorCode::kUnimplemented, n.describe() + ": empty softmax");
    const memory::dims dims = to_dims(s);
    const memory::desc md(dims, dt(t), row_major(dims));
    dnnl::softmax_forward::primitive_desc pd(
        dnnl::softmax_forward::desc(dnnl::prop_kind::forward_inference, md,
                                    static_cast<int>(dims.size()) - 1),
        engine());
    if (probe) return;
    prim_ = dnnl::softmax_forward(pd);
    bind(DNNL_ARG_SRC, md, Source::kInput, 0);
    bind(DNNL_ARG_DST, md, Source::kOutput, 0);
  }
};

class BatchNormKernel : public PrimitiveKernel {
 public:
  BatchNormKernel(const KernelInit& init, bool probe) : PrimitiveKernel(init) {
    const Node& n = *init.node;
    AAMP_CHECK(!op_attr_bool(n, "is_training"), ErrorCode::kUnimplemented,
               n.describe() + ": oneDNN kernel is inference-only");
    AAMP_CHECK(init.inputs.size() >= 5 && !init.outputs.empty(), ErrorCode::kInvalidGraph,
               n.describe() + ": needs 5 inputs");
    const auto& s = init.inputs[0].shape;
    AAMP_CHECK(s.size() == 4, ErrorCode::kUnimplemented, n.describe() + ": x must be 4-D");
    const DType t = init.inputs[0].dtype;
    AAMP_CHECK(init.outputs[0].dtype == t, ErrorCode::kUnimplemented, n.describe() + ": dtypes");
    const std::string& f = op_attr_string(n, "data_format");
    AAMP_CHECK(f == "NHWC" || f == "NCHW", ErrorCode::kUnimplemented, n.describe() + ": format");
    const bool nchw = f == "NCHW";
    channels_ = nchw ? s[1] : s[3];
    for (int64_t d : s)
      AAMP_CHECK(d > 0, ErrorCode::kUnimplemented, n.describe() + ": empty input");
    for (size_t i = 1; i < 5; ++i) {
      AAMP_CHECK(init.inputs[i].dtype == DType::kFloat, ErrorCode::kUnimplemented,
                 n.describe() + ": per-channel inputs must be float32");
      AAMP_CHECK(init.inputs[i].shape == std::vector<int64_t>{channels_},
                 ErrorCode::kInvalidArgument, n.describe() + ": per-channel input size");
    }
    const memory::desc md({s[0], channels_, nchw ? s[2] : s[1], nchw ? s[3] : s[2]}, dt(t),
                          nchw ? memory::format_tag::nchw : memory::format_tag::nhwc);
    const memory::desc c_md({channels_}, memory::data_type::f32, memory::format_tag::a);
    const auto flags = dnnl::normalization_flags::use_global_stats |
                       dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;
    dnnl::batch_normalization_forward::primitive_desc pd(
        dnnl::batch_normalization_forward::desc(dnnl::prop_kind::forward_inference, md,
                                                op_attr_float(n, "epsilon"), flags),
        engine());
    if (probe) return;
    prim_ = dnnl::batch_normalization_forward(pd);
    bind(DNNL_ARG_SRC, md, Source::kInput, 0);
    bind(DNNL_ARG_DST, md, Source::kOutput, 0);
    bind(DNNL_ARG_SCALE, c_md, Source::kInput, 1);
    bind(DNNL_ARG_SHIFT, c_md, Source::kInput, 2);
    bind(DNNL_ARG_MEAN, c_md, Source::kInput, 3);
    bind(DNNL_ARG_VARIANCE, c_md, Source::kInput, 4);
  }

  void run(KernelContext& ctx) override {
    PrimitiveKernel::run(ctx);
    // batch_mean, batch_variance, reserve_space_1/2 = the given statistics; reserve_space_3 = 0.
    for (size_t o = 1; o < ctx.outputs.size(); ++o) {
      TensorView& out = ctx.outputs[o];
      if (!out.data) continue;
      if (o <= 4 && out.num_elements() == channels_ && out.dtype == DType::kFloat) {
        std::memcpy(out.data, ctx.inputs[o % 2 ? 3 : 4].data, out.byte_size());
      } else {
        std::memset(out.data, 0, out.byte_size());
      }
    }
  }

 private:
  int64_t channels_ = 0;
};

// A standalone activation over the whole tensor as one flat run of elements (the reference
// kernels are scalar loops; inside TensorFlow a Gelu left unfused took 1.6 ms on BERT's FFN).
class EltwiseKernel : public PrimitiveKernel {
 public:
  EltwiseKernel(const KernelInit& init, bool probe) : PrimitiveKernel(init) {
    const Node& n = *init.node;
    AAMP_CHECK(!init.inputs.empty() && !init.outputs.empty(), ErrorCode::kInvalidGraph,
               n.describe() + ": missing input");
    const DType t = init.inputs[0].dtype;
    AAMP_CHECK(init.outputs[0].dtype == t, ErrorCode::kUnimplemented, n.describe() + ": dtypes");
    EpilogueOp k = EpilogueOp::kRelu;
    ActParams p;
    dnnl::algorithm alg = dnnl::algorithm::eltwise_relu;
    float alpha = 0.0f, beta = 0.0f;
    AAMP_CHECK(activation_of_node(n, k, p) && eltwise_of(k, p, alg, alpha, beta),
               ErrorCode::kUnimplemented, n.describe() + ": no oneDNN eltwise for it");
    int64_t count = 1;
    for (int64_t d : init.inputs[0].shape) count *= d;
    AAMP_CHECK(count > 0, ErrorCode::kUnimplemented, n.describe() + ": empty input");
    const memory::desc md({count}, dt(t), memory::format_tag::a);
    dnnl::eltwise_forward::primitive_desc pd(
        dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_inference, alg, md, alpha, beta),
        engine());
    if (probe) return;
    prim_ = dnnl::eltwise_forward(pd);
    bind(DNNL_ARG_SRC, md, Source::kInput, 0);
    bind(DNNL_ARG_DST, md, Source::kOutput, 0);
  }
  std::vector<std::pair<int, int>> inplace_pairs() const override { return {{0, 0}}; }
};

template <typename K>
void reg(const char* op) {
  register_onednn(
      op, [](const KernelInit& i) { K k(i, true); },
      [](const KernelInit& i) -> std::unique_ptr<Kernel> { return std::make_unique<K>(i, false); });
}

const bool kRegistered = register_kernels([] {
  reg<PoolKernel>("MaxPool");
  reg<PoolKernel>("AvgPool");
  reg<SoftmaxKernel>("Softmax");
  reg<BatchNormKernel>("FusedBatchNorm");
  reg<BatchNormKernel>("FusedBatchNormV2");
  reg<BatchNormKernel>("FusedBatchNormV3");
  for (const EpilogueOpDef* d : activation_source_rows())
    reg<EltwiseKernel>(std::string(d->source_op).c_str());
});

}  // namespace
}  // namespace aamp::onednn
