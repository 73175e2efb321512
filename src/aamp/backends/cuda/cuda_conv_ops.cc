// GPU kernels on aamp's own CUDA code (cuda_conv_kernels.h), NHWC: DepthwiseConv2dNative and
// TF.js's FusedDepthwiseConv2dNative (filter HWCM read as it is, fused_ops in the same pass),
// MaxPool / AvgPool, FusedBatchNorm / V2 / V3 inference and ResizeBilinear. Geometry and
// fused_ops come from the CPU's parsers (ref_linalg_params.h), so both devices agree on them.
#include <memory>

#include "aamp/backends/cpu/ref_linalg_params.h"
#include "aamp/backends/cuda/cuda_common.h"
#include "aamp/backends/cuda/cuda_conv_epilogue.h"
#include "aamp/ops/attrs.h"
#include "aamp/ops/epilogue.h"

namespace aamp::cuda {
namespace {

WindowGeom window(const linalg::Conv2DGeom& g) {
  WindowGeom w;
  w.n = g.n, w.in_h = g.in_h, w.in_w = g.in_w, w.in_c = g.in_c;
  w.out_h = g.out_h, w.out_w = g.out_w, w.out_c = g.out_c;
  w.k_h = g.k_h, w.k_w = g.k_w, w.stride_h = g.stride_h, w.stride_w = g.stride_w;
  w.dil_h = g.dil_h, w.dil_w = g.dil_w, w.pad_t = g.pad_t, w.pad_l = g.pad_l;
  w.multiplier = g.multiplier;
  return w;
}

bool nhwc(const KernelInit& i) {
  return !i.inputs.empty() && i.inputs[0].shape.size() == 4 &&
         op_attr_string(*i.node, "data_format") == "NHWC";
}

void check_output(const Node& n, const KernelInit& init, const linalg::Conv2DGeom& g) {
  const std::vector<int64_t> out = linalg::geom_output_shape(g);
  AAMP_CHECK(out == init.outputs.at(0).shape, ErrorCode::kInvalidGraph,
             n.describe() + ": output " + Shape(init.outputs[0].shape).to_string() +
                 " does not match the window's " + Shape(out).to_string());
}

class DepthwiseKernel : public Kernel {
 public:
  explicit DepthwiseKernel(const KernelInit& init) : t_(init.inputs.at(0).dtype) {
    const Node& n = *init.node;
    AAMP_CHECK(
        init.inputs.size() >= 2 && init.inputs[1].dtype == t_ && init.outputs.at(0).dtype == t_,
        ErrorCode::kUnimplemented, n.describe() + ": the GPU convolution needs one dtype");
    const linalg::Conv2DGeom g = linalg::conv_geom(n, linalg::ConvKind::kDepthwise,
                                                   init.inputs[0].shape, init.inputs[1].shape);
    check_output(n, init, g);
    g_ = window(g);
    if (is_fused_depthwise(n.op)) ep_ = ConvEpilogue(n, init, linalg::geom_output_shape(g));
  }
  void run(KernelContext& ctx) override {
    launch_depthwise(t_, g_, ctx.inputs[0].data, ctx.inputs[1].data, ctx.outputs[0].data,
                     ep_.bind(ctx), ctx.stream);
  }

 private:
  DType t_;
  WindowGeom g_;
  ConvEpilogue ep_;
};

class PoolKernel : public Kernel {
 public:
  explicit PoolKernel(const KernelInit& init)
      : t_(init.inputs.at(0).dtype), max_(init.node->op == "MaxPool") {
    const linalg::Conv2DGeom g = linalg::pool_geom(*init.node, init.inputs[0].shape);
    check_output(*init.node, init, g);
    g_ = window(g);
  }
  void run(KernelContext& ctx) override {
    launch_pool(t_, max_, g_, ctx.inputs[0].data, ctx.outputs[0].data, ctx.stream);
  }

