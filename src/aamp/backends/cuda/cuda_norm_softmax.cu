// CUDA kernels of LayerNorm (16-byte vector loads, float32 statistics in two passes like the CPU
// reference; one warp per row with the row in registers up to 256 packs, else one block per row)
// and of softmax(x + mask) over the last axis (one warp per row up to 1024 columns, the row held in
// registers: one read of x and of the mask, one exp per element; else one block per row), which
// plain Softmax shares.
#include <cstdint>

#include "aamp/backends/cuda/cuda_device_util.cuh"
#include "aamp/backends/cuda/cuda_kernels.h"

namespace aamp::cuda {
namespace {

// ---- LayerNorm ------------------------------------------------------------------------------

// One block per row. kVec: x and y rows are 16-byte aligned and cols is a multiple of the pack.
template <typename T, typename G, bool kVec>
__global__ void layer_norm_kernel(const T* x, const G* gamma, const G* beta, T* y, int64_t cols,
                                  float eps) {
  __shared__ float shared[32];
  const T* in = x + blockIdx.x * cols;
  T* out = y + blockIdx.x * cols;
  using P = Pack<T>;
  const P* vin = reinterpret_cast<const P*>(in);
  const int64_t packs = cols / P::kN;
  float s = 0.0f;
  if constexpr (kVec) {
    for (int64_t p = threadIdx.x; p < packs; p += blockDim.x) {
      const P v = vin[p];
#pragma unroll
      for (int j = 0; j < P::kN; ++j) s += ld(v.v[j]);
    }
  } else {
    for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) s += ld(in[c]);
  }
  const float mean = block_reduce<false>(s, shared) / static_cast<float>(cols);
  float q = 0.0f;
  if constexpr (kVec) {
    for (int64_t p = threadIdx.x; p < packs; p += blockDim.x) {
      const P v = vin[p];
#pragma unroll
      for (int j = 0; j < P::kN; ++j) {
        const float d = ld(v.v[j]) - mean;
        q += d * d;
      }
    }
  } else {
    for (int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
      const float d = ld(in[c]) - mean;
      q += d * d;
    }
  }
  const float rstd = rsqrtf(block_reduce<false>(q, shared) / static_cast<float>(cols) + eps);
  if constexpr (kVec) {
    P* vout = reinterpret_cast<P*>(out);
    for (int64_t p = threadIdx.x; p < packs; p += blockDim.x) {
      const P v = vin[p];
      P o;
#pragma unroll
      for (int j = 0; j < P::kN; ++j) {
        const int64_t c = p * P::kN + j;
        o.v[j] = st<T>((ld(v.v[j]) - mean) * rstd * ld(gamma[c]) + ld(beta[c]));
      }
      vout[p] = o;
    }
  } else {
    for (int64_t c = threadIdx.x; c < cols; c += blockDim.x)
      out[c] = st<T>((ld(in[c]) - mean) * rstd * ld(gamma[c]) + ld(beta[c]));
  }
}

// n values of G at p as floats: 16-byte loads when n of them fill whole packs (p 16-byte aligned:
// launch_layer_norm checks), else one by one.
template <typename G, int kN>
__device__ __forceinline__ void load_floats(const G* p, float (&out)[kN]) {
  if constexpr (kN * sizeof(G) % 16 == 0) {
    constexpr int kPer = Pack<G>::kN;
#pragma unroll
    for (int i = 0; i < kN / kPer; ++i) {
      const Pack<G> v = reinterpret_cast<const Pack<G>*>(p)[i];
#pragma unroll
      for (int j = 0; j < kPer; ++j) out[i * kPer + j] = ld(v.v[j]);
    }
  } else {
#pragma unroll
    for (int j = 0; j < kN; ++j) out[j] = ld(p[j]);
  }
}

// Rows of at most 32 * kPacks 16-byte packs (e.g. BERT's 768 columns: 3 packs of float16 per
// lane): one warp per row with the row in registers, so x is read once and no block-wide
// synchronization is needed; blockDim (32, k). Lane l holds packs l, l + 32, ...
template <typename T, typename G, int kPacks>
__global__ void layer_norm_warp_kernel(const T* x, const G* gamma, const G* beta, T* y,
                                       int64_t rows, int64_t cols, float eps) {
  using P = Pack<T>;
  const int64_t row = int64_t{blockIdx.x} * blockDim.y + threadIdx.y;
  if (row >= rows) return;  // whole warps leave together
  const P* vin = reinterpret_cast<const P*>(x + row * cols);
  P* vout = reinterpret_cast<P*>(y + row * cols);
  const int packs = static_cast<int>(cols / P::kN);
  const int lane = threadIdx.x;
  P v[kPacks];
  float s = 0.0f;
#pragma unroll
  for (int i = 0; i < kPacks; ++i) {
    const int p = lane + 32 * i;
    if (p < packs) {
      v[i] = vin[p];
#pragma unroll
      for (int j = 0; j < P::kN; ++j) s += ld(v[i].v[j]);
    }
  }
  const float mean = warp_reduce<false>(s) / static_cast<float>(cols);
  float q = 0.0f;
#pragma unroll
  for (int i = 0; i < kPacks; ++i) {
    if (lane + 32 * i < packs) {
#pragma unroll
      for (int j = 0; j < P::kN; ++j) {
        const float d = ld(v[i].v[j]) - mean;
        q += d * d;
      }
    }
  }
  const float rstd = rsqrtf(warp_reduce<false>(q) / static_cast<float>(cols) + eps);
#pragma unroll
  for (int i = 0; i < kPacks; ++i) {
    const int p = lane + 32 * i;
    if (p < packs) {
      float gs[P::kN], bs[P::kN];
      load_floats(gamma + int64_t{p} * P::kN, gs);
      load_floats(beta + int64_t{p} * P::kN, bs);
      P o;
#pragma unroll
      for (int j = 0; j < P::kN; ++j) o.v[j] = st<T>((ld(v[i].v[j]) - mean) * rstd * gs[j] + bs[j]);
      vout[p] = o;
    }
  }
}

template <typename T, typename G, int kPacks>
void launch_layer_norm_warp(const T* x, const G* gamma, const G* beta, T* y, int64_t rows,
                            int64_t cols, float eps, void* stream) {
  constexpr unsigned kRowsPerBlock = 4;
  const dim3 block(32, kRowsPerBlock);
  const auto grid = static_cast<unsigned>((rows + kRowsPerBlock - 1) / kRowsPerBlock);
  layer_norm_warp_kernel<T, G, kPacks>
      <<<grid, block, 0, as_stream(stream)>>>(x, gamma, beta, y, rows, cols, eps);
}

// ---- softmax(x + mask) ----------------------------------------------------------------------

struct SoftmaxArgs {
  StridedMap x_rows, m_rows;
  int64_t x_cs, m_cs, rows, cols;
};

template <typename T, bool kMask>
__device__ __forceinline__ float logit(const T* xr, const T* mr, const SoftmaxArgs& a, int64_t c) {
  float v = ld(xr[c * a.x_cs]);
  if constexpr (kMask) v += ld(mr[c * a.m_cs]);
  return v;
}

// Rows of more than 1024 columns: one block per row, three passes over x (max, sum, write).
template <typename T, bool kMask>
__global__ void add_softmax_kernel(const T* x, const T* mask, T* y, SoftmaxArgs a) {
  __shared__ float shared[32];
  const int64_t row = blockIdx.x;
  const T* xr = x + strided_offset(a.x_rows, row);
  const T* mr = kMask ? mask + strided_offset(a.m_rows, row) : nullptr;
  T* out = y + row * a.cols;
  float m = -INFINITY;
  for (int64_t c = threadIdx.x; c < a.cols; c += blockDim.x)
    m = fmaxf(m, logit<T, kMask>(xr, mr, a, c));
  m = block_reduce<true>(m, shared);
  float s = 0.0f;
  for (int64_t c = threadIdx.x; c < a.cols; c += blockDim.x)
    s += expf(logit<T, kMask>(xr, mr, a, c) - m);
  const float inv = 1.0f / block_reduce<false>(s, shared);
  for (int64_t c = threadIdx.x; c < a.cols; c += blockDim.x)
    out[c] = st<T>(expf(logit<T, kMask>(xr, mr, a, c) - m) * inv);
}

// Rows of at most 32 * kPer columns: one warp per row holding the row in registers (kPer values
// per lane), so x and the mask are read once and exp computed once per element; blockDim
// (32, k). Lane l holds columns l, l + 32, ... (coalesced).
template <typename T, bool kMask, int kPer>
__global__ void add_softmax_regs_kernel(const T* x, const T* mask, T* y, SoftmaxArgs a) {
  const int64_t row = int64_t{blockIdx.x} * blockDim.y + threadIdx.y;
  if (row >= a.rows) return;  // whole warps leave together
  const T* xr = x + strided_offset(a.x_rows, row);
  const T* mr = kMask ? mask + strided_offset(a.m_rows, row) : nullptr;
  T* out = y + row * a.cols;
  const int lane = threadIdx.x;
  const int cols = static_cast<int>(a.cols);
  float v[kPer];
  float m = -INFINITY;
#pragma unroll
  for (int j = 0; j < kPer; ++j) {
    const int c = lane + 32 * j;
    v[j] = c < cols ? logit<T, kMask>(xr, mr, a, c) : -INFINITY;
    m = fmaxf(m, v[j]);
  }
  m = warp_reduce<true>(m);
  float s = 0.0f;
#pragma unroll
  for (int j = 0; j < kPer; ++j) {
    const int c = lane + 32 * j;
    v[j] = c < cols ? expf(v[j] - m) : 0.0f;
    s += v[j];
  }
  const float inv = 1.0f / warp_reduce<false>(s);
#pragma unroll
  for (int j = 0; j < kPer; ++j) {
    const int c = lane + 32 * j;
    if (c < cols) out[c] = st<T>(v[j] * inv);
  }
}

template <typename T, bool kMask, int kPer>
void launch_softmax_regs(const T* x, const T* mask, T* y, const SoftmaxArgs& a, void* stream) {
  constexpr unsigned kRowsPerBlock = 8;
  const dim3 block(32, kRowsPerBlock);
  const auto grid = static_cast<unsigned>((a.rows + kRowsPerBlock - 1) / kRowsPerBlock);
  add_softmax_regs_kernel<T, kMask, kPer><<<grid, block, 0, as_stream(stream)>>>(x, mask, y, a);
}

template <typename T, bool kMask>
void launch_softmax_typed(const T* x, const T* mask, T* y, const SoftmaxArgs& a, void* stream) {
  if (a.cols <= 32) {
    launch_softmax_regs<T, kMask, 1>(x, mask, y, a, stream);
  } else if (a.cols <= 64) {
    launch_softmax_regs<T, kMask, 2>(x, mask, y, a, stream);
  } else if (a.cols <= 128) {
    launch_softmax_regs<T, kMask, 4>(x, mask, y, a, stream);
  } else if (a.cols <= 256) {
    launch_softmax_regs<T, kMask, 8>(x, mask, y, a, stream);
  } else if (a.cols <= 512) {
    launch_softmax_regs<T, kMask, 16>(x, mask, y, a, stream);
  } else if (a.cols <= 1024) {
    launch_softmax_regs<T, kMask, 32>(x, mask, y, a, stream);
  } else {
    const int threads = a.cols >= 4096 ? 1024 : 256;
    add_softmax_kernel<T, kMask>
        <<<static_cast<unsigned>(a.rows), threads, 0, as_stream(stream)>>>(x, mask, y, a);
  }
}

}  // namespace

