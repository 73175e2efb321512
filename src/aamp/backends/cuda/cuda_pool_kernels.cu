// aamp's own CUDA kernels of MaxPool / AvgPool (NHWC), FusedBatchNorm inference and
// ResizeBilinear (NHWC), following the CPU reference kernels (backends/cpu/ref_linalg_misc.cc,
// reference_image.cc) in float32.
#include "aamp/backends/cuda/cuda_conv_kernels.h"
#include "aamp/backends/cuda/cuda_dev_math.cuh"
#include "aamp/ops/pool_window.h"

namespace aamp::cuda {
namespace {

template <typename T, bool kMax>
__global__ void pool_kernel(WindowGeom g, const T* x, T* y, int64_t total) {
  AAMP_GRID_STRIDE(i, total) {
    const dev::Nhwc q = dev::nhwc_of(i, g.out_h, g.out_w, g.out_c);
    y[i] = st<T>(pool_window<kMax>(g, q.y, q.x, [&](int64_t ih, int64_t iw) {
      return ld(x[((q.b * g.in_h + ih) * g.in_w + iw) * g.in_c + q.c]);
    }));
  }
}

// The same windows, 16 bytes of channels (V elements) per thread and 32-bit index math, for
// tensors whose channels are a multiple of V and whose sizes fit 31 bits. The scalar kernel's
// 64-bit divisions made ResNet-50's MaxPool (b64, 112x112x64 -> 56x56x64) take ~0.33 ms on an H100
// in float16 and float32 alike, ~15x its memory traffic. The loop order is pool_window's, so the
// results are the scalar kernel's bit for bit.
template <typename T, bool kMax>
__global__ void pool_vec_kernel(WindowGeom g, const T* __restrict__ x, T* __restrict__ y,
                                int total_vecs) {
  constexpr int V = 16 / sizeof(T);
  const int cv_n = static_cast<int>(g.out_c) / V;
  const int in_h = static_cast<int>(g.in_h), in_w = static_cast<int>(g.in_w);
  const int out_h = static_cast<int>(g.out_h), out_w = static_cast<int>(g.out_w);
  const int c = static_cast<int>(g.in_c);
  const int k_h = static_cast<int>(g.k_h), k_w = static_cast<int>(g.k_w);
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < total_vecs; i += gridDim.x * blockDim.x) {
    const dev::NhwcT<int> q = dev::nhwc_of(i, out_h, out_w, cv_n);
    const int b = q.b, oy = q.y, ox = q.x, cv = q.c;
    float acc[V];
#pragma unroll
    for (int v = 0; v < V; ++v) acc[v] = kMax ? -INFINITY : 0.0f;
    int count = 0;
    const T* base = x + static_cast<size_t>(b) * in_h * in_w * c + cv * V;
    for (int kh = 0; kh < k_h; ++kh) {
      const int ih = oy * static_cast<int>(g.stride_h) - static_cast<int>(g.pad_t) + kh;
      if (ih < 0 || ih >= in_h) continue;
      for (int kw = 0; kw < k_w; ++kw) {
        const int iw = ox * static_cast<int>(g.stride_w) - static_cast<int>(g.pad_l) + kw;
        if (iw < 0 || iw >= in_w) continue;
        const uint4 raw =
            __ldg(reinterpret_cast<const uint4*>(base + (static_cast<size_t>(ih) * in_w + iw) * c));
        const T* e = reinterpret_cast<const T*>(&raw);
#pragma unroll
        for (int v = 0; v < V; ++v) acc[v] = kMax ? fmaxf(acc[v], ld(e[v])) : acc[v] + ld(e[v]);
        ++count;
      }
    }
    uint4 out;
    T* o = reinterpret_cast<T*>(&out);
#pragma unroll
    for (int v = 0; v < V; ++v)
      o[v] = st<T>(kMax ? acc[v] : (count ? acc[v] / static_cast<float>(count) : 0.0f));
    *reinterpret_cast<uint4*>(y + static_cast<size_t>(i) * V) = out;
  }
}

template <typename T, typename U>
__global__ void batch_norm_kernel(const T* x, const U* scale, const U* offset, const U* mean,
                                  const U* var, T* y, int64_t n, int64_t channels, int64_t inner,
                                  float eps) {
  AAMP_GRID_STRIDE(i, n) {
    const int64_t c = (i / inner) % channels;
    y[i] = st<T>(batch_norm(ld(x[i]), ld(scale[c]), ld(offset[c]), ld(mean[c]), ld(var[c]), eps));
  }
}

// As bilinear_weights in reference_image.cc.
struct Lerp {
  int64_t lo, hi;
  float frac;
};
__device__ __forceinline__ Lerp lerp_of(int64_t o, int64_t in, float scale, bool half) {
  const float src =
      half ? (static_cast<float>(o) + 0.5f) * scale - 0.5f : static_cast<float>(o) * scale;
  const float fl = floorf(src);
  Lerp l;
  l.lo = static_cast<int64_t>(fl) > 0 ? static_cast<int64_t>(fl) : 0;
  const int64_t hi = static_cast<int64_t>(ceilf(src));
  l.hi = hi < in - 1 ? hi : in - 1;
  l.lo = l.lo < in - 1 ? l.lo : in - 1;
  l.frac = src - fl;
  return l;
}

template <typename T, typename O>
__global__ void resize_bilinear_kernel(const T* x, O* y, int64_t n, int64_t h, int64_t w, int64_t c,
                                       int64_t oh, int64_t ow, float sh, float sw, bool half) {
  const int64_t total = n * oh * ow * c;
  AAMP_GRID_STRIDE(i, total) {
    const dev::Nhwc q = dev::nhwc_of(i, oh, ow, c);
    const int64_t b = q.b, oy = q.y, ox = q.x, k = q.c;
    const Lerp ly = lerp_of(oy, h, sh, half), lx = lerp_of(ox, w, sw, half);
    const T* top = x + (b * h + ly.lo) * w * c;
    const T* bot = x + (b * h + ly.hi) * w * c;
    const float tl = ld(top[lx.lo * c + k]), tr = ld(top[lx.hi * c + k]);
    const float bl = ld(bot[lx.lo * c + k]), br = ld(bot[lx.hi * c + k]);
    const float t = tl + (tr - tl) * lx.frac;
    const float bo = bl + (br - bl) * lx.frac;
    y[i] = st<O>(t + (bo - t) * ly.frac);
  }
}

}  // namespace

