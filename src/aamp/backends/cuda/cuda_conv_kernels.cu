// aamp's own CUDA kernels around convolutions: the fused epilogue program (bias, residual,
// batch norm, Prelu, activations: one pass over the output), the zero-padded copy of an NHWC
// input and its reverse (crop), and depthwise convolution with its epilogue fused. The steps'
// formulas are ops/activation.h's, computed in float32.
#include "aamp/backends/cuda/cuda_conv_kernels.h"
#include "aamp/backends/cuda/cuda_dev_math.cuh"

namespace aamp::cuda {
namespace {

template <typename T>
__device__ __forceinline__ float arg_at(const EpProgram& p, int s, int k, int64_t i, int64_t c) {
  const T* a = static_cast<const T*>(p.ptr[s][k]);
  switch (p.arg[s]) {
    case EpArg::kChannel:
      return ld(a[c]);
    case EpArg::kFull:
      return ld(a[i]);
    case EpArg::kScalar:
      return ld(a[0]);
    default:
      return 0.0f;
  }
}

// The epilogue program on element i (flat NHWC index) of value v.
template <typename T>
__device__ float run_program(const EpProgram& p, float v, int64_t i) {
  const int64_t c = i % p.channels;
  for (int s = 0; s < p.num_steps; ++s) {
    switch (p.kind[s]) {
      case EpilogueOp::kBiasAdd:
      case EpilogueOp::kAdd:
        v += arg_at<T>(p, s, 0, i, c);
        break;
      case EpilogueOp::kMul:
        v *= arg_at<T>(p, s, 0, i, c);
        break;
      case EpilogueOp::kPrelu:
        v = prelu(v, arg_at<T>(p, s, 0, i, c));
        break;
      case EpilogueOp::kBatchNorm:
        v = batch_norm(v, arg_at<T>(p, s, 0, i, c), arg_at<T>(p, s, 1, i, c),
                       arg_at<T>(p, s, 2, i, c), arg_at<T>(p, s, 3, i, c), p.epsilon);
        break;
      default:
        v = activate(p.kind[s], v, p.act);
    }
  }
  return v;
}

template <typename T>
__global__ void epilogue_kernel(EpProgram p, T* y, int64_t n) {
  AAMP_GRID_STRIDE(i, n) { y[i] = st<T>(run_program<T>(p, ld(y[i]), i)); }
}

// x [n, h, w, c] = the interior at (pad_t, pad_l) of xp [n, ph, pw, c].
template <typename T>
__global__ void crop_interior_kernel(const T* xp, T* x, int64_t n, int64_t h, int64_t w,
                                     int64_t c, int64_t pad_t, int64_t pad_l, int64_t ph,
                                     int64_t pw) {
  const int64_t total = n * h * w * c;
  AAMP_GRID_STRIDE(i, total) {
    const dev::Nhwc q = dev::nhwc_of(i, h, w, c);
    x[i] = xp[((q.b * ph + q.y + pad_t) * pw + q.x + pad_l) * c + q.c];
  }
}

// Every element of xp [n, ph, pw, pc]: x [n, h, w, c]'s value at (y - pad_t, x - pad_l, c) where
// that lies in x, else 0 (one pass; xp's earlier contents do not matter).
template <typename T>
__global__ void pad_full_kernel(const T* x, T* xp, int64_t n, int64_t h, int64_t w, int64_t c,
                                int64_t pad_t, int64_t pad_l, int64_t ph, int64_t pw, int64_t pc) {
  const int64_t total = n * ph * pw * pc;
  AAMP_GRID_STRIDE(i, total) {
    const dev::Nhwc q = dev::nhwc_of(i, ph, pw, pc);
    const int64_t y = q.y - pad_t, xx = q.x - pad_l;
    xp[i] = y >= 0 && y < h && xx >= 0 && xx < w && q.c < c ? x[((q.b * h + y) * w + xx) * c + q.c]
                                                            : st<T>(0.0f);
  }
}

// The same copy 16 bytes at a time with 32-bit index math, for unchanged channels that are a
// multiple of 16 bytes (ResNet's 3x3 / 2 convolutions on even sizes, whose SAME padding cuDNN
// cannot express: the scalar kernel's 64-bit divisions took longer than the convolution).
__global__ void pad_full_vec_kernel(const uint4* __restrict__ x, uint4* __restrict__ xp, int n,
                                    int h, int w, int cv, int pad_t, int pad_l, int ph, int pw) {
  const int total = n * ph * pw * cv;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < total; i += gridDim.x * blockDim.x) {
    const dev::NhwcT<int> q = dev::nhwc_of(i, ph, pw, cv);
    const int y = q.y - pad_t, xx = q.x - pad_l;
    xp[i] = y >= 0 && y < h && xx >= 0 && xx < w
                ? __ldg(x + ((static_cast<size_t>(q.b) * h + y) * w + xx) * cv + q.c)
                : make_uint4(0, 0, 0, 0);
  }
}

// One thread per output element (channels fastest, so loads of x and w coalesce).
template <typename T>
__global__ void depthwise_kernel(WindowGeom g, const T* x, const T* w, T* y, EpProgram p,
                                 int64_t total) {
  AAMP_GRID_STRIDE(i, total) {
    const dev::Nhwc q = dev::nhwc_of(i, g.out_h, g.out_w, g.out_c);
    const int64_t b = q.b, oh = q.y, ow = q.x, oc = q.c;
    const int64_t c = oc / g.multiplier;
    float acc = 0.0f;
    for (int64_t kh = 0; kh < g.k_h; ++kh) {
      const int64_t ih = oh * g.stride_h - g.pad_t + kh * g.dil_h;
      if (ih < 0 || ih >= g.in_h) continue;
      const T* xrow = x + (b * g.in_h + ih) * g.in_w * g.in_c + c;
      const T* wrow = w + kh * g.k_w * g.out_c + oc;
      for (int64_t kw = 0; kw < g.k_w; ++kw) {
        const int64_t iw = ow * g.stride_w - g.pad_l + kw * g.dil_w;
        if (iw < 0 || iw >= g.in_w) continue;
        acc += ld(xrow[iw * g.in_c]) * ld(wrow[kw * g.out_c]);
      }
    }
    y[i] = st<T>(p.num_steps ? run_program<T>(p, acc, i) : acc);
  }
}

// One thread per output pixel of launch_space_to_depth2: 16 channels, two 16-byte stores (float16
// / bfloat16) or four (float32). 32-bit index math (the caller checks the sizes).
template <typename T>
__global__ void space_to_depth2_kernel(const T* __restrict__ x, T* __restrict__ xs, int n, int h,
                                       int w, int c, int pad_t, int pad_l, int sh, int sw) {
  const int total = n * sh * sw;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < total; i += gridDim.x * blockDim.x) {
    const int j = i % sw;
    const int r = i / sw;
    const int ii = r % sh;
    const int b = r / sh;
    alignas(16) T v[16];
#pragma unroll
    for (int p = 0; p < 4; ++p) {
      const int y = 2 * ii + (p >> 1) - pad_t, xx = 2 * j + (p & 1) - pad_l;
      const bool in = y >= 0 && y < h && xx >= 0 && xx < w;
      const T* src = x + (static_cast<size_t>(b) * h * w + (in ? y * w + xx : 0)) * c;
#pragma unroll
      for (int ch = 0; ch < 4; ++ch) v[p * 4 + ch] = st<T>(in && ch < c ? ld(src[ch]) : 0.0f);
    }
    uint4* dst = reinterpret_cast<uint4*>(xs + static_cast<size_t>(i) * 16);
    const uint4* from = reinterpret_cast<const uint4*>(v);
#pragma unroll
    for (int q = 0; q < static_cast<int>(16 * sizeof(T) / 16); ++q) dst[q] = from[q];
  }
}

}  // namespace

