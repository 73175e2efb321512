#include "aamp/backends/cpu/pool_inplace.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "aamp/backends/cpu/cpu_clones.h"
#include "aamp/core/dispatch.h"
#include "aamp/runtime/thread_pool.h"

// The vector helpers below are always inlined into the target clones, so the vector ABI of a
// non-AVX-512 target never applies.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace aamp::linalg {

namespace {

// Valid input rows (or columns) [lo, hi) of the window at output index o.
inline void window(int64_t o, int64_t stride, int64_t pad, int64_t k, int64_t in, int64_t& lo,
                   int64_t& hi) {
  const int64_t start = o * stride - pad;
  lo = std::max<int64_t>(start, 0);
  hi = std::min(start + k, in);
}

// 64 bytes of channels as float32 vectors (GCC/Clang vector extensions: one AVX-512 register,
// two AVX2 or four SSE registers, per the clone being compiled): 16 float32 channels, or 32
// bfloat16 channels as two vectors (even channels: low halves shifted up; odd channels: high
// halves masked), so widening and narrowing take one operation each. bfloat16 stores round as
// float_to_bf16_bits does (nearest even, NaN kept quiet), or truncate where the values are
// bfloat16 already (`exact`: MaxPool keeps one of its inputs).
template <int B>
struct Vec {
  typedef float F __attribute__((vector_size(B)));
  typedef uint32_t U __attribute__((vector_size(B)));
};

#define AAMP_INLINE inline __attribute__((always_inline))
template <typename To, typename From>
AAMP_INLINE To bits(From f) {
  To t;
  std::memcpy(&t, &f, sizeof t);
  return t;
}
// bfloat16 bits (in the low half of each lane) of float32 bits u.
template <typename U>
AAMP_INLINE U round_bf16(U u) {
  const U rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
  return (u & 0x7fffffffu) > 0x7f800000u ? ((u >> 16) | 0x0040u) : rounded;
}

template <bool Max, typename F>
AAMP_INLINE void accumulate(F& a, F v) {
  if constexpr (Max)
    a = a < v ? v : a;  // std::max
  else
    a += v;
}

// B bytes of channels of T as float32 vectors.
template <typename T, int B>
struct Lanes;
template <int B>
struct Lanes<float, B> {
  using F = typename Vec<B>::F;
  static constexpr int kChannels = B / 4;
  struct V {
    F a;
  };
  static AAMP_INLINE V load(const float* p) {
    V v;
    std::memcpy(&v.a, p, sizeof v.a);
    return v;
  }
  static AAMP_INLINE void store(float* p, V v, bool) { std::memcpy(p, &v.a, sizeof v.a); }
  template <bool Max>
  static AAMP_INLINE void combine(V& a, V v) {
    accumulate<Max>(a.a, v.a);
  }
  static AAMP_INLINE void divide(V& a, float n) { a.a /= n; }
};
template <int B>
struct Lanes<bfloat16, B> {
  using F = typename Vec<B>::F;
  using U = typename Vec<B>::U;
  static constexpr int kChannels = B / 2;
  struct V {
    F a, b;  // even, odd channels
  };
  static AAMP_INLINE V load(const bfloat16* p) {
    U u;
    std::memcpy(&u, static_cast<const void*>(p), sizeof u);
    return {bits<F>(U(u << 16)), bits<F>(U(u & 0xffff0000u))};
  }
  static AAMP_INLINE void store(bfloat16* p, V v, bool exact) {
    const U a = bits<U>(v.a), b = bits<U>(v.b);
    const U u = exact ? (a >> 16) | (b & 0xffff0000u) : round_bf16(a) | (round_bf16(b) << 16);
    std::memcpy(static_cast<void*>(p), &u, sizeof u);
  }
  template <bool Max>
  static AAMP_INLINE void combine(V& a, V v) {
    accumulate<Max>(a.a, v.a);
    accumulate<Max>(a.b, v.b);
  }
  static AAMP_INLINE void divide(V& a, float n) {
    a.a /= n;
    a.b /= n;
  }
};

// Channels of x (the window's batch image, channel offset applied) into out, starting from the
// window's first element: G vectors of 64 bytes of channels held in registers.
template <bool Max, int G, int B, typename T>
AAMP_INLINE void pool_vectors(const T* x, T* out, int64_t C, int64_t in_w, int64_t h_lo,
                              int64_t h_hi, int64_t w_lo, int64_t w_hi, float n) {
  using L = Lanes<T, B>;
  typename L::V a[G];
  const T* p0 = x + (h_lo * in_w + w_lo) * C;
  for (int k = 0; k < G; ++k) a[k] = L::load(p0 + L::kChannels * k);
  for (int64_t ih = h_lo; ih < h_hi; ++ih) {
    const T* row = x + ih * in_w * C;
    for (int64_t iw = ih == h_lo ? w_lo + 1 : w_lo; iw < w_hi; ++iw)
      for (int k = 0; k < G; ++k)
        L::template combine<Max>(a[k], L::load(row + iw * C + L::kChannels * k));
  }
  for (int k = 0; k < G; ++k) {
    if constexpr (!Max) L::divide(a[k], n);
    L::store(out + L::kChannels * k, a[k], Max);
  }
}

// One channel, for the channels left over and dtypes without vector loads.
template <bool Max, typename T>
AAMP_INLINE void pool_one(const T* x, T* out, int64_t C, int64_t in_w, int64_t h_lo, int64_t h_hi,
                          int64_t w_lo, int64_t w_hi, float n) {
  float a = as_float(x[(h_lo * in_w + w_lo) * C]);
  for (int64_t ih = h_lo; ih < h_hi; ++ih)
    for (int64_t iw = ih == h_lo ? w_lo + 1 : w_lo; iw < w_hi; ++iw) {
      const float v = as_float(x[(ih * in_w + iw) * C]);
      a = Max ? std::max(a, v) : a + v;
    }
  *out = from_float<T>(Max ? a : a / n);
}

// Channels [c0, c1) of every output position, in raster order. An all-padding window gives
// -inf (MaxPool) or 0 (AvgPool), as the reference kernel.
template <bool Max, typename T>
inline void walk(const Conv2DGeom& g, const T* x, T* y, int64_t c0, int64_t c1) {
  const int64_t C = g.in_c;
  for (int64_t b = 0; b < g.n; ++b) {
    const T* xb = x + b * g.in_h * g.in_w * C;
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      int64_t h_lo, h_hi;
      window(oh, g.stride_h, g.pad_t, g.k_h, g.in_h, h_lo, h_hi);
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        int64_t w_lo, w_hi;
        window(ow, g.stride_w, g.pad_l, g.k_w, g.in_w, w_lo, w_hi);
        T* out = y + ((b * g.out_h + oh) * g.out_w + ow) * C;
        if (h_lo >= h_hi || w_lo >= w_hi) {
          const T v = from_float<T>(Max ? -std::numeric_limits<float>::infinity() : 0.0f);
          std::fill(out + c0, out + c1, v);
          continue;
        }
        const float n = static_cast<float>((h_hi - h_lo) * (w_hi - w_lo));
        int64_t c = c0;
        if constexpr (std::is_same_v<T, float> || std::is_same_v<T, bfloat16>) {
          constexpr int64_t kV = Lanes<T, 64>::kChannels, kHalf = Lanes<T, 32>::kChannels,
                            kQuarter = Lanes<T, 16>::kChannels;
          for (; c + 4 * kV <= c1; c += 4 * kV)
            pool_vectors<Max, 4, 64>(xb + c, out + c, C, g.in_w, h_lo, h_hi, w_lo, w_hi, n);
          for (; c + kV <= c1; c += kV)
            pool_vectors<Max, 1, 64>(xb + c, out + c, C, g.in_w, h_lo, h_hi, w_lo, w_hi, n);
          for (; c + kHalf <= c1; c += kHalf)
            pool_vectors<Max, 1, 32>(xb + c, out + c, C, g.in_w, h_lo, h_hi, w_lo, w_hi, n);
          // 8 bfloat16 / 4 float32 channels: the single-channel loop below is several times
          // slower per channel in bfloat16 (blazeface's 24 channels = 16 + 8: 84 -> 25 us).
          for (; c + kQuarter <= c1; c += kQuarter)
            pool_vectors<Max, 1, 16>(xb + c, out + c, C, g.in_w, h_lo, h_hi, w_lo, w_hi, n);
        }
        for (; c < c1; ++c) pool_one<Max>(xb + c, out + c, C, g.in_w, h_lo, h_hi, w_lo, w_hi, n);
      }
    }
  }
}

