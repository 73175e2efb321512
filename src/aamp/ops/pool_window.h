// The one formula of a MaxPool / AvgPool window, usable in host code and in CUDA device code (.cu
// files include this header): the CPU reference kernel (backends/cpu/ref_linalg_misc.cc) and the
// CUDA kernel (backends/cuda/cuda_pool_kernels.cu) both call pool_window().
#pragma once

#include <math.h>  // fmaxf and INFINITY, on host and device alike

#include <cstdint>

#include "aamp/core/host_device.h"

namespace aamp {

// The max (kMax) or the average of the inputs in output (oh, ow)'s window that lie inside the
// input (padding takes no part, as in TensorFlow); -inf or 0 for a window of padding only.
// `g` has the window's geometry (in_h, in_w, k_h, k_w, stride_h, stride_w, pad_t, pad_l: the
// CPU's linalg::Conv2DGeom or the GPU's WindowGeom); load(ih, iw) reads one input as float.
template <bool kMax, typename Geom, typename Load>
AAMP_HOST_DEVICE float pool_window(const Geom& g, int64_t oh, int64_t ow, Load load) {
  float acc = kMax ? -INFINITY : 0.0f;
  int64_t count = 0;
  for (int64_t kh = 0; kh < g.k_h; ++kh) {
    const int64_t ih = oh * g.stride_h - g.pad_t + kh;
    if (ih < 0 || ih >= g.in_h) continue;
    for (int64_t kw = 0; kw < g.k_w; ++kw) {
      const int64_t iw = ow * g.stride_w - g.pad_l + kw;
      if (iw < 0 || iw >= g.in_w) continue;
      const float v = load(ih, iw);
      acc = kMax ? fmaxf(acc, v) : acc + v;
      ++count;
    }
  }
  if (!kMax) acc = count ? acc / static_cast<float>(count) : 0.0f;
  return acc;
}

}  // namespace aamp
