// Device-side helpers of aamp's own CUDA kernels (*.cu only) beyond cuda_dev_math.cuh (types,
// loads / stores, dtype dispatch, launch check, grid sizing): byte moves of any dtype and warp /
// block reductions.
#pragma once

#include <cstdint>
#include <string>

#include "aamp/backends/cuda/cuda_dev_math.cuh"

namespace aamp::cuda::dev {

// An unsigned type of `bytes` bytes (1, 2, 4, 8) for byte moves of any dtype, or 16 (uint4).
template <typename F>
void dispatch_bytes(size_t bytes, F&& f) {
  switch (bytes) {
    case 1:
      return f(TypeTag<uint8_t>{});
    case 2:
      return f(TypeTag<uint16_t>{});
    case 4:
      return f(TypeTag<uint32_t>{});
    case 8:
      return f(TypeTag<uint64_t>{});
    case 16:
      return f(TypeTag<uint4>{});
    default:
      throw Error(ErrorCode::kUnimplemented,
                  "no CUDA byte move for elements of " + std::to_string(bytes) + " bytes");
  }
}

template <bool kMax>
__device__ __forceinline__ float warp_reduce(float v) {
  for (int o = 16; o > 0; o /= 2) {
    const float w = __shfl_xor_sync(0xffffffffu, v, o);
    v = kMax ? fmaxf(v, w) : v + w;
  }
  return v;
}

// Block-wide reduction (max or sum) of one float per thread; every thread gets the result.
// `shared` holds 32 floats; consecutive calls may reuse it.
template <bool kMax>
__device__ float block_reduce(float v, float* shared) {
  v = warp_reduce<kMax>(v);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int warps = (blockDim.x + 31) / 32;
  __syncthreads();  // shared is reused by consecutive reductions
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  v = lane < warps ? shared[lane] : (kMax ? -INFINITY : 0.0f);
  return warp_reduce<kMax>(v);
}

}  // namespace aamp::cuda::dev
