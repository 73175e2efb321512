// Device-side helpers of aamp's own CUDA kernels (*.cu only) beyond cuda_dev_math.cuh (types,
// loads / stores, dtype dispatch, launch check, grid sizing): byte moves of any dtype, strided
// walks and warp / block reductions.
#pragma once

#include <cstdint>
#include <string>

#include "aamp/backends/cuda/cuda_dev_math.cuh"
#include "aamp/backends/cuda/cuda_kernels.h"

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

// 16 bytes of T: one vector load or store.
template <typename T>
struct alignas(16) Pack {
  static constexpr int kN = 16 / sizeof(T);
  T v[kN];
};

// Whether n elements of T at x and y can move as Packs (both 16-byte aligned, n a multiple).
template <typename T>
inline bool packable(const void* x, const void* y, int64_t n) {
  return n % Pack<T>::kN == 0 && reinterpret_cast<uintptr_t>(x) % 16 == 0 &&
         reinterpret_cast<uintptr_t>(y) % 16 == 0;
}

// The offset of element i of the walk m (cuda_kernels.h's StridedMap), m.base not included.
__device__ __forceinline__ int64_t strided_offset(const StridedMap& m, int64_t i) {
  int64_t off = 0;
  for (int d = m.rank - 1; d >= 0; --d) {
    off += (i % m.dims[d]) * m.stride[d];
    i /= m.dims[d];
  }
  return off;
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

namespace aamp::cuda {
// The kernel files use these unqualified (with cuda_dev_math.cuh's).
using dev::block_reduce;
using dev::dispatch_bytes;
using dev::Pack;
using dev::packable;
using dev::strided_offset;
using dev::warp_reduce;
}  // namespace aamp::cuda
