// Device-side helpers of aamp's own CUDA kernels: aamp's 16-bit host types mapped to CUDA's,
// float32 loads and rounding stores, the GPU float dtype dispatch, the launch check, the
// activation formulas (element-wise kernels and fused epilogues) and NHWC index decoding.
// Included by .cu files only.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <string>
#include <type_traits>

#include "aamp/core/dispatch.h"
#include "aamp/core/error.h"

namespace aamp::cuda::dev {

// aamp's host 16-bit types -> CUDA's device types (same bits).
template <typename T>
struct Dev {
  using type = T;
};
template <>
struct Dev<float16> {
  using type = __half;
};
template <>
struct Dev<bfloat16> {
  using type = __nv_bfloat16;
};

// dispatch_float restricted to float32 / float16 / bfloat16, handing the device type to f.
template <typename F>
void dispatch_gpu_float(DType t, F&& f) {
  dispatch_float(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, double>)
      throw Error(ErrorCode::kUnimplemented, "float64 is not supported by the CUDA kernels");
    else
      f(TypeTag<typename Dev<T>::type>{});
  });
}

__device__ __forceinline__ float ld(float x) { return x; }
__device__ __forceinline__ float ld(__half x) { return __half2float(x); }
__device__ __forceinline__ float ld(__nv_bfloat16 x) { return __bfloat162float(x); }
template <typename T>
__device__ __forceinline__ T st(float x) {
  if constexpr (std::is_same_v<T, __half>)
    return __float2half_rn(x);
  else if constexpr (std::is_same_v<T, __nv_bfloat16>)
    return __float2bfloat16_rn(x);
  else
    return x;
}

inline cudaStream_t as_stream(void* s) { return static_cast<cudaStream_t>(s); }

inline void check_launch(const char* what) {
  const cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess)
    throw Error(ErrorCode::kInternal,
                std::string("CUDA launch of ") + what + " failed: " + cudaGetErrorString(e));
}

constexpr int kThreads = 256;

// Blocks of a grid-stride loop over n elements.
inline unsigned blocks_for(int64_t n) {
  const int64_t b = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(b < 1 ? 1 : (b > 65535 * 16 ? 65535 * 16 : b));
}

// The activations, in float32, shared by the element-wise kernels and the fused epilogues (the
// CPU reference kernels define them).
__device__ __forceinline__ float relu_f(float x) { return x > 0.0f ? x : 0.0f; }
__device__ __forceinline__ float relu6_f(float x) { return fminf(fmaxf(x, 0.0f), 6.0f); }
__device__ __forceinline__ float elu_f(float x) { return x > 0.0f ? x : expm1f(x); }
__device__ __forceinline__ float leaky_relu_f(float x, float alpha) {
  return x > 0.0f ? x : x * alpha;
}
__device__ __forceinline__ float sigmoid_f(float x) { return 1.0f / (1.0f + expf(-x)); }
__device__ __forceinline__ float swish_f(float x, float beta) {
  return x / (1.0f + expf(-beta * x));
}
__device__ __forceinline__ float mish_f(float x) {
  return x * tanhf(x > 20.0f ? x : log1pf(expf(x)));
}
__device__ __forceinline__ float hard_swish_f(float x) {
  return x * fminf(fmaxf(x + 3.0f, 0.0f), 6.0f) / 6.0f;
}
__device__ __forceinline__ float gelu_exact_f(float x) {
  return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
}
__device__ __forceinline__ float gelu_tanh_f(float x) {
  return 0.5f * x * (1.0f + tanhf(0.7978845608028654f * (x + 0.044715f * x * x * x)));
}

// The coordinates of element i of a row-major [n, h, w, c] tensor.
struct Nhwc {
  int64_t b, y, x, c;
};
__device__ __forceinline__ Nhwc nhwc_of(int64_t i, int64_t h, int64_t w, int64_t c) {
  Nhwc p;
  p.c = i % c;
  int64_t r = i / c;
  p.x = r % w;
  r /= w;
  p.y = r % h;
  p.b = r / h;
  return p;
}

#define AAMP_GRID_STRIDE(i, n)                                              \
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < (n); \
       i += int64_t{gridDim.x} * blockDim.x)

}  // namespace aamp::cuda::dev
