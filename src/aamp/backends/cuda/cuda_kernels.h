// Launchers of aamp's own CUDA kernels (cuda_elementwise.cu). Plain C++: no CUDA header, streams
// and device pointers as void*. Every launcher queues its work on `stream` and throws Error with
// CUDA's message when the launch fails. Float dtypes: float32, float16, bfloat16 (computed in
// float32).
#pragma once

#include <cstdint>

#include "aamp/core/dtype.h"

namespace aamp::cuda {

enum class Unary { kRelu, kRelu6, kSigmoid, kTanh, kGeluExact };
enum class Binary { kAdd, kSub, kMul, kDiv };

constexpr int kMaxRank = 8;
// NumPy broadcasting of two inputs to the output shape: per output dim (row-major), each input's
// stride (0 where it is broadcast).
struct BroadcastIndex {
  int rank = 0;
  int64_t out[kMaxRank] = {};
  int64_t a_stride[kMaxRank] = {};
  int64_t b_stride[kMaxRank] = {};
};

void launch_unary(Unary op, DType t, const void* x, void* y, int64_t n, void* stream);
// `bc` nullptr: a, b and y have n elements each. Else broadcast by `bc`.
void launch_binary(Binary op, DType t, const void* a, const void* b, void* y, int64_t n,
                   const BroadcastIndex* bc, void* stream);
// y[i] = x[i] + bias[(i / inner) % channels].
void launch_bias_add(DType t, const void* x, const void* bias, void* y, int64_t n, int64_t channels,
                     int64_t inner, void* stream);
void launch_cast(DType src, DType dst, const void* x, void* y, int64_t n, void* stream);
// Softmax over the last axis of a [rows, cols] tensor.
void launch_softmax(DType t, const void* x, void* y, int64_t rows, int64_t cols, void* stream);

}  // namespace aamp::cuda
