// aamp's own CUDA kernels: element-wise unary math, activations (ops/activation.h), binary
// (NumPy broadcasting), BiasAdd and Cast (from the float types, int32, int64, bool, uint8 and int8
// to the float types). 16-bit floats load to float32, compute and round back on store.
#include <cstdint>
#include <type_traits>

#include "aamp/backends/cuda/cuda_device_util.cuh"
#include "aamp/backends/cuda/cuda_kernels.h"

namespace aamp::cuda {
namespace {

__device__ __forceinline__ float apply(Unary op, float x) {
  switch (op) {
    case Unary::kErf:
      return erff(x);
    case Unary::kRsqrt:
      return rsqrtf(x);
    case Unary::kSqrt:
      return sqrtf(x);
    case Unary::kExp:
      return expf(x);
    case Unary::kLog:
      return logf(x);
    case Unary::kNeg:
      return -x;
    case Unary::kSquare:
      return x * x;
    case Unary::kAbs:
      return fabsf(x);
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
    case Binary::kMaximum:
      return a > b ? a : b;
    case Binary::kMinimum:
      return a < b ? a : b;
    case Binary::kPow:
      return powf(a, b);
    case Binary::kSquaredDifference:
      return (a - b) * (a - b);
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
__global__ void activation_kernel(EpilogueOp op, ActParams p, const T* x, T* y, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x)
    y[i] = st<T>(activate(op, ld(x[i]), p));
}

// activation_kernel over 16-byte packs (x and y packable): the GELU after a cuBLASLt GEMM
// moves its tensor at full memory bandwidth.
template <typename T>
__global__ void activation_pack_kernel(EpilogueOp op, ActParams p, const Pack<T>* x, Pack<T>* y,
                                       int64_t packs) {
  AAMP_GRID_STRIDE(i, packs) {
    Pack<T> a = x[i];
#pragma unroll
    for (int k = 0; k < Pack<T>::kN; ++k) a.v[k] = st<T>(activate(op, ld(a.v[k]), p));
    y[i] = a;
  }
}

template <typename T>
__global__ void binary_same_kernel(Binary op, const T* a, const T* b, T* y, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x)
    y[i] = st<T>(apply(op, ld(a[i]), ld(b[i])));
}

// The NumPy-broadcast walk of BroadcastIndex in index type I: 32-bit below 2^31 elements (64-bit
// division is a long instruction sequence on the GPU), else 64-bit.
template <typename I>
struct BroadcastWalk {
  int rank = 0;
  I out[kMaxRank] = {};
  I a_stride[kMaxRank] = {};
  I b_stride[kMaxRank] = {};
};

template <typename I>
BroadcastWalk<I> walk_of(const BroadcastIndex& bc) {
  BroadcastWalk<I> w;
  w.rank = bc.rank;
  for (int d = 0; d < bc.rank; ++d) {
    w.out[d] = static_cast<I>(bc.out[d]);
    w.a_stride[d] = static_cast<I>(bc.a_stride[d]);
    w.b_stride[d] = static_cast<I>(bc.b_stride[d]);
  }
  return w;
}

template <typename T, typename I>
__global__ void binary_bcast_kernel(Binary op, const T* a, const T* b, T* y, I n,
                                    BroadcastWalk<I> bc) {
  for (I i = blockIdx.x * I{blockDim.x} + threadIdx.x; i < n; i += I{gridDim.x} * blockDim.x) {
    I rest = i, ao = 0, bo = 0;
    for (int d = bc.rank - 1; d >= 0; --d) {
      const I k = rest % bc.out[d];
      rest /= bc.out[d];
      ao += k * bc.a_stride[d];
      bo += k * bc.b_stride[d];
    }
    y[i] = st<T>(apply(op, ld(a[ao]), ld(b[bo])));
  }
}

// One operand has the output's shape, the other repeats with period `period` elements (it has
// the output's trailing dims and broadcasts over the leading ones: a bias, a position table).
template <typename T, bool kFullIsA>
__global__ void binary_repeat_kernel(Binary op, const T* full, const T* rep, T* y, uint32_t n,
                                     uint32_t period) {
  for (uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    const float f = ld(full[i]), r = ld(rep[i % period]);
    y[i] = st<T>(kFullIsA ? apply(op, f, r) : apply(op, r, f));
  }
}

// The period, in elements, with which the operand of `stride` repeats over the output: it walks
// the output's dims from its first non-broadcast dim on in row-major order and is broadcast
// (stride 0) over the dims before (a bias, a position table; the output's own shape: period n).
// 0 when it does not.
int64_t repeat_period(const BroadcastIndex& bc, const int64_t* stride) {
  int from = 0;
  while (from < bc.rank && (stride[from] == 0 || bc.out[from] == 1)) ++from;
  int64_t step = 1;
  for (int d = bc.rank - 1; d >= from; --d) {
    if (bc.out[d] != 1 && stride[d] != step) return 0;
    step *= bc.out[d];
  }
  return step;
}

template <typename T>
__global__ void bias_add_kernel(const T* x, const T* bias, T* y, int64_t n, int64_t channels,
                                int64_t inner) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x)
    y[i] = st<T>(ld(x[i]) + ld(bias[(i / inner) % channels]));
}

template <typename S>
__device__ __forceinline__ float ld_any(S x) {
  if constexpr (std::is_integral_v<S>)
    return static_cast<float>(x);
  else
    return ld(x);
}