template <typename T>
inline void walk(const Conv2DGeom& g, bool max, const T* x, T* y, int64_t c0, int64_t c1) {
  if (max)
    walk<true>(g, x, y, c0, c1);
  else
    walk<false>(g, x, y, c0, c1);
}

// float32 and bfloat16 (the dtypes of the models) compiled for AVX-512, AVX2 and baseline
// x86-64, chosen when the program loads (cpu_clones.h); other dtypes take the plain template.
AAMP_CPU_CLONES AAMP_CPU_FLATTEN void walk_vec(const Conv2DGeom& g, bool max, const float* x,
                                               float* y, int64_t c0, int64_t c1) {
  walk(g, max, x, y, c0, c1);
}
AAMP_CPU_CLONES AAMP_CPU_FLATTEN void walk_vec(const Conv2DGeom& g, bool max, const bfloat16* x,
                                               bfloat16* y, int64_t c0, int64_t c1) {
  walk(g, max, x, y, c0, c1);
}
template <typename T>
void walk_vec(const Conv2DGeom& g, bool max, const T* x, T* y, int64_t c0, int64_t c1) {
  walk(g, max, x, y, c0, c1);
}

}  // namespace

bool pool_inplace_safe(const Conv2DGeom& g) {
  if (g.nchw || g.out_c != g.in_c || g.stride_h < 1 || g.stride_w < 1) return false;
  for (int64_t b = 0; b < g.n; ++b)
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      int64_t h_lo, h_hi;
      window(oh, g.stride_h, g.pad_t, g.k_h, g.in_h, h_lo, h_hi);
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        int64_t w_lo, w_hi;
        window(ow, g.stride_w, g.pad_l, g.k_w, g.in_w, w_lo, w_hi);
        if (h_lo >= h_hi || w_lo >= w_hi) continue;  // reads nothing
        const int64_t first = (b * g.in_h + h_lo) * g.in_w + w_lo;
        if (first < (b * g.out_h + oh) * g.out_w + ow) return false;
      }
    }
  return true;
}

void pool_nhwc(const Conv2DGeom& g, bool max, const TensorView& x, const TensorView& y,
               int threads) {
  dispatch_float(x.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* in = x.as<T>();
    T* out = y.as<T>();
    // Channel chunks of whole cache lines, about one per thread.
    const int64_t line = std::max<int64_t>(1, 64 / static_cast<int64_t>(sizeof(T)));
    const int64_t t = std::max(threads, 1);
    const int64_t chunk = std::max(line, ((g.in_c + t - 1) / t + line - 1) / line * line);
    const int64_t chunks = (g.in_c + chunk - 1) / chunk;
    parallel_for(chunks, 1, threads, [&](int64_t b, int64_t e) {
      walk_vec(g, max, in, out, b * chunk, std::min(g.in_c, e * chunk));
    });
  });
}

}  // namespace aamp::linalg