void launch_pool(DType t, bool max, const WindowGeom& g, const void* x, void* y, void* stream) {
  const int64_t total = g.n * g.out_h * g.out_w * g.out_c;
  if (total <= 0) return;
  dev::dispatch_gpu_float(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    auto* px = static_cast<const T*>(x);
    auto* py = static_cast<T*>(y);
    constexpr int64_t V = 16 / sizeof(T);
    const int64_t in_total = g.n * g.in_h * g.in_w * g.in_c;
    const bool aligned = reinterpret_cast<uintptr_t>(x) % 16 == 0 &&
                         reinterpret_cast<uintptr_t>(y) % 16 == 0;
    if (aligned && g.in_c == g.out_c && g.in_c % V == 0 && in_total < (int64_t{1} << 31) &&
        total < (int64_t{1} << 31)) {
      const int vecs = static_cast<int>(total / V);
      if (max)
        pool_vec_kernel<T, true>
            <<<blocks_for(vecs), kThreads, 0, dev::as_stream(stream)>>>(g, px, py, vecs);
      else
        pool_vec_kernel<T, false>
            <<<blocks_for(vecs), kThreads, 0, dev::as_stream(stream)>>>(g, px, py, vecs);
    } else if (max)
      pool_kernel<T, true>
          <<<blocks_for(total), kThreads, 0, dev::as_stream(stream)>>>(g, px, py, total);
    else
      pool_kernel<T, false>
          <<<blocks_for(total), kThreads, 0, dev::as_stream(stream)>>>(g, px, py, total);
  });
  dev::check_launch("pooling kernel");
}

void launch_batch_norm(DType t, DType u, const void* x, const void* scale, const void* offset,
                       const void* mean, const void* var, void* y, int64_t n, int64_t channels,
                       int64_t inner, float epsilon, void* stream) {
  if (n <= 0) return;
  dev::dispatch_gpu_float(t, [&](auto tag) {
    dev::dispatch_gpu_float(u, [&](auto utag) {
      using T = typename decltype(tag)::type;
      using U = typename decltype(utag)::type;
      batch_norm_kernel<T, U><<<blocks_for(n), kThreads, 0, dev::as_stream(stream)>>>(
          static_cast<const T*>(x), static_cast<const U*>(scale), static_cast<const U*>(offset),
          static_cast<const U*>(mean), static_cast<const U*>(var), static_cast<T*>(y), n, channels,
          inner, epsilon);
    });
  });
  dev::check_launch("FusedBatchNorm kernel");
}

void launch_resize_bilinear(DType t, DType o, const void* x, void* y, int64_t n, int64_t in_h,
                            int64_t in_w, int64_t c, int64_t out_h, int64_t out_w, float scale_h,
                            float scale_w, bool half_pixel, void* stream) {
  const int64_t total = n * out_h * out_w * c;
  if (total <= 0) return;
  dev::dispatch_gpu_float(t, [&](auto tag) {
    dev::dispatch_gpu_float(o, [&](auto otag) {
      using T = typename decltype(tag)::type;
      using O = typename decltype(otag)::type;
      resize_bilinear_kernel<T, O><<<blocks_for(total), kThreads, 0, dev::as_stream(stream)>>>(
          static_cast<const T*>(x), static_cast<O*>(y), n, in_h, in_w, c, out_h, out_w, scale_h,
          scale_w, half_pixel);
    });
  });
  dev::check_launch("ResizeBilinear kernel");
}

}  // namespace aamp::cuda
