// cuDNN 9 kernel of Conv2DBackpropInput (the transposed convolution of TF.js decoders) in NHWC:
// float32 (FMA math), float16 and bfloat16 (tensor-core math). Creation: the geometry through
// linalg::conv_geom (input_sizes is the output's shape), the HWIO filter constant to KRSC, the
// algorithm by cudnnFindConvolutionBackwardDataAlgorithmEx on scratch buffers. Asymmetric SAME
// padding computes the gradient of the zero-padded input into the kernel's scratch (in the plan's
// arena; cuDNN writes all of it on every run) and crops its interior. run() only queues work on
// the stream.
#include "aamp/backends/cpu/ref_linalg_params.h"
#include "aamp/backends/cuda/cuda_conv_kernels.h"
#include "aamp/backends/cuda/cudnn_common.h"
#include "aamp/ops/attrs.h"

namespace aamp::cuda {
namespace {

class CudnnBackpropInputKernel : public Kernel {
 public:
  explicit CudnnBackpropInputKernel(const KernelInit& init) {
    const Node& nd = *init.node;
    desc_ = nd.describe();
    AAMP_CHECK(init.inputs.size() == 3, ErrorCode::kInvalidGraph,
               desc_ + ": needs input_sizes, filter and out_backprop");
    t_ = init.inputs[2].dtype;
    AAMP_CHECK(init.inputs[1].dtype == t_ && init.outputs.at(0).dtype == t_,
               ErrorCode::kUnimplemented, desc_ + ": the GPU convolution needs one dtype");
    g_ = linalg::conv_geom(nd, linalg::ConvKind::kBackpropInput, init.outputs[0].shape,
                           init.inputs[1].shape);
    AAMP_CHECK(init.inputs[2].shape == linalg::geom_output_shape(g_), ErrorCode::kInvalidGraph,
               desc_ + ": out_backprop " + Shape(init.inputs[2].shape).to_string() +
                   " does not match " + Shape(linalg::geom_output_shape(g_)).to_string());
    dx_elements_ = g_.n * g_.in_h * g_.in_w * g_.in_c;
    if (dx_elements_ == 0 || g_.out_h * g_.out_w * g_.out_c == 0) return;
    void* stream = init.stream;
    handle_ = cudnn_handle(stream);
    workspace_ = workspace_of(stream);
    padded_ = g_.pad_t != g_.pad_b || g_.pad_l != g_.pad_r;
    xh_ = padded_ ? g_.in_h + g_.pad_t + g_.pad_b : g_.in_h;
    xw_ = padded_ ? g_.in_w + g_.pad_l + g_.pad_r : g_.in_w;
    const size_t es = dtype_size(t_);
    const size_t dx_bytes = static_cast<size_t>(g_.n * xh_ * xw_ * g_.in_c) * es;
    const size_t dy_bytes = static_cast<size_t>(g_.n * g_.out_h * g_.out_w * g_.out_c) * es;
    if (padded_) scratch_ = dx_bytes;
    d_.set_conv(t_, g_, xh_, xw_, padded_, desc_);
    AAMP_CHECK(init.const_inputs.size() > 1 && init.const_inputs[1], ErrorCode::kUnimplemented,
               desc_ + ": the GPU needs a constant filter");
    w_ = upload_krsc(*init.const_inputs[1], desc_);

    DeviceBuffer dxs(dx_bytes), dys(dy_bytes);
    check(cudaMemset(dys.get(), 0, dy_bytes), "cudaMemset");
    cudnnConvolutionBwdDataAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
    int found = 0;
    check_cudnn(
        cudnnFindConvolutionBackwardDataAlgorithmEx(
            handle_, d_.w, w_.get(), d_.y, dys.get(), d_.conv, d_.x, dxs.get(),
            CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &found, perf, workspace_, kWorkspaceBytes),
        "FindConvolutionBackwardDataAlgorithmEx for " + desc_);
    bool ok = false;
    for (int i = 0; i < found && !ok; ++i) {
      if (perf[i].status != CUDNN_STATUS_SUCCESS || perf[i].memory > kWorkspaceBytes) continue;
      const bool tensor_op = perf[i].mathType == CUDNN_TENSOR_OP_MATH ||
                             perf[i].mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
      if (t_ == DType::kFloat && tensor_op) continue;  // no TF32
      algo_ = perf[i].algo;
      check_cudnn(cudnnSetConvolutionMathType(
                      d_.conv, t_ == DType::kFloat ? CUDNN_FMA_MATH : perf[i].mathType),
                  "SetConvolutionMathType");
      ok = true;
    }
    AAMP_CHECK(ok, ErrorCode::kUnimplemented,
               desc_ + ": cuDNN has no backward-data algorithm for " + dtype_name(t_));
    check(cudaStreamSynchronize(stream_of(stream)), "convolution algorithm search");
  }

  size_t scratch_bytes() const override { return scratch_; }

  void run(KernelContext& ctx) override {
    if (!handle_) {
      if (dx_elements_ > 0)  // empty out_backprop: the gradient is zero
        check(cudaMemsetAsync(ctx.outputs[0].data, 0, ctx.outputs[0].byte_size(),
                              stream_of(ctx.stream)),
              "cudaMemsetAsync");
      return;
    }
    AAMP_CHECK(!padded_ || ctx.scratch, ErrorCode::kInternal,
               desc_ + ": no scratch memory for the padded gradient");
    void* dx = padded_ ? ctx.scratch : ctx.outputs[0].data;
    const float one = 1.0f, zero = 0.0f;
    check_cudnn(
        cudnnConvolutionBackwardData(handle_, &one, d_.w, w_.get(), d_.y, ctx.inputs[2].data,
                                     d_.conv, algo_, workspace_, kWorkspaceBytes, &zero, d_.x, dx),
        "ConvolutionBackwardData of " + desc_);
    if (padded_)
      launch_crop_interior(t_, dx, ctx.outputs[0].data, g_.n, g_.in_h, g_.in_w, g_.in_c, g_.pad_t,
                           g_.pad_l, xh_, xw_, ctx.stream);
  }

 private:
  std::string desc_;
  DType t_ = DType::kFloat;
  linalg::Conv2DGeom g_;
  int64_t dx_elements_ = 0;
  cudnnHandle_t handle_ = nullptr;
  void* workspace_ = nullptr;
  ConvDescs d_;
  cudnnConvolutionBwdDataAlgo_t algo_ = CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
  bool padded_ = false;
  int64_t xh_ = 0, xw_ = 0;
  size_t scratch_ = 0;
  DeviceBuffer w_;
};

const bool kRegistered = [] {
  add_gpu(
      "Conv2DBackpropInput", gpu_float_types(),
      [](const KernelInit& i) { return std::make_unique<CudnnBackpropInputKernel>(i); },
      [](const KernelInit& i) {
        return i.inputs.size() == 3 && i.const_inputs.size() == 3 && i.const_inputs[1] &&
               i.inputs[1].shape.size() == 4 && i.outputs.size() == 1 &&
               i.outputs[0].shape.size() == 4 && op_attr_string(*i.node, "data_format") == "NHWC";
      },
      "cudnn");
  return true;
}();

}  // namespace
}  // namespace aamp::cuda
