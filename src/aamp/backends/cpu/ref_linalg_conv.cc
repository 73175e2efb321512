// Reference kernels (plain loops, float32 accumulation) for Conv2D, DepthwiseConv2dNative,
// Conv2DBackpropInput and the fused forms _FusedConv2D / FusedDepthwiseConv2dNative.
// Activations are converted to NHWC float32, computed, then written in the node's layout.
#include <memory>

#include "aamp/backends/cpu/ref_linalg_params.h"
#include "aamp/core/error.h"
#include "aamp/ops/epilogue.h"

namespace aamp {
namespace {

using linalg::Conv2DGeom;
using linalg::ConvKind;

// NCHW -> NHWC float copy (`to_nhwc`), or NHWC -> NCHW.
void relayout(const std::vector<float>& in, int64_t n, int64_t c, int64_t h, int64_t w,
              bool to_nhwc, std::vector<float>& out) {
  out.resize(in.size());
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t p = 0; p < h * w; ++p) {
        const size_t nchw = static_cast<size_t>((b * c + ch) * h * w + p);
        const size_t nhwc = static_cast<size_t>((b * h * w + p) * c + ch);
        if (to_nhwc)
          out[nhwc] = in[nchw];
        else
          out[nchw] = in[nhwc];
      }
}

class RefConvKernel : public Kernel {
 public:
  explicit RefConvKernel(const KernelInit& init) : desc_(init.node->describe()) {
    const Node& n = *init.node;
    AAMP_CHECK(init.inputs.size() >= (n.op == "Conv2DBackpropInput" ? 3u : 2u),
               ErrorCode::kInvalidGraph, desc_ + ": missing inputs");
    if (n.op == "Conv2DBackpropInput") {
      kind_ = ConvKind::kBackpropInput;
      g_ = linalg::conv_geom(n, kind_, init.outputs.at(0).shape, init.inputs[1].shape);
      const auto& dy = init.inputs[2].shape;
      const auto want = linalg::geom_output_shape(g_);
      AAMP_CHECK(dy == want, ErrorCode::kInvalidGraph,
                 desc_ + ": out_backprop " + Shape(dy).to_string() + " does not match " +
                     Shape(want).to_string());
      return;
    }
    kind_ = (n.op == "DepthwiseConv2dNative" || is_fused_depthwise(n.op)) ? ConvKind::kDepthwise
                                                                          : ConvKind::kConv2D;
    g_ = linalg::conv_geom(n, kind_, init.inputs[0].shape, init.inputs[1].shape);
    if (n.op == "_FusedConv2D" || is_fused_depthwise(n.op))
      ep_ = parse_epilogue(n, kFirstEpilogueArg, static_cast<int>(init.inputs.size()));
  }

  void run(KernelContext& ctx) override {
    const Conv2DGeom& g = g_;
    const bool bwd = kind_ == ConvKind::kBackpropInput;
    const TensorView& xv = ctx.inputs[bwd ? 2 : 0];
    linalg::to_floats(xv, tmp_);
    if (g.nchw) {
      if (bwd)
        relayout(tmp_, g.n, g.out_c, g.out_h, g.out_w, true, x_);
      else
        relayout(tmp_, g.n, g.in_c, g.in_h, g.in_w, true, x_);
    } else {
      x_.swap(tmp_);
    }
    linalg::to_floats(ctx.inputs[1], w_);
    if (bwd)
      backprop();
    else
      forward();
    if (g.nchw) {
      tmp_.swap(y_);
      if (bwd)
        relayout(tmp_, g.n, g.in_c, g.in_h, g.in_w, false, y_);
      else
        relayout(tmp_, g.n, g.out_c, g.out_h, g.out_w, false, y_);
    }
    AAMP_CHECK(ctx.outputs[0].num_elements() == static_cast<int64_t>(y_.size()),
               ErrorCode::kInternal, desc_ + ": output size mismatch");
    if (!ep_.empty()) linalg::apply_epilogue(ep_, ctx, ctx.outputs[0].shape, g.nchw ? 1 : 3, y_);
    linalg::from_floats(y_, ctx.outputs[0]);
  }

