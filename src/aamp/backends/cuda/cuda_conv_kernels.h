// Launchers of aamp's own CUDA kernels for convolution-shaped ops (cuda_conv_kernels.cu,
// cuda_pool_kernels.cu): the fused epilogue of a convolution (bias, residual, batch norm,
// activations in one pass), the zero-padded copy of an NHWC input (asymmetric SAME padding for
// cuDNN), depthwise convolution with the epilogue fused, MaxPool / AvgPool, FusedBatchNorm
// inference and ResizeBilinear. Plain C++ (no CUDA header): streams and device pointers are void*.
// Every launcher queues its work on `stream` and throws Error with CUDA's message when the launch
// fails. Activations are NHWC; 16-bit floats are computed in float32 and rounded once on store.
#pragma once

#include <cstdint>

#include "aamp/core/dtype.h"
#include "aamp/ops/activation.h"

namespace aamp::cuda {

// ---- fused epilogue ------------------------------------------------------------------------
// The epilogue program: ops/epilogue.h's steps. Steps with an argument read it per channel, per
// element (the output's shape) or as one scalar.
enum class EpArg : int32_t { kNone, kChannel, kFull, kScalar };

constexpr int kMaxEpSteps = 6;

// The steps and their device arguments (of the output's dtype), passed by value to the kernels.
struct EpProgram {
  int32_t num_steps = 0;
  EpilogueOp kind[kMaxEpSteps] = {};
  EpArg arg[kMaxEpSteps] = {};
  const void* ptr[kMaxEpSteps][4] = {};  // kBatchNorm uses 4, other argument steps 1
  float epsilon = 1e-4f;
  ActParams act;
  int64_t channels = 1;  // output channels (the last axis)
};

// y[i] = program(y[i]) over n elements (channels last), in place.
void launch_epilogue(DType t, const EpProgram& p, void* y, int64_t n, void* stream);

// ---- geometry ------------------------------------------------------------------------------
// An NHWC convolution or pooling window: input [n, in_h, in_w, in_c], output [n, out_h, out_w,
// out_c], padding before (the rest of the window falls out of the input).
struct WindowGeom {
  int64_t n = 0, in_h = 0, in_w = 0, in_c = 0;
  int64_t out_h = 0, out_w = 0, out_c = 0;
  int64_t k_h = 1, k_w = 1, stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1;
  int64_t pad_t = 0, pad_l = 0;
  int64_t multiplier = 1;  // depthwise: out_c = in_c * multiplier
};

// Writes all of xp [n, padded_h, padded_w, padded_c]: x [n, h, w, c] at (pad_t, pad_l), channels
// [0, c), zeros elsewhere (for a buffer whose contents do not last from run to run).
void launch_pad_full(DType t, const void* x, void* xp, int64_t n, int64_t h, int64_t w, int64_t c,
                     int64_t pad_t, int64_t pad_l, int64_t padded_h, int64_t padded_w,
                     int64_t padded_c, void* stream);

// A stride-2 convolution's input x [n, h, w, c] (c <= 4) zero-padded by (pad_t, pad_l) and folded
// 2x2 into channels: xs [n, sh, sw, 16] with xs[b, i, j, (2 dy + dx) * 4 + ch] = x[b, 2i + dy - pad_t,
// 2j + dx - pad_l, ch] where that lies inside x and ch < c, else 0 (all of xs is written). A
// stride-1 convolution of xs with the filter folded alike (CudnnConvKernel) is the stride-2 one:
// tensor-core kernels take 16 channels where 3 ran on slow ones.
void launch_space_to_depth2(DType t, const void* x, void* xs, int64_t n, int64_t h, int64_t w,
                            int64_t c, int64_t pad_t, int64_t pad_l, int64_t sh, int64_t sw,
                            void* stream);

// The reverse, without channel padding: x [n, h, w, c] = the interior of xp [n, padded_h,
// padded_w, c] at (pad_t, pad_l).
void launch_crop_interior(DType t, const void* xp, void* x, int64_t n, int64_t h, int64_t w,
                          int64_t c, int64_t pad_t, int64_t pad_l, int64_t padded_h,
                          int64_t padded_w, void* stream);

// Depthwise convolution, filter HWCM [k_h, k_w, in_c, multiplier], then the epilogue `p`
// (num_steps 0: none), one pass.
void launch_depthwise(DType t, const WindowGeom& g, const void* x, const void* w, void* y,
                      const EpProgram& p, void* stream);

// MaxPool (padding ignored) or AvgPool (TF: the mean over the window's elements inside the
// input).
void launch_pool(DType t, bool max, const WindowGeom& g, const void* x, void* y, void* stream);

// FusedBatchNorm inference: y = (x - mean) * scale / sqrt(var + eps) + offset, x of dtype t with
// `channels` channels at stride `inner` (NHWC: inner 1), parameters of dtype u.
void launch_batch_norm(DType t, DType u, const void* x, const void* scale, const void* offset,
                       const void* mean, const void* var, void* y, int64_t n, int64_t channels,
                       int64_t inner, float epsilon, void* stream);

// ResizeBilinear NHWC x [n, in_h, in_w, c] (dtype t) -> y [n, out_h, out_w, c] (dtype o); TF's
// source coordinate: half_pixel ? (o + 0.5) * scale - 0.5 : o * scale.
void launch_resize_bilinear(DType t, DType o, const void* x, void* y, int64_t n, int64_t in_h,
                            int64_t in_w, int64_t c, int64_t out_h, int64_t out_w, float scale_h,
                            float scale_w, bool half_pixel, void* stream);

}  // namespace aamp::cuda
