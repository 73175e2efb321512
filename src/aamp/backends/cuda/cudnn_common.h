// cuDNN helpers of the CUDA backend (built only with cuDNN, see AAMP_HAVE_CUDNN): status checks,
// one cuDNN handle per stream, dtype mapping and a device buffer owned by a kernel.
#pragma once

#include <cudnn.h>

#include <string>

#include "aamp/backends/cpu/ref_linalg_params.h"
#include "aamp/backends/cuda/cuda_common.h"
#include "aamp/ir/tensor.h"

namespace aamp::cuda {

// Throws Error(kInternal) "cuDNN <what> failed: <message>" unless s is CUDNN_STATUS_SUCCESS.
void check_cudnn(cudnnStatus_t s, const std::string& what);

// The cuDNN handle of a Session stream (created on first use, at kernel creation, with
// cudnnSetStream(stream)); it lives for the process.
cudnnHandle_t cudnn_handle(void* stream);

// float32 / float16 / bfloat16 -> cuDNN's data type; throws Error(kUnimplemented) otherwise.
cudnnDataType_t cudnn_type(DType t);

// Device memory owned by a kernel (device_malloc at creation, device_free in the destructor).
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(DeviceBuffer&& o) noexcept : p_(o.p_), bytes_(o.bytes_) { o.p_ = nullptr; }
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  void* get() const { return p_; }
  size_t bytes() const { return bytes_; }

 private:
  void* p_ = nullptr;
  size_t bytes_ = 0;
};

// The descriptors of one convolution (created empty, destroyed with their owner).
struct ConvDescs {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr, bias = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  cudnnActivationDescriptor_t act = nullptr;
  ConvDescs();
  ~ConvDescs();
  // NHWC descriptors of the convolution of g in dtype t: x [n, xh, xw, in_c] (the input, or the
  // input gradient of a backprop), filter KRSC, y [n, out_h, out_w, out_c], the convolution
  // (padding 0 when `padded`: the input is then a zero-bordered copy) with FMA math for float32
  // and tensor cores otherwise. Throws Error(kInternal) naming `what` if cuDNN's output shape
  // differs from g's.
  void set_conv(DType t, const linalg::Conv2DGeom& g, int64_t xh, int64_t xw, bool padded,
                const std::string& what);
  ConvDescs(const ConvDescs&) = delete;
  ConvDescs& operator=(const ConvDescs&) = delete;
};

// A 4-D HWIO filter constant [r, s, c, k] reordered to cuDNN's NHWC filter layout KRSC and
// uploaded (`what` names the node in errors).
// c_pad > C: the filter gets zero input channels [C, c_pad) (for an input padded alike).
DeviceBuffer upload_krsc(const Tensor& hwio, const std::string& what, int64_t c_pad = 0);

}  // namespace aamp::cuda
