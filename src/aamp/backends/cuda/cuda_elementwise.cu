// aamp's own CUDA kernels: element-wise unary/binary (NumPy broadcasting), BiasAdd, Cast and
// Softmax over the last axis. 16-bit floats load to float32, compute and round back on store.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <string>
#include <type_traits>

#include "aamp/backends/cuda/cuda_kernels.h"
#include "aamp/core/dispatch.h"
#include "aamp/core/error.h"

namespace aamp::cuda {
namespace {

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

// dispatch_float restricted to the GPU's float types, handing the device type to f.
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

cudaStream_t as_stream(void* s) { return static_cast<cudaStream_t>(s); }

void check_launch(const char* what) {
  const cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess)
    throw Error(ErrorCode::kInternal,
                std::string("CUDA launch of ") + what + " failed: " + cudaGetErrorString(e));
}

constexpr int kThreads = 256;

unsigned blocks_for(int64_t n) {
  const int64_t b = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(b < 1 ? 1 : (b > 65535 * 8 ? 65535 * 8 : b));
}

__device__ __forceinline__ float apply(Unary op, float x) {
  switch (op) {
    case Unary::kRelu:
      return x > 0.0f ? x : 0.0f;
    case Unary::kRelu6:
      return fminf(fmaxf(x, 0.0f), 6.0f);
    case Unary::kSigmoid:
      return 1.0f / (1.0f + expf(-x));
    case Unary::kTanh:
      return tanhf(x);
    case Unary::kGeluExact:
      return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
  }
  return x;
}

__device__ __forceinline__ float apply(Binary op, float a, float b) {
  switch (op) {
    case Binary::kAdd:
      return a + b;
    case Binary::kSub:
      return a - b;
    case Binary::kMul:
      return a * b;
    case Binary::kDiv:
      return a / b;
  }
  return a;
}

template <typename T>
__global__ void unary_kernel(Unary op, const T* x, T* y, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x)
    y[i] = st<T>(apply(op, ld(x[i])));
}

template <typename T>
__global__ void binary_same_kernel(Binary op, const T* a, const T* b, T* y, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x)
    y[i] = st<T>(apply(op, ld(a[i]), ld(b[i])));
}

template <typename T>
__global__ void binary_bcast_kernel(Binary op, const T* a, const T* b, T* y, int64_t n,
                                    BroadcastIndex bc) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x) {
    int64_t rest = i, ao = 0, bo = 0;
    for (int d = bc.rank - 1; d >= 0; --d) {
      const int64_t k = rest % bc.out[d];
      rest /= bc.out[d];
      ao += k * bc.a_stride[d];
      bo += k * bc.b_stride[d];
    }
    y[i] = st<T>(apply(op, ld(a[ao]), ld(b[bo])));
  }
}

template <typename T>
__global__ void bias_add_kernel(const T* x, const T* bias, T* y, int64_t n, int64_t channels,
                                int64_t inner) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x)
    y[i] = st<T>(ld(x[i]) + ld(bias[(i / inner) % channels]));
}

template <typename S, typename D>
__global__ void cast_kernel(const S* x, D* y, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x)
    y[i] = st<D>(ld(x[i]));
}

// Block-wide reduction (max or sum) of one float per thread; every thread gets the result.
template <bool kMax>
__device__ float block_reduce(float v, float* shared) {
  for (int o = 16; o > 0; o /= 2) {
    const float w = __shfl_xor_sync(0xffffffffu, v, o);
    v = kMax ? fmaxf(v, w) : v + w;
  }
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int warps = (blockDim.x + 31) / 32;
  __syncthreads();  // shared is reused by consecutive reductions
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  v = lane < warps ? shared[lane] : (kMax ? -INFINITY : 0.0f);
  for (int o = 16; o > 0; o /= 2) {
    const float w = __shfl_xor_sync(0xffffffffu, v, o);
    v = kMax ? fmaxf(v, w) : v + w;
  }
  return v;
}

// One block per row: max, sum of exp(x - max), then the normalized values.
template <typename T>
__global__ void softmax_kernel(const T* x, T* y, int64_t cols) {
  __shared__ float shared[32];
  const T* in = x + blockIdx.x * cols;
  T* out = y + blockIdx.x * cols;
  float m = -INFINITY;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) m = fmaxf(m, ld(in[c]));
  m = block_reduce<true>(m, shared);
  float s = 0.0f;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) s += expf(ld(in[c]) - m);
  s = block_reduce<false>(s, shared);
  const float inv = 1.0f / s;
  for (int64_t c = threadIdx.x; c < cols; c += blockDim.x)
    out[c] = st<T>(expf(ld(in[c]) - m) * inv);
}

}  // namespace

void launch_unary(Unary op, DType t, const void* x, void* y, int64_t n, void* stream) {
  if (n <= 0) return;
  dispatch_gpu_float(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    unary_kernel<T><<<blocks_for(n), kThreads, 0, as_stream(stream)>>>(op, static_cast<const T*>(x),
                                                                       static_cast<T*>(y), n);
  });
  check_launch("unary element-wise kernel");
}

void launch_binary(Binary op, DType t, const void* a, const void* b, void* y, int64_t n,
                   const BroadcastIndex* bc, void* stream) {
  if (n <= 0) return;
  dispatch_gpu_float(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* pa = static_cast<const T*>(a);
    const T* pb = static_cast<const T*>(b);
    if (bc)
      binary_bcast_kernel<T><<<blocks_for(n), kThreads, 0, as_stream(stream)>>>(
          op, pa, pb, static_cast<T*>(y), n, *bc);
    else
      binary_same_kernel<T>
          <<<blocks_for(n), kThreads, 0, as_stream(stream)>>>(op, pa, pb, static_cast<T*>(y), n);
  });
  check_launch("binary element-wise kernel");
}

void launch_bias_add(DType t, const void* x, const void* bias, void* y, int64_t n, int64_t channels,
                     int64_t inner, void* stream) {
  if (n <= 0) return;
  dispatch_gpu_float(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    bias_add_kernel<T><<<blocks_for(n), kThreads, 0, as_stream(stream)>>>(
        static_cast<const T*>(x), static_cast<const T*>(bias), static_cast<T*>(y), n, channels,
        inner);
  });
  check_launch("BiasAdd kernel");
}

void launch_cast(DType src, DType dst, const void* x, void* y, int64_t n, void* stream) {
  if (n <= 0) return;
  dispatch_gpu_float(src, [&](auto stag) {
    dispatch_gpu_float(dst, [&](auto dtag) {
      using S = typename decltype(stag)::type;
      using D = typename decltype(dtag)::type;
      cast_kernel<S, D><<<blocks_for(n), kThreads, 0, as_stream(stream)>>>(static_cast<const S*>(x),
                                                                           static_cast<D*>(y), n);
    });
  });
  check_launch("Cast kernel");
}

void launch_softmax(DType t, const void* x, void* y, int64_t rows, int64_t cols, void* stream) {
  if (rows <= 0 || cols <= 0) return;
  const int threads = cols >= 1024 ? 512 : (cols >= 256 ? 256 : (cols >= 64 ? 64 : 32));
  dispatch_gpu_float(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    softmax_kernel<T><<<static_cast<unsigned>(rows), threads, 0, as_stream(stream)>>>(
        static_cast<const T*>(x), static_cast<T*>(y), cols);
  });
  check_launch("Softmax kernel");
}

}  // namespace aamp::cuda