 private:
  DType t_;
  bool max_;
  WindowGeom g_;
};

// Inference (is_training false): y, then batch_mean / batch_variance / reserve_space_1 / _2 as
// copies of mean / variance / mean / variance, and reserve_space_3 zeroed (as the CPU does).
class BatchNormKernel : public Kernel {
 public:
  explicit BatchNormKernel(const KernelInit& init) {
    const Node& n = *init.node;
    AAMP_CHECK(init.inputs.size() >= 5 && init.inputs[0].shape.size() == 4,
               ErrorCode::kInvalidGraph, n.describe() + ": needs a 4-D x and 4 per-channel inputs");
    const auto& s = init.inputs[0].shape;
    const bool nchw = op_attr_string(n, "data_format") == "NCHW";
    channels_ = nchw ? s[1] : s[3];
    inner_ = nchw ? s[2] * s[3] : 1;
    eps_ = op_attr_float(n, "epsilon");
    t_ = init.inputs[0].dtype;
    u_ = init.inputs[1].dtype;
    for (size_t i = 1; i < 5; ++i)
      AAMP_CHECK(
          init.inputs[i].dtype == u_ && Shape(init.inputs[i].shape).num_elements() == channels_,
          ErrorCode::kInvalidGraph,
          n.describe() + ": scale, offset, mean and variance must be " + std::to_string(channels_) +
              " values of one dtype");
  }
  void run(KernelContext& ctx) override {
    const TensorView& x = ctx.inputs[0];
    launch_batch_norm(t_, u_, x.data, ctx.inputs[1].data, ctx.inputs[2].data, ctx.inputs[3].data,
                      ctx.inputs[4].data, ctx.outputs[0].data, x.num_elements(), channels_, inner_,
                      eps_, ctx.stream);
    const int from[] = {3, 4, 3, 4};  // mean, variance, mean, variance
    for (size_t o = 1; o < ctx.outputs.size(); ++o) {
      TensorView& out = ctx.outputs[o];
      if (!out.data || out.num_elements() == 0) continue;
      if (o <= 4 && out.num_elements() == channels_ && out.dtype == u_)
        copy_device(out.data, ctx.inputs[static_cast<size_t>(from[o - 1])].data, out.byte_size(),
                    ctx.stream);
      else
        check(cudaMemsetAsync(out.data, 0, out.byte_size(), stream_of(ctx.stream)),
              "cudaMemsetAsync");
    }
  }

 private:
  DType t_ = DType::kFloat, u_ = DType::kFloat;
  int64_t channels_ = 1, inner_ = 1;
  float eps_ = 1e-4f;
};

float resize_scale(int64_t in, int64_t out, bool align_corners) {
  if (align_corners && out > 1) return static_cast<float>(in - 1) / static_cast<float>(out - 1);
  return static_cast<float>(in) / static_cast<float>(out);
}

class ResizeBilinearKernel : public Kernel {
 public:
  explicit ResizeBilinearKernel(const KernelInit& init)
      : in_(init.inputs.at(0).shape), out_(init.outputs.at(0).shape) {
    const Node& n = *init.node;
    AAMP_CHECK(in_.size() == 4 && out_.size() == 4 && in_[0] == out_[0] && in_[3] == out_[3],
               ErrorCode::kInvalidGraph,
               n.describe() + ": input " + Shape(in_).to_string() + " and output " +
                   Shape(out_).to_string() + " must be NHWC images of one batch and depth");
    const bool align = op_attr_bool(n, "align_corners");
    half_ = op_attr_bool(n, "half_pixel_centers");
    sh_ = resize_scale(in_[1], out_[1], align);
    sw_ = resize_scale(in_[2], out_[2], align);
  }
  void run(KernelContext& ctx) override {
    launch_resize_bilinear(ctx.inputs[0].dtype, ctx.outputs[0].dtype, ctx.inputs[0].data,
                           ctx.outputs[0].data, in_[0], in_[1], in_[2], in_[3], out_[1], out_[2],
                           sh_, sw_, half_, ctx.stream);
  }

 private:
  std::vector<int64_t> in_, out_;
  float sh_ = 1, sw_ = 1;
  bool half_ = false;
};

bool is_gpu_float(DType t) {
  for (DType f : gpu_float_types())
    if (f == t) return true;
  return false;
}

const bool kRegistered = [] {
  for (const char* op :
       {"DepthwiseConv2dNative", "FusedDepthwiseConv2dNative", "_FusedDepthwiseConv2dNative"})
    add_gpu(
        op, gpu_float_types(),
        [](const KernelInit& i) { return std::make_unique<DepthwiseKernel>(i); },
        [](const KernelInit& i) { return nhwc(i) && i.inputs.size() >= 2; });
  for (const char* op : {"FusedDepthwiseConv2dNative", "_FusedDepthwiseConv2dNative"})
    KernelRegistry::global().add_check(op, DeviceKind::kGPU, check_fused_ops);
  for (const char* op : {"MaxPool", "AvgPool"})
    add_gpu(
        op, gpu_float_types(), [](const KernelInit& i) { return std::make_unique<PoolKernel>(i); },
        nhwc);
  for (const char* op : {"FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"})
    add_gpu(
        op, gpu_float_types(),
        [](const KernelInit& i) { return std::make_unique<BatchNormKernel>(i); },
        [](const KernelInit& i) {
          return !op_attr_bool(*i.node, "is_training") && i.inputs.size() >= 5 &&
                 is_gpu_float(i.inputs[1].dtype);
        });
  add_gpu(
      "ResizeBilinear", gpu_float_types(),
      [](const KernelInit& i) { return std::make_unique<ResizeBilinearKernel>(i); },
      [](const KernelInit& i) {
        return !i.inputs.empty() && !i.outputs.empty() && is_gpu_float(i.outputs[0].dtype);
      });
  return true;
}();

}  // namespace
}  // namespace aamp::cuda