void launch_space_to_depth2(DType t, const void* x, void* xs, int64_t n, int64_t h, int64_t w,
                            int64_t c, int64_t pad_t, int64_t pad_l, int64_t sh, int64_t sw,
                            void* stream) {
  const int64_t total = n * sh * sw;
  if (total <= 0) return;
  AAMP_CHECK(c <= 4 && total * 16 < (int64_t{1} << 31) && n * h * w * c < (int64_t{1} << 31),
             ErrorCode::kInternal, "space_to_depth2: sizes out of range");
  auto i32 = [](int64_t v) { return static_cast<int>(v); };
  dev::dispatch_gpu_float(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    space_to_depth2_kernel<T><<<blocks_for(total), kThreads, 0, dev::as_stream(stream)>>>(
        static_cast<const T*>(x), static_cast<T*>(xs), i32(n), i32(h), i32(w), i32(c), i32(pad_t),
        i32(pad_l), i32(sh), i32(sw));
  });
  dev::check_launch("space-to-depth kernel");
}

void launch_epilogue(DType t, const EpProgram& p, void* y, int64_t n, void* stream) {
  if (n <= 0 || p.num_steps == 0) return;
  dev::dispatch_gpu_float(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    epilogue_kernel<T>
        <<<blocks_for(n), kThreads, 0, dev::as_stream(stream)>>>(p, static_cast<T*>(y), n);
  });
  dev::check_launch("convolution epilogue kernel");
}

