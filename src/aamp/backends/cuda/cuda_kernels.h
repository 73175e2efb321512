// Launchers of aamp's own CUDA kernels (cuda_elementwise.cu, cuda_norm_softmax.cu,
// cuda_attention.cu, cuda_transform.cu, cuda_reduce.cu). Plain C++: no CUDA header, streams and
// device pointers as void*. Every launcher queues its work on `stream` and throws Error with CUDA's
// message when the launch fails; none allocates, synchronizes or reads device memory
// (capture-safe). Float dtypes: float32, float16, bfloat16 (computed in float32).
#pragma once

#include <cstdint>

#include "aamp/core/dtype.h"
#include "aamp/ops/activation.h"

namespace aamp::cuda {

// Element-wise math other than the activations (those are ops/activation.h's EpilogueOp).
enum class Unary { kErf, kRsqrt, kSqrt, kExp, kLog, kNeg, kSquare, kAbs };
enum class Binary { kAdd, kSub, kMul, kDiv, kMaximum, kMinimum, kPow, kSquaredDifference };

constexpr int kMaxRank = 8;
// NumPy broadcasting of two inputs to the output shape: per output dim (row-major), each input's
// stride (0 where it is broadcast).
struct BroadcastIndex {
  int rank = 0;
  int64_t out[kMaxRank] = {};
  int64_t a_stride[kMaxRank] = {};
  int64_t b_stride[kMaxRank] = {};
};
// A row-major walk over `dims` through memory: element i of the walk is at
// base + sum_d k_d * stride[d] for i's coordinates k (strides may be 0 for a broadcast dim, or
// negative).
struct StridedMap {
  int rank = 0;
  int64_t dims[kMaxRank] = {};
  int64_t stride[kMaxRank] = {};
  int64_t base = 0;
};

void launch_unary(Unary op, DType t, const void* x, void* y, int64_t n, void* stream);
// y[i] = activate(op, x[i], p) (ops/activation.h, the formulas every backend shares).
void launch_activation(EpilogueOp op, const ActParams& p, DType t, const void* x, void* y,
                       int64_t n, void* stream);
// `bc` nullptr: a, b and y have n elements each. Else broadcast by `bc`.
void launch_binary(Binary op, DType t, const void* a, const void* b, void* y, int64_t n,
                   const BroadcastIndex* bc, void* stream);
// y[i] = x[i] + bias[(i / inner) % channels].
void launch_bias_add(DType t, const void* x, const void* bias, void* y, int64_t n, int64_t channels,
                     int64_t inner, void* stream);
// src: a float type, int32, int64 or bool; dst: a float type.
void launch_cast(DType src, DType dst, const void* x, void* y, int64_t n, void* stream);

// ---- normalisation / softmax (cuda_norm_softmax.cu) ----------------------------------------
// Softmax over the last axis of a [rows, cols] tensor.
void launch_softmax(DType t, const void* x, void* y, int64_t rows, int64_t cols, void* stream);
// softmax(x + mask) over the last axis, `rows` rows of `cols`: row r's start in x (x_rows) and
// in the mask (mask_rows, same dtype as x) is element r of a walk over the leading output dims;
// the column strides are x_col_stride and mask_col_stride (0 = broadcast, or 1). mask nullptr:
// plain softmax.
void launch_add_softmax(DType t, const void* x, const StridedMap& x_rows, int64_t x_col_stride,
                        const void* mask, const StridedMap& mask_rows, int64_t mask_col_stride,
                        void* y, int64_t rows, int64_t cols, void* stream);
// LayerNorm over the last axis: y = (x - mean) * rsqrt(var + eps) * gamma + beta, statistics in
// float32; gamma / beta of dtype `gt` (any GPU float type), `cols` elements each.
void launch_layer_norm(DType t, DType gt, const void* x, const void* gamma, const void* beta,
                       void* y, int64_t rows, int64_t cols, float epsilon, void* stream);

// ---- attention (cuda_attention.cu) ----------------------------------------------------------
// _AampFusedAttention: out = softmax(scale * q k^T + mask) v per batch and head, the [Sq,Sk]
// scores kept on chip (flash-style: 64 query rows per block, keys in tiles of 64 with an online
// softmax in float32, both products on tensor cores). float16 / bfloat16; depth == v_depth, one
// of 16, 32, 64, 128 (ops/attention.h: gpu_attention_depths); element strides (batch, head,
// position) per operand, rows contiguous and 16-byte aligned.
struct AttentionArgs {
  int64_t batch = 0, heads = 0, q_len = 0, kv_len = 0;
  int depth = 0, v_depth = 0;
  float scale = 1.0f;
  int64_t q_b = 0, q_h = 0, q_s = 0, k_b = 0, k_h = 0, k_s = 0, v_b = 0, v_h = 0, v_s = 0;
  int64_t o_b = 0, o_h = 0, o_s = 0;
  const void* mask = nullptr;  // same dtype, strides over [B,H,Sq,Sk] (0 on broadcast dims)
  int64_t m_b = 0, m_h = 0, m_q = 0, m_k = 0;
};
void launch_attention(DType t, const void* q, const void* k, const void* v, void* out,
                      const AttentionArgs& a, void* stream);

// ---- data movement (cuda_transform.cu) ------------------------------------------------------
// y[i] = x at element i of the walk `map` over y's dims, for elements of `elem_bytes` (1, 2, 4,
// 8 or 16).
void launch_strided_copy(size_t elem_bytes, const void* x, void* y, const StridedMap& map,
                         void* stream);
// Batched transpose of the last two dims: x [batch, rows, cols] -> y [batch, cols, rows] (tiled
// through shared memory).
void launch_transpose_last2(size_t elem_bytes, const void* x, void* y, int64_t batch, int64_t rows,
                            int64_t cols, void* stream);
// Constant Pad: y (dims out[]) = x (dims in[]) placed at offset lo[] per dim, `fill` (the
// element's bytes, little-endian in the low bytes) elsewhere.
struct PadIndex {
  int rank = 0;
  int64_t out[kMaxRank] = {};
  int64_t in[kMaxRank] = {};
  int64_t lo[kMaxRank] = {};
};
void launch_pad(size_t elem_bytes, const void* x, void* y, const PadIndex& p, uint64_t fill,
                void* stream);
// Gather along one axis: params [outer, axis_size, inner] (elements of elem_bytes), indices
// (int32 or int64, n_idx of them) -> y [outer, n_idx, inner]. An index outside [0, axis_size)
// writes zeros and is recorded in `error` (device memory, see GatherError) unless one is
// recorded already.
struct GatherError {
  int32_t flag;  // 0: none, 1: recorded
  int32_t pad;
  int64_t index;     // the bad value
  int64_t position;  // its position in indices
};
void launch_gather(size_t elem_bytes, const void* params, const void* indices, DType index_type,
                   void* y, int64_t outer, int64_t axis_size, int64_t inner, int64_t n_idx,
                   GatherError* error, void* stream);

// Select / SelectV2: y[i] = cond[..] ? t[..] : e[..] (cond bool), every operand broadcast to the
// output by its strides (0 on broadcast dims).
struct SelectIndex {
  int rank = 0;
  int64_t out[kMaxRank] = {};
  int64_t c_stride[kMaxRank] = {};
  int64_t t_stride[kMaxRank] = {};
  int64_t e_stride[kMaxRank] = {};
};
void launch_select(size_t elem_bytes, const void* cond, const void* t, const void* e, void* y,
                   const SelectIndex& s, void* stream);

// ---- reductions (cuda_reduce.cu) ------------------------------------------------------------
enum class Reduce { kSum, kMean, kMax, kMin };
// y[o] = reduce over r of x[offset(o) + offset(r)]: `kept` maps output coordinates, `reduced`
// the reduced coordinates (both as StridedMap, base unused in `reduced`).
void launch_reduce(Reduce op, DType t, const void* x, void* y, const StridedMap& kept,
                   const StridedMap& reduced, void* stream);

}  // namespace aamp::cuda
