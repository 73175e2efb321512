// oneDNN kernels for Conv2D, _FusedConv2D, DepthwiseConv2dNative, FusedDepthwiseConv2dNative
// (grouped convolution, groups = input channels) and Conv2DBackpropInput (convolution backward
// data). Activations stay in the node's plain layout (NHWC or NCHW); constant filters are
// reordered once into the primitive's preferred layout.
//
// oneDNN 2.x has no JIT convolution with a PReLU post-op on most ISAs: such a primitive falls
// back to its reference implementation ("ref:any"), 10-50x slower; the PReLU step and what
// follows it then run as a TailEpilogue (onednn_tail.h).
#include <memory>
#include <string>

#include "aamp/backends/cpu/onednn_common.h"
#include "aamp/backends/cpu/onednn_tail.h"
#include "aamp/core/dispatch.h"
#include "aamp/core/error.h"
#include "aamp/ops/epilogue.h"
#include "aamp/runtime/thread_pool.h"

namespace aamp::onednn {
namespace {

using linalg::Conv2DGeom;
using linalg::ConvKind;

class ConvKernel : public PrimitiveKernel {
 public:
  ConvKernel(const KernelInit& init, bool probe) : PrimitiveKernel(init) {
    const Node& n = *init.node;
    const bool bwd = n.op == "Conv2DBackpropInput";
    const ConvKind kind = bwd ? ConvKind::kBackpropInput
                          : (n.op == "DepthwiseConv2dNative" || is_fused_depthwise(n.op))
                              ? ConvKind::kDepthwise
                              : ConvKind::kConv2D;
    AAMP_CHECK(init.inputs.size() >= (bwd ? 3u : 2u) && !init.outputs.empty(),
               ErrorCode::kInvalidGraph, n.describe() + ": missing inputs");
    const int x_index = bwd ? 2 : 0;
    const DType t = init.inputs[static_cast<size_t>(x_index)].dtype;
    AAMP_CHECK(init.inputs[1].dtype == t && init.outputs[0].dtype == t, ErrorCode::kUnimplemented,
               n.describe() + ": mixed dtypes");
    const memory::data_type mt = dt(t);
    const Conv2DGeom g = linalg::conv_geom(
        n, kind, bwd ? init.outputs[0].shape : init.inputs[0].shape, init.inputs[1].shape);
    if (bwd)
      AAMP_CHECK(init.inputs[2].shape == linalg::geom_output_shape(g), ErrorCode::kInvalidGraph,
                 n.describe() + ": out_backprop shape does not match input_sizes");
    AAMP_CHECK(g.n > 0 && g.in_c > 0 && g.out_c > 0 && g.out_h > 0 && g.out_w > 0 && g.in_h > 0 &&
                   g.in_w > 0,
               ErrorCode::kUnimplemented, n.describe() + ": empty convolution");
    Epilogue ep;
    if (n.op == "_FusedConv2D" || is_fused_depthwise(n.op))
      ep = parse_epilogue(n, kFirstEpilogueArg, static_cast<int>(init.inputs.size()));

    const auto tag = g.nchw ? memory::format_tag::nchw : memory::format_tag::nhwc;
    const memory::desc in_md({g.n, g.in_c, g.in_h, g.in_w}, mt, tag);
    const memory::desc out_md({g.n, g.out_c, g.out_h, g.out_w}, mt, tag);
    // Filter as stored by TF: HWIO (Conv2D, backprop) or HWCM (depthwise).
    memory::dims wdims, wstr;
    if (kind == ConvKind::kDepthwise) {
      const int64_t m = g.multiplier;
      wdims = {g.in_c, m, 1, g.k_h, g.k_w};
      wstr = {m, 1, 1, g.k_w * g.in_c * m, g.in_c * m};
    } else {
      wdims = {g.out_c, g.in_c, g.k_h, g.k_w};
      wstr = {1, g.out_c, g.k_w * g.in_c * g.out_c, g.in_c * g.out_c};
    }
    const Tensor* w_const = init.const_inputs.size() > 1 ? init.const_inputs[1] : nullptr;
    const memory::desc w_md =
        w_const ? memory::desc(wdims, mt, memory::format_tag::any) : memory::desc(wdims, mt, wstr);
    const memory::dims strides = {g.stride_h, g.stride_w};
    const memory::dims dil = {g.dil_h - 1, g.dil_w - 1};
    const memory::dims pad_l = {g.pad_t, g.pad_l}, pad_r = {g.pad_b, g.pad_r};
    const auto alg = dnnl::algorithm::convolution_direct;

    memory::desc w_prim;
    if (bwd) {
      dnnl::convolution_forward::primitive_desc hint(
          dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, alg, in_md, w_md,
                                          out_md, strides, dil, pad_l, pad_r),
          engine());
      dnnl::convolution_backward_data::primitive_desc pd(
          dnnl::convolution_backward_data::desc(alg, in_md, w_md, out_md, strides, dil, pad_l,
                                                pad_r),
          engine(), hint);
      if (probe) return;
      prim_ = dnnl::convolution_backward_data(pd);
      w_prim = pd.weights_desc();
      bind(DNNL_ARG_DIFF_DST, out_md, Source::kInput, 2);
      bind(DNNL_ARG_DIFF_SRC, in_md, Source::kOutput, 0);
    } else {
      // TF layout of the output, as logical (N, C, H, W) -> TF dim.
      std::vector<int> perm = g.nchw ? std::vector<int>{0, 1, 2, 3} : std::vector<int>{0, 3, 1, 2};
      auto make_pd = [&](const Epilogue& e) {
        epi_ = std::make_unique<EpilogueBuilder>(e, init, out_md.dims(), 1, perm);
        memory::desc bias_md;
        if (epi_->has_bias())
          bias_md = memory::desc({g.out_c}, epi_->bias_desc().data_type(), memory::format_tag::a);
        auto desc =
            epi_->has_bias()
                ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, alg, in_md,
                                                  w_md, bias_md, out_md, strides, dil, pad_l, pad_r)
                : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, alg, in_md,
                                                  w_md, out_md, strides, dil, pad_l, pad_r);
        return std::make_pair(
            dnnl::convolution_forward::primitive_desc(desc, epi_->attr(), engine()), bias_md);
      };
      auto [pd, bias_md] = make_pd(ep);
      Epilogue head = ep;
      TailEpilogue tail;
      if (is_ref_impl(pd.impl_info_str()) && TailEpilogue::split(head, init, tail)) {
        auto [pd2, bias_md2] = make_pd(head);
        if (!is_ref_impl(pd2.impl_info_str())) {
          pd = pd2;
          bias_md = bias_md2;
          tail_ = std::move(tail);
          channels_ = g.out_c;
          inner_ = g.nchw ? g.out_h * g.out_w : 1;
        } else {
          make_pd(ep);  // keep the full epilogue
        }
      }
      if (probe) return;
      prim_ = dnnl::convolution_forward(pd);
      w_prim = pd.weights_desc();
      bind(DNNL_ARG_SRC, in_md, Source::kInput, 0);
      bind(DNNL_ARG_DST, out_md, Source::kOutput, 0);
      if (epi_->has_bias()) bind(DNNL_ARG_BIAS, bias_md, Source::kInput, epi_->bias_arg());
      epi_->bind(
          [this](int arg, const memory::desc& md, int i) { bind(arg, md, Source::kInput, i); },
          [this](int arg, const memory& m) { bind_fixed(arg, m); });
    }
    if (w_const)
      bind_fixed(DNNL_ARG_WEIGHTS, pack_const(*w_const, wdims, wstr, w_prim));
    else
      bind(DNNL_ARG_WEIGHTS, w_md, Source::kInput, 1);
  }

  void run(KernelContext& ctx) override {
    PrimitiveKernel::run(ctx);
    if (!tail_.empty()) tail_.apply(ctx, channels_, inner_);
  }

 protected:
  void prepare(KernelContext& ctx) override {
    if (epi_ && epi_->needs_prepare()) epi_->prepare(ctx);
  }

 private:
  std::unique_ptr<EpilogueBuilder> epi_;
  TailEpilogue tail_;
  int64_t channels_ = 1, inner_ = 1;
};

const bool kRegistered = register_kernels([] {
  for (const char* op :
       {"Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative",
        "_FusedDepthwiseConv2dNative", "Conv2DBackpropInput"}) {
    register_onednn(
        op, [](const KernelInit& i) { ConvKernel k(i, true); },
        [](const KernelInit& i) -> std::unique_ptr<Kernel> {
          return std::make_unique<ConvKernel>(i, false);
        });
  }
});

}  // namespace
}  // namespace aamp::onednn
