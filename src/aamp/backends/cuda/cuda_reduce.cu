// CUDA kernels of the reductions Sum / Mean / Max / Min over any set of axes, accumulating in
// float32: one warp per output when the reduced elements are contiguous (reducing the innermost
// axes), else one thread per output looping over the reduced elements (coalesced when the kept
// innermost axis is contiguous, e.g. Mean over [1, 2] of NHWC).
#include <cstdint>

#include "aamp/backends/cuda/cuda_device_util.cuh"
#include "aamp/backends/cuda/cuda_kernels.h"

namespace aamp::cuda {
namespace {

__device__ __forceinline__ float init_of(Reduce op) {
  return op == Reduce::kMax ? -INFINITY : (op == Reduce::kMin ? INFINITY : 0.0f);
}

__device__ __forceinline__ float combine(Reduce op, float a, float b) {
  switch (op) {
    case Reduce::kMax:
      return fmaxf(a, b);
    case Reduce::kMin:
      return fminf(a, b);
    default:
      return a + b;
  }
}

__device__ __forceinline__ float finish(Reduce op, float v, int64_t count) {
  return op == Reduce::kMean ? v / static_cast<float>(count) : v;
}

// One thread per output.
template <typename T>
__global__ void reduce_thread_kernel(Reduce op, const T* x, T* y, int64_t n_out, int64_t count,
                                     StridedMap kept, StridedMap red) {
  for (int64_t o = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; o < n_out;
       o += int64_t{gridDim.x} * blockDim.x) {
    const T* base = x + strided_offset(kept, o);
    float acc = init_of(op);
    if (red.rank == 1) {
      for (int64_t r = 0; r < count; ++r) acc = combine(op, acc, ld(base[r * red.stride[0]]));
    } else {
      for (int64_t r = 0; r < count; ++r) acc = combine(op, acc, ld(base[strided_offset(red, r)]));
    }
    y[o] = st<T>(finish(op, acc, count));
  }
}

// One warp per output; the reduced elements are contiguous.
template <typename T>
__global__ void reduce_warp_kernel(Reduce op, const T* x, T* y, int64_t n_out, int64_t count,
                                   StridedMap kept) {
  const int64_t o = int64_t{blockIdx.x} * blockDim.y + threadIdx.y;
  if (o >= n_out) return;
  const T* base = x + strided_offset(kept, o);
  float acc = init_of(op);
  for (int64_t r = threadIdx.x; r < count; r += 32) acc = combine(op, acc, ld(base[r]));
  for (int s = 16; s > 0; s /= 2) acc = combine(op, acc, __shfl_xor_sync(0xffffffffu, acc, s));
  if (threadIdx.x == 0) y[o] = st<T>(finish(op, acc, count));
}

}  // namespace

void launch_reduce(Reduce op, DType t, const void* x, void* y, const StridedMap& kept,
                   const StridedMap& reduced, void* stream) {
  int64_t n_out = 1, count = 1;
  for (int d = 0; d < kept.rank; ++d) n_out *= kept.dims[d];
  for (int d = 0; d < reduced.rank; ++d) count *= reduced.dims[d];
  if (n_out <= 0) return;
  dispatch_gpu_float(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* px = static_cast<const T*>(x);
    T* py = static_cast<T*>(y);
    if (reduced.rank == 1 && reduced.stride[0] == 1 && count >= 32) {
      constexpr unsigned kRows = 8;
      reduce_warp_kernel<T><<<static_cast<unsigned>((n_out + kRows - 1) / kRows), dim3(32, kRows),
                              0, as_stream(stream)>>>(op, px, py, n_out, count, kept);
    } else {
      reduce_thread_kernel<T><<<blocks_for(n_out), kThreads, 0, as_stream(stream)>>>(
          op, px, py, n_out, count, kept, reduced);
    }
  });
  check_launch("reduction kernel");
}

}  // namespace aamp::cuda
