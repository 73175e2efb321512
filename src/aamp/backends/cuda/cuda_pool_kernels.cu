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
    if (max)
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
