// Device-side helpers of aamp's own CUDA kernels: aamp's 16-bit host types mapped to CUDA's,
// float32 loads and rounding stores, the GPU float dtype dispatch, the launch check, grid sizing
// and NHWC index decoding (the activation formulas are ops/activation.h's activate()). Included
// by .cu files only.
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

// The coordinates of element i of a row-major [n, h, w, c] tensor, in 64-bit (Nhwc) or, where
// the caller checked that sizes fit, 32-bit index math (NhwcT<int>: far fewer instructions per
// division on the GPU).
template <typename I>
struct NhwcT {
  I b, y, x, c;
};
using Nhwc = NhwcT<int64_t>;
template <typename I>
__device__ __forceinline__ NhwcT<I> nhwc_of(I i, I h, I w, I c) {
  NhwcT<I> p;
  p.c = i % c;
  I r = i / c;
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

namespace aamp::cuda {
// The kernel files use these unqualified.
using dev::as_stream;
using dev::blocks_for;
using dev::check_launch;
using dev::dispatch_gpu_float;
using dev::kThreads;
using dev::ld;
using dev::st;
}  // namespace aamp::cuda
