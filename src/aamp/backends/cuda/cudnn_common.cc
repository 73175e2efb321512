#include "aamp/backends/cuda/cudnn_common.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>

namespace aamp::cuda {

void check_cudnn(cudnnStatus_t s, const std::string& what) {
  if (s != CUDNN_STATUS_SUCCESS)
    throw Error(ErrorCode::kInternal, "cuDNN " + what + " failed: " + cudnnGetErrorString(s));
}

cudnnHandle_t cudnn_handle(void* stream) {
  static std::mutex mu;
  static auto* handles = new std::map<void*, cudnnHandle_t>();  // lives for the process
  std::lock_guard<std::mutex> lock(mu);
  cudnnHandle_t& h = (*handles)[stream];
  if (!h) check_cudnn(cudnnCreate(&h), "cudnnCreate");
  // A stream's address can be reused by a later stream: set it every time a kernel asks.
  check_cudnn(cudnnSetStream(h, stream_of(stream)), "cudnnSetStream");
  return h;
}

cudnnDataType_t cudnn_type(DType t) {
  switch (t) {
    case DType::kFloat:
      return CUDNN_DATA_FLOAT;
    case DType::kHalf:
      return CUDNN_DATA_HALF;
    case DType::kBFloat16:
      return CUDNN_DATA_BFLOAT16;
    default:
      throw Error(ErrorCode::kUnimplemented, "no cuDNN type for " + dtype_name(t));
  }
}

DeviceBuffer::DeviceBuffer(size_t bytes) : p_(device_malloc(bytes ? bytes : 16)), bytes_(bytes) {}

DeviceBuffer::~DeviceBuffer() {
  if (p_) device_free(p_);
}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& o) noexcept {
  if (this != &o) {
    if (p_) device_free(p_);
    p_ = o.p_;
    bytes_ = o.bytes_;
    o.p_ = nullptr;
  }
  return *this;
}

void ConvDescs::set_conv(DType t, const linalg::Conv2DGeom& g, int64_t xh, int64_t xw, bool padded,
                         const std::string& what) {
  auto i32 = [](int64_t v) { return static_cast<int>(v); };
  const cudnnDataType_t dt = cudnn_type(t);
  check_cudnn(
      cudnnSetTensor4dDescriptor(x, CUDNN_TENSOR_NHWC, dt, i32(g.n), i32(g.in_c), i32(xh), i32(xw)),
      "SetTensor4dDescriptor (input)");
  check_cudnn(cudnnSetFilter4dDescriptor(w, dt, CUDNN_TENSOR_NHWC, i32(g.out_c), i32(g.in_c),
                                         i32(g.k_h), i32(g.k_w)),
              "SetFilter4dDescriptor");
  check_cudnn(cudnnSetTensor4dDescriptor(y, CUDNN_TENSOR_NHWC, dt, i32(g.n), i32(g.out_c),
                                         i32(g.out_h), i32(g.out_w)),
              "SetTensor4dDescriptor (output)");
  check_cudnn(
      cudnnSetConvolution2dDescriptor(conv, i32(padded ? 0 : g.pad_t), i32(padded ? 0 : g.pad_l),
                                      i32(g.stride_h), i32(g.stride_w), i32(g.dil_h), i32(g.dil_w),
                                      CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
      "SetConvolution2dDescriptor");
  check_cudnn(
      cudnnSetConvolutionMathType(conv, t == DType::kFloat ? CUDNN_FMA_MATH : CUDNN_TENSOR_OP_MATH),
      "SetConvolutionMathType");
  int on = 0, oc = 0, oh = 0, ow = 0;
  check_cudnn(cudnnGetConvolution2dForwardOutputDim(conv, x, w, &on, &oc, &oh, &ow),
              "GetConvolution2dForwardOutputDim");
  AAMP_CHECK(on == g.n && oc == g.out_c && oh == g.out_h && ow == g.out_w, ErrorCode::kInternal,
             what + ": cuDNN's output shape differs from TF's");
}

ConvDescs::ConvDescs() {
  check_cudnn(cudnnCreateTensorDescriptor(&x), "cudnnCreateTensorDescriptor");
  check_cudnn(cudnnCreateTensorDescriptor(&y), "cudnnCreateTensorDescriptor");
  check_cudnn(cudnnCreateTensorDescriptor(&bias), "cudnnCreateTensorDescriptor");
  check_cudnn(cudnnCreateFilterDescriptor(&w), "cudnnCreateFilterDescriptor");
  check_cudnn(cudnnCreateConvolutionDescriptor(&conv), "cudnnCreateConvolutionDescriptor");
  check_cudnn(cudnnCreateActivationDescriptor(&act), "cudnnCreateActivationDescriptor");
}

ConvDescs::~ConvDescs() {
  cudnnDestroyTensorDescriptor(x);
  cudnnDestroyTensorDescriptor(y);
  cudnnDestroyTensorDescriptor(bias);
  cudnnDestroyFilterDescriptor(w);
  cudnnDestroyConvolutionDescriptor(conv);
  cudnnDestroyActivationDescriptor(act);
}

DeviceBuffer upload_krsc(const Tensor& f, const std::string& what, int64_t c_pad) {
  const std::vector<int64_t>& d = f.shape().dims;
  AAMP_CHECK(d.size() == 4, ErrorCode::kInvalidGraph, what + ": the filter must be 4-D");
  const size_t es = dtype_size(f.dtype());
  const int64_t R = d[0], S = d[1], C = d[2], K = d[3];
  const int64_t CP = std::max(C, c_pad);
  std::vector<uint8_t> krsc(static_cast<size_t>(R * S * CP * K) * es, 0);
  const uint8_t* src = f.raw();
  for (int64_t r = 0; r < R; ++r)
    for (int64_t s = 0; s < S; ++s)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t k = 0; k < K; ++k)
          std::memcpy(&krsc[static_cast<size_t>(((k * R + r) * S + s) * CP + c) * es],
                      src + static_cast<size_t>(((r * S + s) * C + c) * K + k) * es, es);
  DeviceBuffer w(krsc.size());
  check(cudaMemcpy(w.get(), krsc.data(), krsc.size(), cudaMemcpyHostToDevice),
        "upload of the filter of " + what);
  return w;
}

}  // namespace aamp::cuda