 private:
  void forward() {
    const Conv2DGeom& g = g_;
    const int64_t oc_n = g.out_c, ic_n = g.in_c, mult = g.multiplier;
    y_.assign(static_cast<size_t>(g.n * g.out_h * g.out_w * oc_n), 0.0f);
    for (int64_t b = 0; b < g.n; ++b)
      for (int64_t oh = 0; oh < g.out_h; ++oh)
        for (int64_t ow = 0; ow < g.out_w; ++ow) {
          float* acc = y_.data() + ((b * g.out_h + oh) * g.out_w + ow) * oc_n;
          for (int64_t kh = 0; kh < g.k_h; ++kh) {
            const int64_t ih = oh * g.stride_h - g.pad_t + kh * g.dil_h;
            if (ih < 0 || ih >= g.in_h) continue;
            for (int64_t kw = 0; kw < g.k_w; ++kw) {
              const int64_t iw = ow * g.stride_w - g.pad_l + kw * g.dil_w;
              if (iw < 0 || iw >= g.in_w) continue;
              const float* xp = x_.data() + ((b * g.in_h + ih) * g.in_w + iw) * ic_n;
              // HWIO (HWCM for depthwise: the flattened C*M is the output channel).
              const int64_t block = kind_ == ConvKind::kDepthwise ? oc_n : ic_n * oc_n;
              const float* wp = w_.data() + (kh * g.k_w + kw) * block;
              if (kind_ == ConvKind::kDepthwise) {
                for (int64_t c = 0; c < ic_n; ++c)
                  for (int64_t m = 0; m < mult; ++m) acc[c * mult + m] += xp[c] * wp[c * mult + m];
              } else {
                for (int64_t c = 0; c < ic_n; ++c) {
                  const float xv = xp[c];
                  const float* wr = wp + c * oc_n;
                  for (int64_t o = 0; o < oc_n; ++o) acc[o] += xv * wr[o];
                }
              }
            }
          }
        }
  }

  // dx[b, ih, iw, ic] += dy[b, oh, ow, oc] * w[kh, kw, ic, oc] (filter HWIO of the forward conv).
  void backprop() {
    const Conv2DGeom& g = g_;
    const int64_t oc_n = g.out_c, ic_n = g.in_c;
    y_.assign(static_cast<size_t>(g.n * g.in_h * g.in_w * ic_n), 0.0f);
    for (int64_t b = 0; b < g.n; ++b)
      for (int64_t oh = 0; oh < g.out_h; ++oh)
        for (int64_t ow = 0; ow < g.out_w; ++ow) {
          const float* dy = x_.data() + ((b * g.out_h + oh) * g.out_w + ow) * oc_n;
          for (int64_t kh = 0; kh < g.k_h; ++kh) {
            const int64_t ih = oh * g.stride_h - g.pad_t + kh * g.dil_h;
            if (ih < 0 || ih >= g.in_h) continue;
            for (int64_t kw = 0; kw < g.k_w; ++kw) {
              const int64_t iw = ow * g.stride_w - g.pad_l + kw * g.dil_w;
              if (iw < 0 || iw >= g.in_w) continue;
              float* dx = y_.data() + ((b * g.in_h + ih) * g.in_w + iw) * ic_n;
              const float* wp = w_.data() + (kh * g.k_w + kw) * ic_n * oc_n;
              for (int64_t c = 0; c < ic_n; ++c) {
                float s = 0;
                for (int64_t o = 0; o < oc_n; ++o) s += dy[o] * wp[c * oc_n + o];
                dx[c] += s;
              }
            }
          }
        }
  }

  std::string desc_;
  ConvKind kind_ = ConvKind::kConv2D;
  Conv2DGeom g_;
  Epilogue ep_;
  std::vector<float> x_, w_, y_, tmp_;
};

const bool kRegistered = register_kernels([] {
  for (const char* op :
       {"Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative",
        "_FusedDepthwiseConv2dNative", "Conv2DBackpropInput"}) {
    KernelRegistry::global().add({op,
                                  DeviceKind::kCPU,
                                  amp_float_types(),
                                  0,
                                  "reference",
                                  [](const KernelInit& i) -> std::unique_ptr<Kernel> {
                                    return std::make_unique<RefConvKernel>(i);
                                  },
                                  {}});
  }
});

}  // namespace
}  // namespace aamp
