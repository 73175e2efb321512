#include "aamp/backends/cuda/cudnn_common.h"

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

}  // namespace aamp::cuda