void launch_layer_norm(DType t, DType gt, const void* x, const void* gamma, const void* beta,
                       void* y, int64_t rows, int64_t cols, float epsilon, void* stream) {
  if (rows <= 0 || cols <= 0) return;
  dispatch_gpu_float(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    dispatch_gpu_float(gt, [&](auto gtag) {
      using G = typename decltype(gtag)::type;
      constexpr int kPack = Pack<T>::kN;
      const bool vec = cols % kPack == 0 && reinterpret_cast<uintptr_t>(x) % 16 == 0 &&
                       reinterpret_cast<uintptr_t>(y) % 16 == 0;
      const int64_t work = vec ? cols / kPack : cols;
      int threads = static_cast<int>(((work < 1024 ? work : 1024) + 31) / 32 * 32);
      if (threads < 32) threads = 32;
      const T* px = static_cast<const T*>(x);
      T* py = static_cast<T*>(y);
      const G* pg = static_cast<const G*>(gamma);
      const G* pb = static_cast<const G*>(beta);
      const auto grid = static_cast<unsigned>(rows);
      const int64_t packs = cols / kPack;
      // The warp kernel also loads gamma and beta in 16-byte packs (load_floats).
      const bool warp = vec && packs <= 256 && reinterpret_cast<uintptr_t>(gamma) % 16 == 0 &&
                        reinterpret_cast<uintptr_t>(beta) % 16 == 0;
      if (warp && packs <= 32)
        launch_layer_norm_warp<T, G, 1>(px, pg, pb, py, rows, cols, epsilon, stream);
      else if (warp && packs <= 64)
        launch_layer_norm_warp<T, G, 2>(px, pg, pb, py, rows, cols, epsilon, stream);
      else if (warp && packs <= 96)
        launch_layer_norm_warp<T, G, 3>(px, pg, pb, py, rows, cols, epsilon, stream);
      else if (warp && packs <= 128)
        launch_layer_norm_warp<T, G, 4>(px, pg, pb, py, rows, cols, epsilon, stream);
      else if (warp && packs <= 192)
        launch_layer_norm_warp<T, G, 6>(px, pg, pb, py, rows, cols, epsilon, stream);
      else if (warp)
        launch_layer_norm_warp<T, G, 8>(px, pg, pb, py, rows, cols, epsilon, stream);
      else if (vec)
        layer_norm_kernel<T, G, true>
            <<<grid, threads, 0, as_stream(stream)>>>(px, pg, pb, py, cols, epsilon);
      else
        layer_norm_kernel<T, G, false>
            <<<grid, threads, 0, as_stream(stream)>>>(px, pg, pb, py, cols, epsilon);
    });
  });
  check_launch("LayerNorm kernel");
}

void launch_add_softmax(DType t, const void* x, const StridedMap& x_rows, int64_t x_col_stride,
                        const void* mask, const StridedMap& mask_rows, int64_t mask_col_stride,
                        void* y, int64_t rows, int64_t cols, void* stream) {
  if (rows <= 0 || cols <= 0) return;
  const SoftmaxArgs a{x_rows, mask_rows, x_col_stride, mask_col_stride, rows, cols};
  dispatch_gpu_float(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* px = static_cast<const T*>(x);
    const T* pm = static_cast<const T*>(mask);
    T* py = static_cast<T*>(y);
    if (mask)
      launch_softmax_typed<T, true>(px, pm, py, a, stream);
    else
      launch_softmax_typed<T, false>(px, pm, py, a, stream);
  });
  check_launch("Softmax kernel");
}

void launch_softmax(DType t, const void* x, void* y, int64_t rows, int64_t cols, void* stream) {
  StridedMap ri;
  ri.rank = 1;
  ri.dims[0] = rows > 0 ? rows : 1;
  ri.stride[0] = cols;
  launch_add_softmax(t, x, ri, 1, nullptr, StridedMap{}, 0, y, rows, cols, stream);
}

}  // namespace aamp::cuda