template <typename S, typename D>
__global__ void cast_kernel(const S* x, D* y, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x)
    y[i] = st<D>(ld_any(x[i]));
}

// Four elements moved as one aligned vector (16 bytes for float32, 8 for 16-bit types).
template <typename T>
struct alignas(4 * sizeof(T)) Vec4 {
  T v[4];
};

// cast_kernel over groups of four: x and y aligned to their Vec4, n4 groups.
template <typename S, typename D>
__global__ void cast4_kernel(const Vec4<S>* x, Vec4<D>* y, int64_t n4) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n4;
       i += int64_t{gridDim.x} * blockDim.x) {
    const Vec4<S> a = x[i];
    Vec4<D> b;
#pragma unroll
    for (int k = 0; k < 4; ++k) b.v[k] = st<D>(ld_any(a.v[k]));
    y[i] = b;
  }
}

// The GPU float types, and int32 / int64 / bool / uint8 / int8 as Cast sources.
template <typename F>
void dispatch_cast_source(DType t, F&& f) {
  switch (t) {
    case DType::kInt32:
      return f(TypeTag<int32_t>{});
    case DType::kInt64:
      return f(TypeTag<int64_t>{});
    case DType::kBool:
      return f(TypeTag<bool>{});
    case DType::kUInt8:
      return f(TypeTag<uint8_t>{});
    case DType::kInt8:
      return f(TypeTag<int8_t>{});
    default:
      return dispatch_gpu_float(t, std::forward<F>(f));
  }
}

}  // namespace

void launch_unary(Unary op, DType t, const void* x, void* y, int64_t n, void* stream) {
  if (n <= 0) return;
  dispatch_gpu_float(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    unary_kernel<T><<<blocks_for(n), kThreads, 0, as_stream(stream)>>>(
        op, static_cast<const T*>(x), static_cast<T*>(y), n);
  });
  check_launch("unary element-wise kernel");
}

void launch_activation(EpilogueOp op, const ActParams& p, DType t, const void* x, void* y,
                       int64_t n, void* stream) {
  if (n <= 0) return;
  dispatch_gpu_float(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (packable<T>(x, y, n)) {
      const int64_t packs = n / Pack<T>::kN;
      activation_pack_kernel<T><<<blocks_for(packs), kThreads, 0, as_stream(stream)>>>(
          op, p, static_cast<const Pack<T>*>(x), static_cast<Pack<T>*>(y), packs);
    } else {
      activation_kernel<T><<<blocks_for(n), kThreads, 0, as_stream(stream)>>>(
          op, p, static_cast<const T*>(x), static_cast<T*>(y), n);
    }
  });
  check_launch("activation kernel");
}

void launch_binary(Binary op, DType t, const void* a, const void* b, void* y, int64_t n,
                   const BroadcastIndex* bc, void* stream) {
  if (n <= 0) return;
  dispatch_gpu_float(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* pa = static_cast<const T*>(a);
    const T* pb = static_cast<const T*>(b);
    T* py = static_cast<T*>(y);
    if (bc && n < (int64_t{1} << 31)) {
      const auto n32 = static_cast<uint32_t>(n);
      const int64_t pa_period = repeat_period(*bc, bc->a_stride);
      const int64_t pb_period = repeat_period(*bc, bc->b_stride);
      if (pa_period == n && pb_period > 0)  // a full, b repeating
        binary_repeat_kernel<T, true><<<blocks_for(n), kThreads, 0, as_stream(stream)>>>(
            op, pa, pb, py, n32, static_cast<uint32_t>(pb_period));
      else if (pb_period == n && pa_period > 0)  // b full, a repeating
        binary_repeat_kernel<T, false><<<blocks_for(n), kThreads, 0, as_stream(stream)>>>(
            op, pb, pa, py, n32, static_cast<uint32_t>(pa_period));
      else
        binary_bcast_kernel<T, uint32_t><<<blocks_for(n), kThreads, 0, as_stream(stream)>>>(
            op, pa, pb, py, n32, walk_of<uint32_t>(*bc));
    } else if (bc)
      binary_bcast_kernel<T, int64_t><<<blocks_for(n), kThreads, 0, as_stream(stream)>>>(
          op, pa, pb, py, n, walk_of<int64_t>(*bc));
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
  dispatch_cast_source(src, [&](auto stag) {
    dispatch_gpu_float(dst, [&](auto dtag) {
      using S = typename decltype(stag)::type;
      using D = typename decltype(dtag)::type;
      const S* xs = static_cast<const S*>(x);
      D* yd = static_cast<D*>(y);
      // The bulk as aligned groups of four (the memory-bound casts AMP inserts at graph inputs
      // and outputs run several times faster so), the rest element by element.
      int64_t done = 0;
      if (reinterpret_cast<uintptr_t>(xs) % alignof(Vec4<S>) == 0 &&
          reinterpret_cast<uintptr_t>(yd) % alignof(Vec4<D>) == 0 && n >= 4) {
        const int64_t n4 = n / 4;
        cast4_kernel<S, D><<<blocks_for(n4), kThreads, 0, as_stream(stream)>>>(
            reinterpret_cast<const Vec4<S>*>(xs), reinterpret_cast<Vec4<D>*>(yd), n4);
        done = 4 * n4;
      }
      if (done < n)
        cast_kernel<S, D><<<blocks_for(n - done), kThreads, 0, as_stream(stream)>>>(
            xs + done, yd + done, n - done);
    });
  });
  check_launch("Cast kernel");
}

}  // namespace aamp::cuda