void launch_pad_full(DType t, const void* x, void* xp, int64_t n, int64_t h, int64_t w, int64_t c,
                     int64_t pad_t, int64_t pad_l, int64_t padded_h, int64_t padded_w,
                     int64_t padded_c, void* stream) {
  const int64_t total = n * padded_h * padded_w * padded_c;
  if (total <= 0) return;
  const int64_t es = static_cast<int64_t>(dtype_size(t));
  if (padded_c == c && (c * es) % 16 == 0 && reinterpret_cast<uintptr_t>(x) % 16 == 0 &&
      reinterpret_cast<uintptr_t>(xp) % 16 == 0 && total < (int64_t{1} << 31)) {
    const int64_t cv = c * es / 16;
    auto i32 = [](int64_t v) { return static_cast<int>(v); };
    pad_full_vec_kernel<<<blocks_for(total / (c / cv)), kThreads, 0, dev::as_stream(stream)>>>(
        static_cast<const uint4*>(x), static_cast<uint4*>(xp), i32(n), i32(h), i32(w), i32(cv),
        i32(pad_t), i32(pad_l), i32(padded_h), i32(padded_w));
    dev::check_launch("convolution input padding kernel");
    return;
  }
  dev::dispatch_gpu_float(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    pad_full_kernel<T><<<blocks_for(total), kThreads, 0, dev::as_stream(stream)>>>(
        static_cast<const T*>(x), static_cast<T*>(xp), n, h, w, c, pad_t, pad_l, padded_h,
        padded_w, padded_c);
  });
  dev::check_launch("convolution input padding kernel");
}

void launch_crop_interior(DType t, const void* xp, void* x, int64_t n, int64_t h, int64_t w,
                          int64_t c, int64_t pad_t, int64_t pad_l, int64_t padded_h,
                          int64_t padded_w, void* stream) {
  const int64_t total = n * h * w * c;
  if (total <= 0) return;
  dev::dispatch_gpu_float(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    crop_interior_kernel<T><<<blocks_for(total), kThreads, 0, dev::as_stream(stream)>>>(
        static_cast<const T*>(xp), static_cast<T*>(x), n, h, w, c, pad_t, pad_l, padded_h,
        padded_w);
  });
  dev::check_launch("convolution output cropping kernel");
}

void launch_depthwise(DType t, const WindowGeom& g, const void* x, const void* w, void* y,
                      const EpProgram& p, void* stream) {
  const int64_t total = g.n * g.out_h * g.out_w * g.out_c;
  if (total <= 0) return;
  dev::dispatch_gpu_float(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    depthwise_kernel<T><<<blocks_for(total), kThreads, 0, dev::as_stream(stream)>>>(
        g, static_cast<const T*>(x), static_cast<const T*>(w), static_cast<T*>(y), p, total);
  });
  dev::check_launch("depthwise convolution kernel");
}

}  // namespace aamp::cuda
