// Attribute parsing shared by the reference and the oneDNN linear-algebra kernels: convolution
// and pooling geometry (TF's SAME / VALID / EXPLICIT padding), matmul batch broadcasting, and the
// reference application of a fused epilogue (whose vocabulary and parser are ops/epilogue.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aamp/ops/epilogue.h"
#include "aamp/runtime/kernel.h"

namespace aamp::linalg {

// ---- convolution / pooling geometry ---------------------------------------------------------
struct Conv2DGeom {
  bool nchw = false;
  int64_t n = 0, in_h = 0, in_w = 0, in_c = 0;
  int64_t out_h = 0, out_w = 0, out_c = 0;
  int64_t k_h = 0, k_w = 0;
  int64_t stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1;
  int64_t pad_t = 0, pad_b = 0, pad_l = 0, pad_r = 0;
  int64_t multiplier = 1;  // depthwise channel multiplier
};

enum class ConvKind { kConv2D, kDepthwise, kBackpropInput };

// Geometry of a Conv2D / DepthwiseConv2dNative (input = activation shape, filter HWIO / HWCM),
// or of a Conv2DBackpropInput (input = input_sizes, i.e. the forward input's shape; filter
// HWIO; out_shape = out_backprop's shape). Validates shapes; throws Error naming the node.
Conv2DGeom conv_geom(const Node& n, ConvKind kind, const std::vector<int64_t>& input,
                     const std::vector<int64_t>& filter);

// Pooling geometry (MaxPool / AvgPool): ksize and strides from attrs, out_c = in_c.
Conv2DGeom pool_geom(const Node& n, const std::vector<int64_t>& input);

// Output shape (NHWC or NCHW per geometry) of a conv / pool.
std::vector<int64_t> geom_output_shape(const Conv2DGeom& g);

// ---- matmul ---------------------------------------------------------------------------------
struct MatMulGeom {
  bool ta = false, tb = false;
  int64_t m = 0, n = 0, k = 0;
  // Batch dims of the output and of each operand, aligned to the same rank (1 = broadcast).
  std::vector<int64_t> batch, a_batch, b_batch;
  int64_t batch_size() const;
};

// MatMul (transpose_a/b) or BatchMatMul/BatchMatMulV2 (adj_x/adj_y, broadcasting batch dims).
MatMulGeom matmul_geom(const Node& n, const std::vector<int64_t>& a, const std::vector<int64_t>& b);

// Reads a float-typed view (any float dtype) into floats.
void to_floats(const TensorView& t, std::vector<float>& out);
void to_floats(const Tensor& t, std::vector<float>& out);

// Reference epilogue: applies every step, in float32, to `y` (the contraction's result in the
// output layout `shape`, channels on axis `ch_axis`), reading fused args from ctx.inputs.
// Per-channel args (BiasAdd, FusedBatchNorm, Prelu with C alphas) follow ch_axis; other args
// broadcast NumPy-style against `shape`.
void apply_epilogue(const Epilogue& e, const KernelContext& ctx, const std::vector<int64_t>& shape,
                    int ch_axis, std::vector<float>& y);

// Writes floats to a view of any float dtype.
void from_floats(const std::vector<float>& in, TensorView& out);

}  // namespace aamp::linalg
